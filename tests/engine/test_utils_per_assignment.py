"""The helpers every handout ships (``utils``) work for each of the five assignments, as their handout zips hold them."""

import re
import zipfile
from pathlib import Path

import pytest

from autograder.manifest import load_manifest
from autograder.release import build_zips, handout_zip_files
from utils import data
from utils.local_tests import ScheduleNotFound, run_public_tests, training_schedule

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(path.parent.name for path in (REPO_ROOT / "solutions").glob("*/assignment.toml"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_training_schedule_gives_each_table_and_names_them_when_a_file_has_none(assignment, tmp_path):
    (tmp_path / "assignment.toml").write_bytes(handout_zip_files(assignment, REPO_ROOT)["assignment.toml"])
    manifest = load_manifest(tmp_path / "assignment.toml")
    for filename in manifest.source_files:
        module = Path(filename).stem
        if module in manifest.training:
            assert training_schedule(tmp_path / filename) == manifest.training[module], f"{assignment}: {filename}"
            continue
        with pytest.raises(ScheduleNotFound) as raised:
            training_schedule(tmp_path / filename)
        message = str(raised.value)
        expected = [f"[training.{name}]" for name in manifest.training] or ["no grading schedule"]
        missing = [words for words in expected if words not in message]
        assert not missing, f"{assignment}: {filename}: expected the message to name {missing}, got {message!r}"
        for name, table in manifest.training.items():
            assert training_schedule(tmp_path / filename, name) == table, f"{assignment}: training_schedule({filename}, {name!r})"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_shipped_utils_docstring_names_every_helper_module_and_the_assignments_data_sets(assignment, tmp_path):
    files = handout_zip_files(assignment, REPO_ROOT)
    (tmp_path / "assignment.toml").write_bytes(files["assignment.toml"])
    docstring = files["utils/__init__.py"].decode("utf-8")
    modules = sorted(Path(name).stem for name in files if name.startswith("utils/") and name.endswith(".py") and name != "utils/__init__.py")
    missing = [f"utils.{module}" for module in modules if f"``utils.{module}``" not in docstring]
    missing += [data.DATASETS[name].title for name in load_manifest(tmp_path / "assignment.toml").datasets
                if not re.search(rf"(?<![\w-]){re.escape(data.DATASETS[name].title)}", docstring)]
    assert not missing, f"expected utils/__init__.py's docstring to name {missing}, got:\n{docstring}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_run_public_tests_runs_a_files_public_tests_in_its_unzipped_handout(assignment, tmp_path, capfd):
    handout_zip, _ = build_zips(assignment, REPO_ROOT, tmp_path / "dist")
    with zipfile.ZipFile(handout_zip) as archive:
        archive.extractall(tmp_path / "student")
    status = run_public_tests(tmp_path / "student" / assignment / "answers.py")
    printed = capfd.readouterr().out
    assert status == 0 and "TOTAL" in printed, f"expected answers.py's public test (the functions are defined) to run and pass, got status {status}:\n{printed}"
    assert "answers.py" in printed and "Grading could not run" not in printed, printed
