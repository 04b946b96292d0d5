"""Release tooling: the student handout and the two zips, regenerated from the single source of truth.

The source of truth for an assignment ``<a>`` is the repository:

- ``solutions/<a>/``: the manifest, the reference files (their solution regions marked by lines holding
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``), ``reference_outputs.py`` and the student README;
- ``tests/<a>/``: the suites' support files (``conftest.py`` and the modules it imports), ``public/`` and ``hidden/``;
- ``utils/`` and ``autograder/``: the engine, which exists once, here.

``release`` writes:

- ``assignments/<a>/``: what is specific to the handout, committed so that a reviewer sees what a student
  gets: README.md, assignment.toml, each submitted file with its solution regions replaced by
  ``raise NotImplementedError`` (nbgrader's ClearSolutions), the suites' support files under tests/ and the
  public suite under tests/public/. Never a hidden test, never a solution, never a copy of the engine;
- ``dist/<a>-handout.zip``: what a student downloads, standing alone: that folder under a top folder ``<a>/``,
  plus the student-side runner bundled at build time (autograder/ less the staff tools, and utils/) and the
  pinned ``requirements.txt`` that the README's install line names;
- ``dist/<a>-autograder.zip``: Gradescope's autograder format. Gradescope extracts the zip into
  ``/autograder/source``, so its root holds ``setup.sh`` and ``run_autograder`` (mode 0755), the pinned
  ``requirements.txt``, a ``README.md`` for the staff who upload it (the grading's time budget and the
  autograder timeout to set on Gradescope) and the tree ``python -m autograder grade`` reads there: autograder/,
  utils/, ``assignments/<a>/assignment.toml`` and ``tests/<a>/`` with both suites and the reference's timing
  (``reference_timing.json``, from which the grading's budget follows). Never the solutions.

The course staff's tools (this module, batch grading, gradebook, feedback pages, similarity, the benchmark,
the numerical paths, the scaffold of ``new``) are left out of both zips: they are of no use to students or on Gradescope.
Files are gathered in sorted order and zipped with a fixed timestamp, so a rebuild gives identical bytes.
"""

import contextlib
import importlib.metadata
import importlib.util
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.preprocessors import ClearSolutions

from autograder.budget import REFERENCE_TIMING, GradingBudget, gradescope_timeout_minutes, read_reference_timing
from autograder.manifest import load_manifest
from autograder.notebook_edition import notebook_edition
from autograder.tolerance import CROSS_MACHINE_ULPS, largest_difference, scale_of, ulp_tolerance

BEGIN_MARKER = "BEGIN SOLUTION"
END_MARKER = "END SOLUTION"
CODE_STUB = "raise NotImplementedError"
SPLITS = ("public", "hidden")
REFERENCE_OUTPUTS = "reference_outputs.npz"
# Course-staff tools that neither students nor Gradescope need: left out of both zips and the handout.
STAFF_MODULES = tuple(f"autograder/{name}.py" for name in (
    "release", "notebook_edition", "notebook_validation", "bench", "batch", "gradebook", "feedback", "manual", "similarity", "numerical_paths", "scaffold"))
GRADING_PACKAGES = ("numpy", "scipy", "matplotlib", "pytest", "torch", "torchvision", "pyseccomp")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
EXECUTABLES = ("setup.sh", "run_autograder")

# What the Gradescope image installs for each data set of a manifest's [assignment].dataset: a Debian
# package with the data (or None) and a Python statement that loads it once (downloading it when no package
# has it), so a missing data set fails the build, not a grading.
DATASET_SETUP = {
    "fashion_mnist": ("dataset-fashion-mnist", "from utils.data import load_dataset; load_dataset('fashion_mnist', 'train'); load_dataset('fashion_mnist', 'test')"),
    "mnist": (None, "from utils.data import load_dataset; load_dataset('mnist', 'train'); load_dataset('mnist', 'test')"),
    "cifar10": (None, "from utils.data import load_dataset; load_dataset('cifar10', 'test')"),
}


class ReleaseError(Exception):
    """A release that cannot be built as asked; the message names the file or folder at fault."""


def clear_solutions(text, *, filename):
    """``text`` (a reference .py file) with each solution region replaced by ``raise NotImplementedError``.

    A region runs from a line holding ``BEGIN SOLUTION`` to the next line holding ``END SOLUTION``; the
    stub takes the indentation of the BEGIN line. Everything outside regions (docstrings, signatures,
    ``main``) is kept as it is. nbgrader's ClearSolutions does the work on the text wrapped as the one
    code cell of a notebook. Raises ReleaseError naming ``filename`` and the line of the unmatched marker
    (``marker_problem``) when the markers are unbalanced or nested.
    """
    problem = marker_problem(text)
    if problem:
        raise ReleaseError(f"{filename}:{problem}")
    if BEGIN_MARKER not in text:
        return text
    metadata = {"nbgrader": {"solution": True, "grade": False, "locked": False, "grade_id": Path(filename).stem, "schema_version": 3}}
    notebook = new_notebook(
        cells=[new_code_cell(text, metadata=metadata)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    notebook, _ = ClearSolutions(code_stub={"python": CODE_STUB}).preprocess(notebook, {})
    cleared = notebook.cells[0].source
    if BEGIN_MARKER in cleared or END_MARKER in cleared:
        raise ReleaseError(f"{filename}: solution markers left after clearing")
    return cleared


def marker_problem(text):
    """"<line>: <what is wrong>" for the first unmatched solution marker of ``text`` (lines counted from 1), else None.

    A BEGIN inside an open region, an END with no region open, and a BEGIN never closed are unmatched.
    """
    opened = None
    for number, line in enumerate(text.split("\n"), start=1):
        if BEGIN_MARKER in line:
            if opened:
                return f"{number}: {BEGIN_MARKER} inside the region opened at line {opened} (regions do not nest)"
            opened = number
        elif END_MARKER in line:
            if not opened:
                return f"{number}: {END_MARKER} with no {BEGIN_MARKER} open above it"
            opened = None
    return f"{opened}: {BEGIN_MARKER} never closed by an {END_MARKER}" if opened else None


@contextlib.contextmanager
def reference_script(assignment, repo_root):
    """``solutions/<a>/reference_outputs.py`` imported for the block (None when the assignment has none).

    The script is trusted code, imported by path with ``solutions/<a>`` (then the repository root) first on
    sys.path so that it can import the reference files; sys.path and sys.modules are restored afterwards.
    """
    folder = Path(repo_root) / "solutions" / assignment
    script = folder / "reference_outputs.py"
    if not script.is_file():
        yield None
        return
    with importable_from(folder, Path(repo_root)):
        spec = importlib.util.spec_from_file_location("reference_outputs", script)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        yield module


def reference_outputs(assignment, repo_root):
    """{split: {name: array}} from the reference script's ``build(split)``, for each split ({} without a script)."""
    with reference_script(assignment, repo_root) as module:
        if module is None:
            return {}
        return {split: {name: np.asarray(value) for name, value in sorted(module.build(split).items())} for split in SPLITS}


def write_reference_submission(assignment, repo_root, folder):
    """Write the reference submission of ``assignment`` into ``folder`` and return it.

    It holds the reference's Python files and the data files (trained weights) that the reference
    script's ``write_artifacts(folder)`` produces by running the reference, when it has that function.
    """
    repo_root, folder = Path(repo_root), Path(folder)
    manifest = load_manifest(repo_root / "solutions" / assignment / "assignment.toml")
    folder.mkdir(parents=True, exist_ok=True)
    for filename in manifest.source_files:
        shutil.copyfile(repo_root / "solutions" / assignment / filename, folder / filename)
    with reference_script(assignment, repo_root) as module:
        if module is not None and hasattr(module, "write_artifacts"):
            module.write_artifacts(folder)
    return folder


@contextlib.contextmanager
def importable_from(first, then):
    """Within the block, imports look in folder ``first``, then in folder ``then``, before anywhere else.

    Loaded modules named like a file or package of ``first`` are set aside during the block so that they do
    not shadow those files. Afterwards sys.path is as it was, the modules the block imported from either
    folder are forgotten and the ones set aside are back; modules from elsewhere (numpy, torch) stay loaded.
    """
    roots = [Path(first).resolve(), Path(then).resolve()]
    names = {path.stem for path in roots[0].iterdir() if path.suffix == ".py" or (path / "__init__.py").is_file()}
    set_aside = {name: module for name, module in sys.modules.items() if name.partition(".")[0] in names}
    for name in set_aside:
        del sys.modules[name]
    loaded_before = set(sys.modules)
    saved_path = list(sys.path)
    sys.path[:0] = [str(root) for root in roots]
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path[:] = saved_path
        for name in set(sys.modules) - loaded_before:
            if imported_from(name, sys.modules[name], roots):
                del sys.modules[name]
        sys.modules.update(set_aside)


def imported_from(name, module, roots):
    """Whether module ``name`` was loaded from a top-level file or package of one of ``roots``."""
    file = getattr(module, "__file__", None)
    if file is None:
        return False
    top = name.partition(".")[0]
    path = Path(file).resolve()
    return any(path.is_relative_to(root) and path.relative_to(root).parts[0] in (top, f"{top}.py") for root in roots)


def reference_outputs_path(assignment, repo_root, split):
    """Where the arrays of ``split`` live: ``tests/<a>/<split>/reference_outputs.npz``."""
    return Path(repo_root) / "tests" / assignment / split / REFERENCE_OUTPUTS


def array_difference(name, stored, fresh):
    """Why the committed array ``stored`` is not ``fresh`` (what the reference computes now), or None when it is.

    Names, dtypes and shapes must match and integer, boolean and string values must be equal. Floating-point
    values may differ by up to ``CROSS_MACHINE_ULPS`` ulps of the stored array's dtype at its scale
    (``autograder.tolerance``): what another CPU, kernel or thread count rounds differently, and no more.
    """
    if stored.dtype != fresh.dtype or stored.shape != fresh.shape:
        return f"{name}: stored {stored.dtype} {stored.shape}, computed {fresh.dtype} {fresh.shape}"
    if fresh.dtype.kind not in "fc":
        return None if np.array_equal(stored, fresh) else f"{name}: values differ ({fresh.dtype}, compared exactly)"
    difference, index = largest_difference(fresh, stored)
    tolerance = ulp_tolerance(stored)
    if difference <= tolerance:
        return None
    return (f"{name}: largest difference {difference:.3g} at index {index} (stored {stored[index]:.9g}, computed {fresh[index]:.9g}), "
            f"tolerance {tolerance:.3g} ({CROSS_MACHINE_ULPS} ulps of {stored.dtype} at the array's scale {scale_of(stored):.3g})")


def stored_differences(path, arrays):
    """Why the .npz at ``path`` does not hold ``arrays`` ({name: array}), one line per array; [] when it does."""
    if not path.is_file():
        return ["the file is missing"]
    with np.load(path, allow_pickle=False) as stored:
        names = set(stored.files)
        problems = [f"{name}: no longer computed" for name in sorted(names - set(arrays))]
        problems += [f"{name}: not stored" for name in sorted(set(arrays) - names)]
        problems += [problem for name in sorted(names & set(arrays)) if (problem := array_difference(name, stored[name], arrays[name]))]
    return problems


def stale_reference_outputs(assignment, repo_root, outputs):
    """{split: [why]} for each split whose reference_outputs.npz under tests/<a>/ does not hold ``outputs[split]``."""
    stale = {}
    for split, arrays in outputs.items():
        problems = stored_differences(reference_outputs_path(assignment, repo_root, split), arrays)
        if problems:
            stale[split] = problems
    return stale


def write_reference_outputs(assignment, repo_root):
    """Regenerate ``tests/<a>/<split>/reference_outputs.npz``, rewriting only the files whose arrays changed."""
    outputs = reference_outputs(assignment, repo_root)
    for split in stale_reference_outputs(assignment, repo_root, outputs):
        path = reference_outputs_path(assignment, repo_root, split)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **outputs[split])


def files_under(folder, *, python_only=False):
    """Files below ``folder`` in sorted order, without caches and hidden entries; only .py files if ``python_only``."""
    folder = Path(folder)
    found = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if not path.is_file() or any(part == "__pycache__" or part.startswith(".") for part in parts) or path.suffix == ".pyc":
            continue
        if python_only and path.suffix != ".py":
            continue
        found.append(path)
    return found


def tree(folder, prefix, *, python_only=False):
    """{``prefix``/relative path: bytes} for the files below ``folder`` (see ``files_under``)."""
    return {f"{prefix}/{path.relative_to(folder).as_posix()}": path.read_bytes() for path in files_under(folder, python_only=python_only)}


def engine_files(repo_root):
    """{path: bytes} of the shipped packages autograder/ (less the staff tools, STAFF_MODULES) and utils/."""
    files = tree(Path(repo_root) / "autograder", "autograder", python_only=True)
    for module in STAFF_MODULES:
        files.pop(module, None)
    files.update(tree(Path(repo_root) / "utils", "utils", python_only=True))
    return files


def suite_support_files(assignment, repo_root, prefix):
    """{``prefix``/name: bytes} of the files directly in tests/<a>/ (conftest.py and the modules it imports)."""
    folder = Path(repo_root) / "tests" / assignment
    if not (folder / "conftest.py").is_file():
        raise ReleaseError(f"{folder}: no conftest.py")
    return {f"{prefix}/{path.name}": path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file() and path.suffix == ".py"}


def handout_files(assignment, repo_root):
    """{path relative to the handout folder: bytes} of what is specific to the handout (``assignments/<a>/``), sorted."""
    repo_root = Path(repo_root)
    solutions = repo_root / "solutions" / assignment
    manifest = load_manifest(solutions / "assignment.toml")
    files = {
        "README.md": (solutions / "README.md").read_bytes(),
        "assignment.toml": manifest.path.read_bytes(),
    }
    sources = {filename: clear_solutions((solutions / filename).read_text(encoding="utf-8"), filename=f"solutions/{assignment}/{filename}")
               for filename in manifest.source_files}
    files.update((filename, text.encode("utf-8")) for filename, text in sources.items())
    files[f"{assignment}.ipynb"] = notebook_edition(assignment, files["README.md"].decode("utf-8"), sources)
    files.update(suite_support_files(assignment, repo_root, "tests"))
    files.update(tree(repo_root / "tests" / assignment / "public", "tests/public"))
    return dict(sorted(files.items()))


def handout_zip_files(assignment, repo_root):
    """{path relative to the unzipped handout folder: bytes}: ``handout_files`` plus what makes it stand alone,
    the student-side runner (``engine_files``) and the pinned ``requirements.txt`` the README's install line names."""
    files = {**handout_files(assignment, repo_root), **engine_files(repo_root), "requirements.txt": pinned_requirements().encode("utf-8")}
    return dict(sorted(files.items()))


def build_handout(assignment: str, repo_root: Path, out_dir: Path, *, regenerate_references: bool = True) -> None:
    """Write the handout of ``assignment`` into ``out_dir`` (deleted and rewritten).

    With ``regenerate_references``, the reference outputs under tests/<a>/ are regenerated first
    (``write_reference_outputs``), so the handout ships the current public arrays.
    """
    repo_root, out_dir = Path(repo_root), Path(out_dir)
    if (repo_root / "solutions").resolve().is_relative_to(out_dir.resolve()):
        raise ReleaseError(f"{out_dir}: refusing to delete a folder that holds the solutions")
    if regenerate_references:
        write_reference_outputs(assignment, repo_root)
    files = handout_files(assignment, repo_root)
    shutil.rmtree(out_dir, ignore_errors=True)
    write_tree(files, out_dir)


def write_tree(files, folder):
    """Write {path relative to ``folder``: bytes} below ``folder``, creating the folders on the way."""
    for name, content in files.items():
        path = Path(folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def pinned_requirements():
    """requirements.txt of both zips: each of GRADING_PACKAGES pinned to the version installed here."""
    pins = [f"{package}=={importlib.metadata.version(package).partition('+')[0]}" for package in GRADING_PACKAGES]
    return "# What grading needs, pinned to the versions the release was built and validated with.\n" + "\n".join(pins) + "\n"


def setup_script(manifest):
    """setup.sh: builds the Gradescope image (Python 3.11+ in a venv, the data set, the pinned requirements)."""
    lines = [
        "#!/usr/bin/env bash",
        f"# Gradescope runs this once, as root, to build the image that grades {manifest.name}.",
        "# Set the assignment's autograder timeout as README.md says (the grading stops itself before it).",
        "set -euo pipefail",
        "apt-get update",
        "apt-get install -y python3 python3-pip python3-venv",
        "PYTHON=python3",
        "if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then",
        "  apt-get install -y python3.11 python3.11-venv",
        "  PYTHON=python3.11",
        "fi",
        '"$PYTHON" -m venv /autograder/venv',
        "/autograder/venv/bin/pip install --no-cache-dir -r /autograder/source/requirements.txt",
        "# The data sets and their parsed caches live here (run_autograder reads them from the same folder).",
        "export AUTOGRADER_DATA=/autograder/source/data",
    ]
    for dataset in manifest.datasets:
        package, load = DATASET_SETUP[dataset]
        if package:
            lines.append(f'apt-get install -y {package} || echo "{package} is not packaged here: the data set will be downloaded"')
        lines.append(f'cd /autograder/source && /autograder/venv/bin/python -c "{load}"')
    lines += [
        "# Student code runs in bubblewrap sandboxes where the container allows them (user namespaces); elsewhere",
        "# it runs as other users, and where the container allows no mount namespaces either, file modes alone keep",
        "# the suites and the data sets from it.",
        "apt-get install -y bubblewrap || echo \"bubblewrap is not packaged here: workers use the fallback isolation\"",
        "chmod -R o-rwx /autograder/source/tests",
        "if [ -d /autograder/source/data ]; then chmod -R o-rwx /autograder/source/data; fi",
        "if [ -d /usr/share/datasets ]; then chmod o-rwx /usr/share/datasets; fi",
    ]
    return "\n".join(lines) + "\n"


def run_script(manifest):
    """run_autograder: grades <root>/submission into <root>/results/results.json, <root> being /autograder.

    ``AUTOGRADER_ROOT`` names another root (the engine's tests run the script in a temporary one). The data
    sets are read from ``<root>/source/data``, where setup.sh put them, unless ``AUTOGRADER_DATA`` names another folder.
    """
    return "\n".join([
        "#!/usr/bin/env bash",
        f"# Gradescope runs this for every submission of {manifest.name}.",
        "set -euo pipefail",
        'root="${AUTOGRADER_ROOT:-/autograder}"',
        'export PATH="$root/venv/bin:$PATH"',
        'export AUTOGRADER_DATA="${AUTOGRADER_DATA:-$root/source/data}"',
        'cd "$root/source"',
        f'python3 -m autograder grade {manifest.name} "$root/submission" --out "$root/results/results.json"',
    ]) + "\n"


def autograder_readme(manifest, timing):
    """README.md of the autograder zip: what it is, the grading's time budget and the Gradescope settings it needs."""
    budget = GradingBudget.for_grading(manifest.limits, timing)
    limits = manifest.limits
    measured = (f"The reference solution's grading used {timing['worker_cpu_seconds']:g} s of CPU time in its workers and took "
                f"{timing['wall_seconds']:g} s on a {timing['cpus']}-CPU machine." if timing else
                "No reference timing was recorded (run `python -m autograder validate` on the repository).")
    return "\n".join([
        f"# Gradescope autograder: {manifest.title}",
        "",
        "Upload this zip as the assignment's autograder. Gradescope runs `setup.sh` once to build the image and",
        "`run_autograder` for each submission, which writes `/autograder/results/results.json`.",
        "",
        "## Time",
        "",
        measured,
        f"Student code may use {limits.call_seconds:g} s of CPU time per call ({limits.training_seconds:g} s per training run) and",
        f"{budget.cpu_seconds:g} s of CPU time in all; a grading stops itself after {budget.wall_seconds:g} s of wall-clock time at the",
        "latest, and results.json is written before any test runs and after each, so a stopped grading keeps its scores.",
        "",
        f"- Autograder timeout (Settings): at least **{gradescope_timeout_minutes(budget.wall_seconds)} minutes** (Gradescope's default is 10).",
        "- CPU (Settings): limits count CPU time, so a small share of a CPU slows a grading down without failing it (on",
        "  Gradescope's default half CPU a grading takes about twice its CPU time); each worker computes with",
        f"  {limits.threads} thread(s), so more than {limits.threads + 1} CPU(s) does not make it faster.",
        "",
    ])


def autograder_files(assignment, repo_root):
    """{path relative to /autograder/source: bytes} of the Gradescope autograder, in sorted order."""
    repo_root = Path(repo_root)
    manifest = load_manifest(repo_root / "solutions" / assignment / "assignment.toml")
    tests = repo_root / "tests" / assignment
    timing = read_reference_timing(tests)
    files = {
        "setup.sh": setup_script(manifest).encode("utf-8"),
        "run_autograder": run_script(manifest).encode("utf-8"),
        "requirements.txt": pinned_requirements().encode("utf-8"),
        "README.md": autograder_readme(manifest, timing).encode("utf-8"),
        f"assignments/{assignment}/assignment.toml": manifest.path.read_bytes(),
    }
    if timing is not None:
        files[f"tests/{assignment}/{REFERENCE_TIMING}"] = (tests / REFERENCE_TIMING).read_bytes()
    files.update(engine_files(repo_root))
    files.update(suite_support_files(assignment, repo_root, f"tests/{assignment}"))
    for split in SPLITS:
        files.update(tree(tests / split, f"tests/{assignment}/{split}"))
    return dict(sorted(files.items()))


def write_zip(path, files, *, executables=()):
    """Write {entry name: bytes} to the zip at ``path``: sorted entries, fixed timestamps, mode 0755 for ``executables``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (0o100755 if name in executables else 0o100644) << 16
            archive.writestr(info, files[name])


def build_zips(assignment: str, repo_root: Path, dist_dir: Path) -> tuple[Path, Path]:
    """Write ``dist_dir/<a>-handout.zip`` and ``dist_dir/<a>-autograder.zip``; returns their paths.

    Both are built from the repository as it is (call ``build_handout`` first to regenerate the reference outputs).
    """
    dist_dir = Path(dist_dir)
    handout_zip = dist_dir / f"{assignment}-handout.zip"
    autograder_zip = dist_dir / f"{assignment}-autograder.zip"
    write_zip(handout_zip, {f"{assignment}/{name}": content for name, content in handout_zip_files(assignment, repo_root).items()})
    write_zip(autograder_zip, autograder_files(assignment, repo_root), executables=EXECUTABLES)
    return handout_zip, autograder_zip


def release(assignment: str, repo_root: Path) -> None:
    """Regenerate ``assignments/<a>/`` and build ``dist/<a>-handout.zip`` and ``dist/<a>-autograder.zip``."""
    repo_root = Path(repo_root)
    build_handout(assignment, repo_root, repo_root / "assignments" / assignment)
    build_zips(assignment, repo_root, repo_root / "dist")


def handout_differences(assignment: str, repo_root: Path) -> list[str]:
    """What a release would change, one line per file; [] when everything is fresh.

    First the reference-output files under tests/<a>/ whose arrays are not what ``reference_outputs.py``
    computes now (each line names the file, then every differing array with its largest difference and
    the tolerance, see ``array_difference``), then the files of the committed ``assignments/<a>/`` that
    differ from a handout built in a temporary folder, are missing from it or should not be there.
    Nothing in the repository is written.
    """
    repo_root = Path(repo_root)
    stale = [f"{reference_outputs_path(assignment, repo_root, split).relative_to(repo_root).as_posix()} ({'; '.join(problems)})"
             for split, problems in stale_reference_outputs(assignment, repo_root, reference_outputs(assignment, repo_root)).items()]
    committed = repo_root / "assignments" / assignment
    with tempfile.TemporaryDirectory(prefix="handout-") as scratch:
        fresh = Path(scratch) / assignment
        build_handout(assignment, repo_root, fresh, regenerate_references=False)
        fresh_files = {path.relative_to(fresh).as_posix(): path for path in files_under(fresh)}
        committed_files = {path.relative_to(committed).as_posix(): path for path in files_under(committed)} if committed.is_dir() else {}
        differing = sorted(
            name for name in fresh_files.keys() | committed_files.keys()
            if name not in fresh_files or name not in committed_files
            or fresh_files[name].read_bytes() != committed_files[name].read_bytes()
        )
    return stale + [f"assignments/{assignment}/{name}" for name in differing]
