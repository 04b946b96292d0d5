"""Turning what a student handed in (a folder, a zip or a notebook) into a folder holding exactly the expected files.

Nothing is executed here. Zips are read entry by entry: absolute paths, ``..`` parts, links and
oversized entries are refused; folders are read without following links. Students often nest
their files in a folder (``hw3/numpy_ann.py``); the expected names are looked up at any depth and
the message says where each was found.

A Jupyter notebook (``.ipynb``, alone, in a folder or in a zip) may hold the Python files, each in the code
cell that starts with ``%%writefile <filename>`` (``autograder/notebook.py`` reads it as data). A .py file
submitted beside the notebook wins over the notebook's cell, and a note says so when the two differ. With several notebooks,
the shallowest (then first by name) is read and the others are named as ignored.
"""

import difflib
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.notebook import is_notebook, read_bounded, read_notebook_files

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


def unpack(source, expected, folder, *, working_folder=False):
    """Copy the expected files of ``source`` (a folder or a .zip) into the empty ``folder``.

    Inputs:
    - source: path to the submission.
    - expected: file names the manifest asks for (and optional artifacts).
    - folder: destination folder (created).
    - working_folder: ``source`` is the student's own handout folder (``check``), not a submission.

    Returns Unpacked; raises UnusableSubmission when ``source`` cannot be read at all. Its notes name the
    entries left out (links, oversized files, unsafe paths): all of them for a submission, whose every file
    the student handed in; in a working folder only those bearing an expected file's name, as its other
    files (a data set, a virtual environment, the handout's own) were never going to be submitted.
    """
    source = Path(source)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ignored = []
    notebooks = {}
    if source.is_dir():
        entries = folder_entries(source, ignored, notebooks)
    elif source.is_file() and source.suffix.lower() == ".zip":
        entries = zip_entries(source, ignored, notebooks)
    elif source.is_file() and is_notebook(PurePosixPath(source.name)):
        entries, notebooks = {}, {PurePosixPath(source.name): lambda limit: read_bounded(source, limit)}
    elif source.is_file():
        entries = {PurePosixPath(source.name): lambda: source.read_bytes()}
    else:
        raise UnusableSubmission(f"no submission at {source.name}")
    unpacked = Unpacked(folder=folder)
    chosen_notebooks = sorted(notebooks, key=lambda path: (len(path.parts), str(path)))
    ignored += [(path, f"{path} (only one notebook is read: {chosen_notebooks[0]})") for path in chosen_notebooks[1:]]
    noted = [text for path, text in ignored if not working_folder or path is None or path.name in expected]
    unpacked.notes += [f"ignored {text}" for text in noted[:MAX_IGNORED_NOTES]]
    if len(noted) > MAX_IGNORED_NOTES:
        unpacked.notes.append(f"ignored {len(noted) - MAX_IGNORED_NOTES} more entries")
    notebook = None
    if chosen_notebooks:
        path = chosen_notebooks[0]
        notebook = read_notebook_files(str(path), notebooks[path], [name for name in expected if name.endswith(".py")])
        if notebook.unreadable:
            unpacked.notes.append(notebook.unreadable)
    for name in expected:
        matches = sorted((path for path in entries if path.name == name), key=lambda path: (len(path.parts), str(path)))
        if not matches and notebook is not None and name in notebook.files:
            content, cell = notebook.files[name]
            (folder / name).write_text(content, encoding="utf-8")
            unpacked.found[name] = f"{notebook.name}, cell {cell}"
            unpacked.notes.append(f"{name} from cell {cell} of {notebook.name}")
            continue
        if not matches:
            unpacked.missing.append(name)
            if notebook is not None and name in notebook.problems:
                unpacked.notes.append(notebook.problems[name])
            near = difflib.get_close_matches(name.lower(), sorted({path.name.lower() for path in entries}), n=1, cutoff=0.75)
            if near:
                found = next(str(path) for path in sorted(entries, key=str) if path.name.lower() == near[0])
                unpacked.notes.append(f"{name} was not found, but {found} was: rename it to {name} if it is meant to be that file")
            continue
        chosen = matches[0]
        content = entries[chosen]()
        (folder / name).write_bytes(content)
        unpacked.found[name] = str(chosen)
        if len(chosen.parts) > 1:
            unpacked.notes.append(f"found {name} at {chosen}")
        if len(matches) > 1:
            unpacked.notes.append(f"{len(matches)} files are named {name}; graded {chosen}")
        if notebook is not None and name in notebook.files and notebook.files[name][0].encode("utf-8") != content:
            cell = notebook.files[name][1]
            unpacked.notes.append(f"{name}: graded the file {chosen}, not cell {cell} of {notebook.name}, which differs from it "
                                  "(a .py file beside the notebook wins)")
    return unpacked


def folder_entries(root, ignored, notebooks):
    """{relative path: reader} for the regular files under ``root``, links not followed.

    What is left out is appended to ``ignored`` as (relative path, or None for the rest of the folder; description):
    links, files over the size limit. Notebooks go to ``notebooks`` instead, {relative path: read(limit)}, whatever
    their size (their read is bounded).
    """
    entries = {}
    for path in sorted(root.rglob("*")):
        if len(entries) >= MAX_ENTRIES:
            ignored.append((None, f"everything after the first {MAX_ENTRIES} files"))
            break
        relative = PurePosixPath(path.relative_to(root).as_posix())
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or any(p.is_symlink() for p in path.relative_to(root).parents if str(p) != "."):
            ignored.append((relative, f"{relative} (a symbolic link, or inside one)"))
        elif stat.S_ISREG(info.st_mode) and is_notebook(relative):
            notebooks[relative] = lambda limit, path=path: read_bounded(path, limit)
        elif stat.S_ISREG(info.st_mode) and info.st_size > MAX_FILE_BYTES:
            ignored.append((relative, f"{relative} ({info.st_size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit for a file)"))
        elif stat.S_ISREG(info.st_mode):
            entries[relative] = lambda path=path: path.read_bytes()
    return entries


def zip_entries(archive, ignored, notebooks):
    """{relative path: reader} for the safe regular-file entries of a zip; the others are appended to ``ignored`` as
    (path, description).

    Notebooks go to ``notebooks`` instead, {relative path: read(limit)}, whatever their size (their read is bounded).
    """
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
            ignored.append((path, f"{info.filename} (a symbolic link)"))
        elif path.is_absolute() or ".." in path.parts:
            ignored.append((path, f"{info.filename} (a path leaving the submission's folder)"))
        elif is_notebook(path):
            notebooks[path] = lambda limit, info=info: read_entry(bundle, info, limit, bounded=True)
        elif info.file_size > MAX_FILE_BYTES:
            ignored.append((path, f"{info.filename} ({info.file_size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit for a file)"))
        else:
            entries[path] = lambda info=info: read_entry(bundle, info)
    return entries


def read_entry(bundle, info, limit=MAX_FILE_BYTES, *, bounded=False):
    """The bytes of one zip entry, refusing entries that inflate past ``limit``; with ``bounded``, at most ``limit`` + 1 bytes."""
    with bundle.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit and not bounded:
        raise UnusableSubmission(f"{info.filename} is larger than {MAX_FILE_BYTES // 2**20} MB")
    return data


def remove(unpacked):
    """Delete the unpacked folder."""
    shutil.rmtree(unpacked.folder, ignore_errors=True)
