"""Turning what a student handed in (a folder or a zip) into a folder holding exactly the expected files.

Nothing is executed here. Zips are read entry by entry: absolute paths, ``..`` parts, links and
oversized entries are refused; folders are read without following links. Students often nest
their files in a folder (``hw3/numpy_ann.py``); the expected names are looked up at any depth and
the message says where each was found.
"""

import difflib
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 20 * 2**20
MAX_TOTAL_BYTES = 200 * 2**20
MAX_ENTRIES = 2000
MAX_IGNORED_NOTES = 10


class UnusableSubmission(Exception):
    """The submission cannot be read at all (not a zip, a zip bomb, ...)."""


@dataclass
class Unpacked:
    """The expected files found in a submission, copied into ``folder``, with notes for the student."""

    folder: Path
    found: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def unpack(source, expected, folder):
    """Copy the expected files of ``source`` (a folder or a .zip) into the empty ``folder``.

    Inputs:
    - source: path to the submission.
    - expected: file names the manifest asks for (and optional artifacts).
    - folder: destination folder (created).

    Returns Unpacked; raises UnusableSubmission when ``source`` cannot be read at all.
    """
    source = Path(source)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ignored = []
    if source.is_dir():
        entries = folder_entries(source, ignored)
    elif source.is_file() and source.suffix.lower() == ".zip":
        entries = zip_entries(source, ignored)
    elif source.is_file():
        entries = {PurePosixPath(source.name): lambda: source.read_bytes()}
    else:
        raise UnusableSubmission(f"no submission at {source.name}")
    unpacked = Unpacked(folder=folder)
    unpacked.notes += [f"ignored {entry}" for entry in ignored[:MAX_IGNORED_NOTES]]
    if len(ignored) > MAX_IGNORED_NOTES:
        unpacked.notes.append(f"ignored {len(ignored) - MAX_IGNORED_NOTES} more entries")
    for name in expected:
        matches = sorted((path for path in entries if path.name == name), key=lambda path: (len(path.parts), str(path)))
        if not matches:
            unpacked.missing.append(name)
            near = difflib.get_close_matches(name.lower(), sorted({path.name.lower() for path in entries}), n=1, cutoff=0.75)
            if near:
                found = next(str(path) for path in sorted(entries, key=str) if path.name.lower() == near[0])
                unpacked.notes.append(f"{name} was not found, but {found} was: rename it to {name} if it is meant to be that file")
            continue
        chosen = matches[0]
        (folder / name).write_bytes(entries[chosen]())
        unpacked.found[name] = str(chosen)
        if len(chosen.parts) > 1:
            unpacked.notes.append(f"found {name} at {chosen}")
        if len(matches) > 1:
            unpacked.notes.append(f"{len(matches)} files are named {name}; graded {chosen}")
    return unpacked


def folder_entries(root, ignored):
    """{relative path: reader} for the regular files under ``root``, links not followed.

    What is left out is described in ``ignored`` (links, files over the size limit).
    """
    entries = {}
    for path in sorted(root.rglob("*")):
        if len(entries) >= MAX_ENTRIES:
            ignored.append(f"everything after the first {MAX_ENTRIES} files")
            break
        relative = path.relative_to(root).as_posix()
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or any(p.is_symlink() for p in path.relative_to(root).parents if str(p) != "."):
            ignored.append(f"{relative} (a symbolic link, or inside one)")
        elif stat.S_ISREG(info.st_mode) and info.st_size > MAX_FILE_BYTES:
            ignored.append(f"{relative} ({info.st_size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit for a file)")
        elif stat.S_ISREG(info.st_mode):
            entries[PurePosixPath(relative)] = lambda path=path: path.read_bytes()
    return entries


def zip_entries(archive, ignored):
    """{relative path: reader} for the safe regular-file entries of a zip; the others are described in ``ignored``."""
    try:
        bundle = zipfile.ZipFile(archive)
        infos = bundle.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnusableSubmission(f"{archive.name} is not a readable zip file ({exc})") from None
    if len(infos) > MAX_ENTRIES:
        raise UnusableSubmission(f"{archive.name} has {len(infos)} entries; at most {MAX_ENTRIES} are accepted")
    if sum(info.file_size for info in infos if info.file_size <= MAX_FILE_BYTES) > MAX_TOTAL_BYTES:
        raise UnusableSubmission(f"{archive.name} unpacks to more than {MAX_TOTAL_BYTES // 2**20} MB")
    entries = {}
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if info.is_dir() or (path.parts and path.parts[0] == "__MACOSX"):
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            ignored.append(f"{info.filename} (a symbolic link)")
        elif path.is_absolute() or ".." in path.parts:
            ignored.append(f"{info.filename} (a path leaving the submission's folder)")
        elif info.file_size > MAX_FILE_BYTES:
            ignored.append(f"{info.filename} ({info.file_size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit for a file)")
        else:
            entries[path] = lambda info=info: read_entry(bundle, info)
    return entries


def read_entry(bundle, info):
    """The bytes of one zip entry, refusing entries that inflate past their declared size."""
    with bundle.open(info) as stream:
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UnusableSubmission(f"{info.filename} is larger than {MAX_FILE_BYTES // 2**20} MB")
    return data


def remove(unpacked):
    """Delete the unpacked folder."""
    shutil.rmtree(unpacked.folder, ignore_errors=True)
