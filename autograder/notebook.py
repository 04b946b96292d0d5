"""Submitted files read from a Jupyter notebook, as data: nothing in it is executed.

A notebook edition of a handout holds each submitted file in one code cell whose first line is
``%%writefile <filename>``; the rest of the cell is the file's content (what running the cell writes).
Only the cells' sources are read (never their outputs), with the standard library's ``json``, so the
grader needs nothing more than it already has. The read is bounded (``MAX_NOTEBOOK_BYTES``) before
parsing: a notebook saved with hundreds of MB of outputs is refused with a message, not parsed.

What goes wrong costs only what depends on it: a notebook that cannot be read gives none of its files,
a file without a cell or with two cells is not taken from it; each case has a message for the student.
Cells are numbered from 1 in notebook order, markdown cells included, as they are listed in the file.
"""

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath

MAX_NOTEBOOK_BYTES = 20 * 2**20
WRITEFILE = "%%writefile"


@dataclass
class NotebookFiles:
    """What one notebook gives: ``files`` {filename: (content, cell number)}; ``unreadable``, why none of its files
    could be taken (or None); ``problems`` {filename: why that file was not taken}, for each file looked for and not found."""

    name: str
    files: dict = field(default_factory=dict)
    unreadable: str = None
    problems: dict = field(default_factory=dict)


def read_bounded(path, limit):
    """At most ``limit`` + 1 bytes of the file at ``path`` (enough to tell that it is over ``limit``)."""
    with open(path, "rb") as stream:
        return stream.read(limit + 1)


def is_notebook(path):
    """Whether ``path`` (a PurePosixPath in a submission) is a notebook, not one of Jupyter's checkpoint copies."""
    return path.suffix.lower() == ".ipynb" and not any(part.startswith(".") for part in path.parts[:-1])


def written_file(source):
    """The file name a cell writes (``%%writefile name`` on its first line, options and quotes removed), or None."""
    words = source.split("\n", 1)[0].split()
    if len(words) < 2 or words[0] != WRITEFILE:
        return None
    return PurePosixPath(words[-1].strip("'\"")).name


def cell_source(cell):
    """A cell's source as one string (nbformat stores a string or a list of lines), or None when it is neither."""
    source = cell.get("source") if isinstance(cell, dict) else None
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def file_content(source):
    """What ``%%writefile`` writes from a cell: everything after the first line, ending with a newline."""
    body = source.split("\n", 1)[1] if "\n" in source else ""
    return body if not body or body.endswith("\n") else body + "\n"


def read_notebook_files(name, read, filenames):
    """The files among ``filenames`` that notebook ``name`` holds, each from its one ``%%writefile`` cell.

    Inputs:
    - name: the notebook's path in the submission, for messages.
    - read: read(limit) -> at most limit + 1 bytes of the notebook.
    - filenames: the Python files to look for.

    Returns NotebookFiles; never raises for what the notebook holds.
    """
    found = NotebookFiles(name=name)
    try:
        data = read(MAX_NOTEBOOK_BYTES)
    except Exception as exc:  # a damaged zip entry (bad CRC, bad compressed data) or an unreadable file
        found.unreadable = f"{name} could not be read ({type(exc).__name__}: {str(exc)[:200]}), so none of its files were read"
        return found
    if len(data) > MAX_NOTEBOOK_BYTES:
        found.unreadable = (
            f"{name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB (its outputs, most likely), so it was not read: "
            f"clear its outputs (Edit > Clear all outputs) and submit it again")
        return found
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        found.unreadable = (f"{name} is not a readable notebook ({type(exc).__name__}: {str(exc)[:200]}), so none of its files were read")
        return found
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        found.unreadable = (f"{name} is not a notebook in Jupyter's format 4 (no list of cells), so none of its files were read")
        return found
    cells_of = {filename: [] for filename in filenames}
    for number, cell in enumerate(cells, start=1):
        source = cell_source(cell)
        if source is not None and cell.get("cell_type") == "code" and written_file(source) in cells_of:
            cells_of[written_file(source)].append((number, source))
    for filename, written in cells_of.items():
        if len(written) == 1:
            number, source = written[0]
            found.files[filename] = (file_content(source), number)
        elif written:
            numbers = ", ".join(str(number) for number, _ in written)
            found.problems[filename] = (f"{name} has {len(written)} cells starting with `{WRITEFILE} {filename}` (cells {numbers}): "
                                  f"keep one; {filename} was not taken from the notebook")
        else:
            found.problems[filename] = f"{name} has no code cell starting with `{WRITEFILE} {filename}`"
    return found
