"""Turning what a student handed in (a folder or a zip) into a folder holding exactly the expected files.

Nothing is executed here. Zips are read entry by entry: absolute paths, ``..`` parts, links and
oversized entries are refused; folders are read without following links. Students often nest
their files in a folder (``hw3/numpy_ann.py``); the expected names are looked up at any depth and
the message says where each was found.
"""

import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 20 * 2**20
MAX_TOTAL_BYTES = 200 * 2**20
MAX_ENTRIES = 2000


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
    if source.is_dir():
        entries = folder_entries(source)
    elif source.is_file() and source.suffix.lower() == ".zip":
        entries = zip_entries(source)
    elif source.is_file():
        entries = {PurePosixPath(source.name): lambda: source.read_bytes()}
    else:
        raise UnusableSubmission(f"no submission at {source.name}")
    unpacked = Unpacked(folder=folder)
    for name in expected:
        matches = sorted((path for path in entries if path.name == name), key=lambda path: (len(path.parts), str(path)))
        if not matches:
            unpacked.missing.append(name)
            continue
        chosen = matches[0]
        (folder / name).write_bytes(entries[chosen]())
        unpacked.found[name] = str(chosen)
        if len(chosen.parts) > 1:
            unpacked.notes.append(f"found {name} at {chosen}")
        if len(matches) > 1:
            unpacked.notes.append(f"{len(matches)} files are named {name}; graded {chosen}")
    return unpacked


def folder_entries(root):
    """{relative path: reader} for the regular files under ``root``, links not followed."""
    entries = {}
    for path in sorted(root.rglob("*")):
        if len(entries) >= MAX_ENTRIES:
            break
        info = path.lstat()
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES and not any(p.is_symlink() for p in path.relative_to(root).parents if str(p) != "."):
            entries[PurePosixPath(path.relative_to(root).as_posix())] = lambda path=path: path.read_bytes()
    return entries


def zip_entries(archive):
    """{relative path: reader} for the safe regular-file entries of a zip."""
    try:
        bundle = zipfile.ZipFile(archive)
        infos = bundle.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnusableSubmission(f"{archive.name} is not a readable zip file ({exc})") from None
    if len(infos) > MAX_ENTRIES:
        raise UnusableSubmission(f"{archive.name} has {len(infos)} entries; at most {MAX_ENTRIES} are accepted")
    if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
        raise UnusableSubmission(f"{archive.name} unpacks to more than {MAX_TOTAL_BYTES // 2**20} MB")
    entries = {}
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        is_link = stat.S_ISLNK(info.external_attr >> 16)
        if info.is_dir() or is_link or path.is_absolute() or ".." in path.parts or info.file_size > MAX_FILE_BYTES:
            continue
        if path.parts and path.parts[0] == "__MACOSX":
            continue
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
