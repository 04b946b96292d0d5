"""Student side: pack a submission zip with exactly the files the assignment asks for.

``python -m autograder pack`` (in a handout folder) zips the files of the manifest's ``[files]`` and
the optional artifacts that exist, nothing else, and refuses when a required file is missing. It
also warns about what would cost points: a file that fails its import check or still holds
``raise NotImplementedError`` stubs, a file over the size the grader reads. It says nothing about the
other files of the folder (data sets, scratch files): they were never going to be submitted.

``pack --notebook <a>.ipynb`` (the notebook edition) takes the Python files from the notebook's
``%%writefile`` cells instead, as the grader would read them (the notebook's saved text, even cells
not run since they were edited); the data files and artifacts still come from the folder.
"""

import zipfile
from pathlib import Path

from autograder.manifest import load_manifest
from autograder.notebook import read_bounded, read_notebook_files
from autograder.static_checks import check_source
from autograder.submission import MAX_FILE_BYTES

STUB = "raise NotImplementedError"


class PackError(Exception):
    """The submission cannot be packed; the message names the missing files."""


def pack_submission(folder, out=None, notebook=None):
    """Zip the submission in handout ``folder`` (holding assignment.toml) and return (zip path, warnings).

    Inputs:
    - folder: the student's handout folder.
    - out: the zip to write (default: ``<folder>/<assignment>-submission.zip``).
    - notebook: a notebook whose ``%%writefile`` cells give the Python files (None: the folder's .py files).

    Raises PackError when a file of the manifest's [files] is missing (or, with ``notebook``, has no single cell).
    """
    folder = Path(folder)
    manifest = load_manifest(folder / "assignment.toml")
    contents = {name: (folder / name).read_bytes() for name in manifest.files if (folder / name).is_file()}
    problems = []
    if notebook is not None:
        notebook = Path(notebook)
        if not notebook.is_file():
            raise PackError(f"cannot pack {manifest.name}: no notebook at {notebook}")
        cells = read_notebook_files(notebook.name, lambda limit: read_bounded(notebook, limit), manifest.source_files)
        problems = [cells.unreadable] if cells.unreadable else list(cells.problems.values())
        contents.update((name, content.encode("utf-8")) for name, (content, _) in cells.files.items())
    missing = [name for name in manifest.files if name not in contents]
    if missing:
        problems.append(f"missing {', '.join(missing)} (the assignment asks for {', '.join(manifest.files)})")
    if problems:
        raise PackError(f"cannot pack {manifest.name}: {'; '.join(problems)}")
    contents.update((name, (folder / name).read_bytes()) for name in manifest.optional_artifacts if (folder / name).is_file())
    out = Path(out) if out else folder / f"{manifest.name}-submission.zip"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    return out, size_warnings(contents) + source_warnings(contents, manifest)


def size_warnings(contents):
    """Warnings on the packed files ({name: bytes}) that the grader would ignore for their size (over MAX_FILE_BYTES)."""
    return [f"{name} is {len(content) / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB the grader reads: it will be ignored"
            for name, content in contents.items() if len(content) > MAX_FILE_BYTES]


def source_warnings(contents, manifest):
    """Warnings on the submitted Python files ({name: bytes}): failed import checks and remaining stubs."""
    warnings = []
    for name in manifest.source_files:
        source = contents[name].decode("utf-8", errors="replace")
        warnings += check_source(source, name, manifest.allowed_imports(name))
        stubs = source.count(STUB)
        if stubs:
            warnings.append(f"{name} still has {stubs} `{STUB}` stub{'s' if stubs > 1 else ''}")
    return warnings
