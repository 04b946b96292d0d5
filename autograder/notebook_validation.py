"""``validate --notebooks``: the notebook edition checked as a student uses it, against the grading of the .py files.

A staff tool (not shipped in the handout): it runs notebooks in a headless kernel (``autograder.notebook_edition``)
and grades saved notebooks, then compares, test by test, with what ``validate`` got from the Python files.
"""

import zipfile
from concurrent.futures import ThreadPoolExecutor

from autograder.grading import grade_submission
from autograder.manifest import load_manifest
from autograder.notebook_edition import check_rows, filled_notebook, run_notebook
from autograder.results import format_table, not_run_of, table_rows


def notebook_problems(assignment, root, layout, reference, graded, out, scratch):
    """What the notebook edition ``assignments/<a>/<a>.ipynb`` does that the .py files do not; [] when nothing.

    Two notebooks, as a student saves them: the committed one filled with the reference's Python files (``reference``,
    the reference submission, also gives its data files: the trained weights a student's run of the file writes) and
    the committed one untouched. Each is graded alone (with those data files): every test must get the status, score,
    grader error and reason for not running that ``graded[label]`` (the results of the .py files: "reference",
    "handout") gives it, and the message must name the cell of each Python file. Each is also run in a standalone
    handout folder under ``scratch`` (what the handout zip holds) in a headless kernel: every cell must run, and the
    check cells' tables together must show each public test as ``graded[label]`` does; the reference's pack cell must zip
    the reference's Python files. The runs go on in a thread beside the gradings (two cores: a worker each). The
    executed notebooks and the results are written to ``out`` (``<label>-notebook.ipynb``, ``<label>-notebook-results.json``).
    """
    from autograder.release import handout_zip_files, write_tree

    names = load_manifest(layout.manifest_path).source_files
    sources = {name: (reference / name).read_text(encoding="utf-8") for name in names}
    data = {path.name: path.read_bytes() for path in sorted(reference.iterdir()) if path.name not in names}
    committed = (root / "assignments" / assignment / f"{assignment}.ipynb").read_bytes()
    handout = handout_zip_files(assignment, root)
    try:
        filled = filled_notebook(committed, sources)
    except KeyError as exc:
        return [f"reference notebook: expected a `%%writefile` cell for each Python file to fill with the reference: {exc.args[0]}"]
    cases = {"reference": ("filled with the reference", filled, data), "handout": ("untouched", committed, {})}
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=1) as runner:
        runs = {}
        for label, (_, notebook, files) in cases.items():
            write_tree({**handout, f"{assignment}.ipynb": notebook, **files}, scratch / f"{label}-notebook" / assignment)
            write_tree({f"{assignment}.ipynb": notebook, **files}, scratch / f"{label}-notebook-submission")
            runs[label] = runner.submit(run_notebook, scratch / f"{label}-notebook" / assignment / f"{assignment}.ipynb")
        results = {label: grade_submission(layout, scratch / f"{label}-notebook-submission", out=out / f"{label}-notebook-results.json",
                                           locations=True) for label in cases}
        ran = {label: run.result() for label, run in runs.items()}
    problems = []
    for label, (described, _, _) in cases.items():
        (executed, failure), folder = ran[label], scratch / f"{label}-notebook" / assignment
        (out / f"{label}-notebook.ipynb").write_bytes((folder / f"{assignment}.ipynb").read_bytes())
        found = [f"expected every cell to run, {failure}"] if failure else check_table_problems(graded[label], check_rows(executed))
        found += outcome_differences(graded[label], results[label])
        found += [f"expected the message to say that {name} came from its cell, got: {results[label]['output'][:500]}"
                  for name in names if f"{name} from cell" not in results[label]["output"]]
        if label == "reference" and not failure:
            found += packed_problems(folder / f"{assignment}-submission.zip", sources)
        print(f"\n== {label}: the notebook edition, {described} ==")
        print(f"graded as a notebook: {results[label]['score']:g} points; run in a headless kernel: {'stopped' if failure else 'every cell ran'}; "
              + ("as the .py files" if not found else f"{len(found)} problem(s), below"))
        problems += [f"{label} notebook: {problem}" for problem in found]
    return problems


def check_table_problems(results, rows):
    """Why the check cells' tables (``notebook_edition.check_rows``: {cell id: rows or None}) do not show the public tests of
    ``results`` (a grading of the .py files) as it does: a cell without a table, a row the grading has not, a test no cell showed."""
    public = {**results, "tests": [test for test in results["tests"] if test["visibility"] == "visible"]}
    expected = table_rows(format_table(public))
    problems = [f"expected {cell} to print the table of its public tests, it printed none" for cell, shown in rows.items() if shown is None]
    shown = {row for cell_rows in rows.values() if cell_rows for row in cell_rows}
    problems += [f"expected the check cells to show each public test as the .py files' grading does ({len(expected)} rows), "
                 f"got this row, which that grading has not: {row!r}" for row in sorted(shown - set(expected))]
    problems += [f"expected a check cell to show {row!r}, as the .py files' grading does; no check cell did" for row in expected if row not in shown]
    return problems


def outcome_differences(expected, got):
    """Each test whose outcome (status, score, grader error, why it could not run) in the results ``got`` is not the one it
    has in ``expected`` (two gradings of the same files), in words; a test only one of them ran is named too."""
    def outcomes(results):
        return {(test["number"], test["name"]): (test["status"], test["score"], test["extra_data"]["grader_error"], not_run_of(test))
                for test in results["tests"]}

    before, after = outcomes(expected), outcomes(got)
    differences = [f"{number} {name}: expected (status, score, grader error, not run) {before.get((number, name), 'no such test')}, "
                   f"got {after.get((number, name), 'no such test')}"
                   for number, name in dict.fromkeys([*before, *after]) if before.get((number, name)) != after.get((number, name))]
    return differences


def packed_problems(path, sources):
    """Why the zip at ``path`` (what the pack cell wrote) does not hold the Python files ``sources`` ({name: text}) as they are."""
    if not path.is_file():
        return [f"expected the pack cell to write {path.name}, it wrote nothing"]
    with zipfile.ZipFile(path) as archive:
        packed = {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name in sources}
    return [f"expected {path.name} to hold {name} as the notebook's cell has it, got "
            f"{'no such file' if name not in packed else 'another text'}" for name in sources if packed.get(name) != sources[name]]
