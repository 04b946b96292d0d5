"""The notebook edition of a handout: ``assignments/<a>/<a>.ipynb``, built from the same cleared files as the .py handout.

Its cells, in order:

1. a set-up cell: on Colab it unzips ``<a>-handout.zip`` (uploaded beside the notebook) when the handout
   folder is not there yet, moves into that folder and installs the pinned requirements (the data sets
   are looked for, and cached, in ``$AUTOGRADER_DATA`` or the user's cache folder, never in the handout folder);
2. the handout README, one Markdown cell per ``## `` section;
3. for each submitted Python file: a Markdown title, the code cell holding the file whole after
   ``%%writefile <filename>`` (running it writes the file; the grader reads it from the saved notebook,
   ``autograder/notebook.py``), and a cell running that file's public tests
   (``!python -m autograder check --file <filename>``);
4. the packing step: ``!python -m autograder pack --notebook <a>.ipynb``.

Cells carry nbgrader metadata (file cells are solution cells, the others are locked, each with a
``grade_id``) so a course running nbgrader can distribute the notebook, and fixed ids, so two builds
give identical bytes. This is a staff tool: nbformat is not needed to grade.

``validate --notebooks`` runs the edition as a student does: ``filled_notebook`` puts files (the reference's)
into its ``%%writefile`` cells, ``run_notebook`` runs every cell in a headless kernel (nbclient, ipykernel)
and ``check_rows`` reads the public-test tables its check cells printed.
"""

import os
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.notebook import WRITEFILE, written_file
from autograder.results import table_rows

# The longest a cell may run in run_notebook: a backstop above the slowest check cell (fashion_mnist's CNN trained with
# the grading schedule, a few minutes), not a limit a cell is meant to reach.
CELL_TIMEOUT = 1800

NBGRADER_SCHEMA = 3

SETUP = '''\
# Set-up: run this cell first. On your own machine, open this notebook in the unzipped handout folder
# (it holds autograder/, utils/, tests/ and requirements.txt) after `pip install -r requirements.txt`.
# On Colab, upload {assignment}-handout.zip beside this notebook (Files pane) first: this cell unzips it,
# moves into the folder {assignment}/ and installs the pinned packages the grader uses.
import os
import subprocess
import sys
import zipfile

if "google.colab" in sys.modules and not os.path.isfile("assignment.toml"):
    if not os.path.isdir("{assignment}"):
        zipfile.ZipFile("{assignment}-handout.zip").extractall(".")
    os.chdir("{assignment}")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", "requirements.txt"], check=True)
# The data sets (and their parsed copies) live in ~/.cache/dl-autograder, never among the files you submit;
# to use a copy of your own, uncomment and name its folder:
# os.environ["AUTOGRADER_DATA"] = "/path/to/your/data"
print("working in", os.getcwd())'''

PACK = '''\
## Submitting

Run every `%%writefile` cell above once more (so the files hold your last edits), then upload either this
notebook (saved) or the zip the next cell writes. The grader reads each file from its `%%writefile` cell,
without running anything; a `.py` file uploaded beside the notebook is graded instead of its cell.'''


def nbgrader_metadata(grade_id, *, solution):
    """nbgrader's cell metadata: a solution cell students edit, or a locked cell."""
    return {"nbgrader": {"grade": False, "grade_id": grade_id, "locked": not solution, "schema_version": NBGRADER_SCHEMA,
                         "solution": solution}}


def locked_markdown(cell_id, text):
    """A locked Markdown cell."""
    cell = new_markdown_cell(text, metadata=nbgrader_metadata(cell_id.replace("-", "_"), solution=False))
    cell.id = cell_id
    return cell


def code(cell_id, text, *, solution=False):
    """A code cell, a solution cell when ``solution``, else locked."""
    cell = new_code_cell(text, metadata=nbgrader_metadata(cell_id.replace("-", "_"), solution=solution))
    cell.id = cell_id
    return cell


def readme_sections(readme):
    """The README's text cut before each ``## `` heading (outside code blocks), blank edges removed."""
    sections, current, fenced = [], [], False
    for line in readme.strip().split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        if line.startswith("## ") and not fenced and current:
            sections.append("\n".join(current).strip())
            current = []
        current.append(line)
    sections.append("\n".join(current).strip())
    return [section for section in sections if section]


def notebook_edition(assignment, readme, sources):
    """The notebook edition's bytes (nbformat 4 JSON) from the handout README and {filename: cleared text} of the Python files."""
    cells = [code("setup", SETUP.format(assignment=assignment))]
    cells += [locked_markdown(f"readme-{number}", section) for number, section in enumerate(readme_sections(readme), start=1)]
    for filename, text in sources.items():
        stem = filename.removesuffix(".py")
        cells += [
            locked_markdown(f"title-{stem}", f"## `{filename}`\n\nEdit the next cell and run it: it writes `{filename}`. "
                                             "The cell after it runs that file's public tests."),
            code(f"file-{stem}", f"{WRITEFILE} {filename}\n{text.rstrip(chr(10))}", solution=True),
            code(f"check-{stem}", f"!python -m autograder check --file {filename}"),
        ]
    cells += [locked_markdown("submit", PACK), code("pack", f"!python -m autograder pack --notebook {assignment}.ipynb")]
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    return nbformat.writes(notebook).encode("utf-8") + b"\n"


def filled_notebook(notebook, files):
    """The notebook edition ``notebook`` (its bytes) with each ``%%writefile <name>`` cell holding ``files[name]`` (text)
    instead of what it held, saved as nbformat saves it (as Jupyter would); raises KeyError naming a file of ``files``
    the notebook has no cell for."""
    parsed = nbformat.reads(notebook.decode("utf-8"), as_version=4)
    cells = {written_file(cell.source): cell for cell in parsed.cells if cell.cell_type == "code"}
    for name, text in files.items():
        if name not in cells:
            raise KeyError(f"the notebook has no code cell starting with `{WRITEFILE} {name}`")
        cells[name].source = f"{WRITEFILE} {name}\n{text}"
    return nbformat.writes(parsed).encode("utf-8") + b"\n"


def run_notebook(path, *, timeout=CELL_TIMEOUT):
    """Run every cell of the notebook at ``path``, in order, in a fresh python3 kernel started in its folder (a student's
    "Run all"), and save it there with its outputs.

    ``!python`` in a cell is this interpreter (its folder first on PATH, no PYTHONPATH), so the cells use the
    autograder/ and utils/ of the notebook's folder. Returns (the executed notebook, None), or (the notebook as far as
    it ran, "cell <id> (<its first line>) stopped the run: why") when a cell raised, ran past ``timeout`` seconds or the kernel died.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    environment.pop("PYTHONPATH", None)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    failure = None
    try:
        client.execute(env=environment)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        failed = next((cell for cell in code if any(output.output_type == "error" for output in cell.outputs)),
                      next((cell for cell in code if cell.execution_count is None), code[-1]))
        why = f"{exc.ename}: {exc.evalue}" if isinstance(exc, CellExecutionError) else f"{type(exc).__name__}: {str(exc)[-500:]}"
        failure = f"cell {failed.id} ({failed.source.partition(chr(10))[0][:80]!r}) stopped the run: {why}"
    nbformat.write(notebook, path)
    return notebook, failure


def check_rows(notebook):
    """{check cell id: the rows of the public-test table its output shows (``results.table_rows``), or None when it shows no table}
    for each check cell of an executed notebook edition, in notebook order."""
    rows = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.id.startswith("check-"):
            text = "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")
            rows[cell.id] = table_rows(text)
    return rows
