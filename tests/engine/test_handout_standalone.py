"""One copy of every line: the repository holds the engine once, and the handout zip a student downloads still
stands alone (the student-side runner and the pinned requirements are bundled into it at build time)."""

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.release import STAFF_MODULES, build_zips, handout_zip_files

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(path.parent.name for path in (REPO_ROOT / "solutions").glob("*/assignment.toml"))
ENGINE_FOLDERS = ("autograder", "utils")
# Import names of the packages that requirements.txt names, where they differ from the package's name.
IMPORT_NAMES = {"pytest": ("pytest", "_pytest")}


def engine_sources():
    """{bytes: repository path} of the engine's and utils' Python files."""
    return {path.read_bytes(): path.relative_to(REPO_ROOT).as_posix()
            for folder in ENGINE_FOLDERS for path in (REPO_ROOT / folder).rglob("*.py") if "__pycache__" not in path.parts}


def test_the_repository_holds_the_engine_and_utils_once():
    """No folder under assignments/ is a copy of autograder/ or utils/, and no file there repeats one of their files."""
    sources = engine_sources()
    copies = []
    for path in sorted((REPO_ROOT / "assignments").rglob("*")):
        relative = path.relative_to(REPO_ROOT).as_posix()
        if path.is_dir() and path.name in ENGINE_FOLDERS:
            copies.append(f"{relative}/ (a copy of {path.name}/)")
        elif path.is_file() and path.suffix == ".py" and path.read_bytes() in sources:
            copies.append(f"{relative} (a copy of {sources[path.read_bytes()]})")
    assert not copies, "expected no generated copy of engine or utils code in the repository, got:\n" + "\n".join(copies)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_handout_zip_bundles_the_student_side_runner_and_nothing_of_the_staff(assignment):
    """The zip holds autograder/ (less the staff tools), utils/ and requirements.txt; no staff tool, hidden test or solution."""
    files = handout_zip_files(assignment, REPO_ROOT)
    for needed in ("autograder/__main__.py", "autograder/cli.py", "autograder/sandbox.py", "utils/__init__.py", "requirements.txt"):
        assert needed in files, f"{assignment}: expected {needed} in the handout zip, got {sorted(files)}"
    leaked = sorted(name for name in files if name in STAFF_MODULES or name.startswith(("solutions/", "tests/hidden/")))
    leaked += sorted(name for name, content in files.items() if b"BEGIN SOLUTION" in content or b"END SOLUTION" in content)
    assert not leaked, f"{assignment}: expected no staff tool, hidden test, solution or solution marker in the handout zip, got {leaked}"


def imported_names(nodes):
    """Top-level package names that the import statements among ``nodes`` import absolutely ("a" of ``import a.b``)."""
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def required_imports(source):
    """Top-level packages a Python source imports, less those imported where an ImportError is caught (optional ones)."""
    tree = ast.parse(source)
    optional = set()
    for node in ast.walk(tree):
        caught = {getattr(handler.type, "id", None) for handler in getattr(node, "handlers", [])}
        if isinstance(node, ast.Try) and caught & {"ImportError", "ModuleNotFoundError"}:
            optional |= imported_names(inner for statement in node.body for inner in ast.walk(statement))
    return imported_names(ast.walk(tree)) - optional


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_import_of_the_handout_zip_is_installed_by_its_requirements(assignment):
    """What the zip's Python files need is the standard library, a file of the zip, or a package its requirements.txt installs
    (an import whose ImportError is caught is optional)."""
    files = handout_zip_files(assignment, REPO_ROOT)
    required = {line.partition("==")[0] for line in files["requirements.txt"].decode().splitlines() if line and not line.startswith("#")}
    installed = {name for package in required for name in IMPORT_NAMES.get(package, (package,))}
    shipped = {Path(name).parts[0] if "/" in name else Path(name).stem for name in files}
    shipped |= {Path(name).stem for name in files if name.startswith("tests/") and name.count("/") == 1}
    missing = {}
    for name, content in files.items():
        if name.endswith(".py"):
            for module in required_imports(content.decode("utf-8")) - set(sys.stdlib_module_names) - installed - shipped:
                missing.setdefault(module, []).append(name)
    assert not missing, (f"{assignment}: expected every import covered by requirements.txt {sorted(required)}, the standard library "
                         f"or the zip's own files, got these missing: {missing}")


def unzipped_handout(assignment, tmp_path):
    """The handout zip of ``assignment`` built from the repository and extracted into ``tmp_path``; returns its folder."""
    handout_zip, _ = build_zips(assignment, REPO_ROOT, tmp_path / "dist")
    with zipfile.ZipFile(handout_zip) as archive:
        archive.extractall(tmp_path / "student")
    return tmp_path / "student" / assignment


def run_in(folder, *args):
    """``python *args`` run in ``folder`` as a student would, with nothing of the repository on the path."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=600)


def test_the_unzipped_handout_runs_check_with_its_own_runner(tmp_path):
    """Unzipped anywhere, the handout's `python -m autograder check` runs its own bundled engine and public tests."""
    folder = unzipped_handout("fashion_mnist", tmp_path)
    found = run_in(folder, "-c", "import autograder, utils; print(autograder.__file__); print(utils.__file__)")
    assert found.stdout.split() == [str(folder / "autograder" / "__init__.py"), str(folder / "utils" / "__init__.py")], (
        f"expected the handout's own autograder and utils, got {found.stdout!r} {found.stderr[-500:]!r}"
    )
    untouched = run_in(folder, "-m", "autograder", "check", "--file", "answers.py")
    assert untouched.returncode == 0 and "answers.py imports and defines a function for every question" in untouched.stdout, (
        f"expected the untouched answers.py template to pass its public format test, got status {untouched.returncode}:\n"
        f"{untouched.stdout[-2000:]}\n{untouched.stderr[-2000:]}"
    )
    (folder / "answers.py").write_text('"""Nothing answered."""\n', encoding="utf-8")
    emptied = run_in(folder, "-m", "autograder", "check", "--file", "answers.py")
    assert emptied.returncode == 1 and "got these missing" in emptied.stdout, (
        f"expected an emptied answers.py to fail its public test with the missing functions named, got status {emptied.returncode}:\n"
        f"{emptied.stdout[-2000:]}\n{emptied.stderr[-2000:]}"
    )


def test_an_instructor_runs_check_on_the_committed_handout_from_the_repository():
    """From the repository root, `python -m autograder check --folder assignments/<a>` runs that handout's public tests."""
    result = run_in(REPO_ROOT, "-m", "autograder", "check", "--folder", "assignments/fashion_mnist", "--file", "answers.py")
    assert result.returncode == 0 and "answers.py imports and defines a function for every question" in result.stdout, (
        f"expected the committed handout's public format test to run and pass, got status {result.returncode}:\n"
        f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_handout_readme_gives_the_one_install_line_and_the_check_command(assignment):
    """A student needs only the README: its install line names the zip's requirements.txt, and it shows `check`."""
    readme = handout_zip_files(assignment, REPO_ROOT)["README.md"].decode("utf-8")
    for line in ("pip install -r requirements.txt", "python -m autograder check"):
        assert line in readme, f"{assignment}: expected the handout README to show `{line}`, got:\n{readme[:3000]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_handout_zip_has_the_notebook_edition_and_its_readme_says_how_to_use_it(assignment):
    """<a>.ipynb is in the zip, and the README states the notebook route: the set-up cell, Colab, %%writefile, submitting."""
    files = handout_zip_files(assignment, REPO_ROOT)
    assert f"{assignment}.ipynb" in files, f"{assignment}: expected {assignment}.ipynb in the handout zip, got {sorted(files)}"
    readme = files["README.md"].decode("utf-8")
    for needed in (f"`{assignment}.ipynb`", "Colab", f"`{assignment}-handout.zip`", "`%%writefile <file>`", f"pack --notebook {assignment}.ipynb"):
        assert needed in readme, f"{assignment}: expected the README to state {needed!r} of the notebook route, got:\n{readme[:4000]}"
