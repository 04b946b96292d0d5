"""The Gradescope autograder zip works the first time: unpacked into an /autograder-like folder, its
``run_autograder`` grades the reference and the untouched handout into valid results.json files.

The run uses the mlp_cifar10 assignment (its reference grades in seconds) with a stand-in CIFAR-10
test set in the data root's cache, labelled with what the reference network predicts, so that the
accuracy test runs, earns its top tier and posts its leaderboard entry.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.release import build_zips, write_reference_submission
from autograder.results import validation_problems

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "mlp_cifar10"
SHELLCHECK = shutil.which("shellcheck")


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    """The Gradescope zip of the assignment, built from the repository as it is."""
    return build_zips(ASSIGNMENT, REPO_ROOT, tmp_path_factory.mktemp("dist"))[1]


def stand_in_cifar10(data_root, reference_folder, count=50):
    """Write a CIFAR-10 test set of ``count`` random images labelled by the reference Net into ``data_root``'s cache."""
    sys.path.insert(0, str(reference_folder))
    try:
        import p2
    finally:
        sys.path.remove(str(reference_folder))
    net = p2.Net()
    net.load_state_dict(torch.load(reference_folder / "p2_model.pkl", weights_only=True))
    net.eval()
    del sys.modules["p2"]
    images = np.random.default_rng(1).integers(0, 256, size=(count, 32, 32, 3), dtype=np.uint8)
    with torch.no_grad():
        labels = net(torch.from_numpy(images.transpose(0, 3, 1, 2).astype(np.float32) / 255.0)).argmax(dim=1).numpy()
    (data_root / "cache").mkdir(parents=True)
    np.savez(data_root / "cache" / "cifar10_test.npz", images=images, labels=labels.astype(np.int64))


def run_autograder(root, submission, data_root):
    """Unpacked zip at ``root``/source: grade ``submission`` with its run_autograder; returns results.json as a dict."""
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.copytree(submission, root / "submission")
    (root / "results").mkdir(exist_ok=True)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_DATA": str(data_root)}
    completed = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, f"run_autograder exited with {completed.returncode}: {completed.stderr[-3000:]}"
    return json.loads((root / "results" / "results.json").read_text())


@pytest.fixture(scope="module")
def gradescope_root(autograder_zip, tmp_path_factory):
    """An /autograder-like folder: source/ (the zip, unpacked with its modes), venv (this environment), results/."""
    root = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    (root / "venv").symlink_to(Path(sys.prefix))
    return root


def test_run_autograder_grades_the_reference_with_full_marks_and_a_leaderboard_entry(gradescope_root, tmp_path):
    reference = write_reference_submission(ASSIGNMENT, REPO_ROOT, tmp_path / "reference")
    stand_in_cifar10(tmp_path / "data", reference)
    results = run_autograder(gradescope_root, reference, tmp_path / "data")
    assert validation_problems(results) == [], validation_problems(results)
    failed = [f"{test['number']} {test['name']}: {test['output'][:200]}" for test in results["tests"] if test["status"] != "passed"]
    assert not failed, f"expected every test to pass, got failures: {failed}"
    assert results["score"] == 90, f"expected 90 points (75 and the 15 of both top tiers' extra credit), got {results['score']}"
    assert results["leaderboard"] == [{"name": "CIFAR-10 test accuracy (%)", "value": 100.0, "order": "desc"}], results.get("leaderboard")
    assert {test["visibility"] for test in results["tests"]} == {"visible", "after_published"}, "expected public and hidden tests"


def test_run_autograder_gives_the_untouched_handout_zero_with_valid_results(gradescope_root, tmp_path):
    (tmp_path / "data").mkdir()
    results = run_autograder(gradescope_root, REPO_ROOT / "assignments" / ASSIGNMENT, tmp_path / "data")
    assert validation_problems(results) == [], validation_problems(results)
    assert results["score"] == 0 and results["tests"], f"expected 0 points over all tests, got {results['score']}"
    errors = [f"{test['name']}: {test['output'][-300:]}" for test in results["tests"] if test["extra_data"]["grader_error"]]
    assert not errors, f"expected no grader error on the handout, got {errors}"


@pytest.mark.skipif(SHELLCHECK is None, reason="skipped: shellcheck not found (Debian package shellcheck)")
def test_the_scripts_pass_shellcheck(gradescope_root):
    scripts = [str(gradescope_root / "source" / name) for name in ("setup.sh", "run_autograder")]
    completed = subprocess.run([SHELLCHECK, "--shell=bash", *scripts], capture_output=True, text=True)
    assert completed.returncode == 0, f"expected no shellcheck finding, got:\n{completed.stdout}"


def test_setup_installs_only_pinned_versions(gradescope_root):
    source = gradescope_root / "source"
    setup = (source / "setup.sh").read_text()
    installs = [line for line in setup.splitlines() if "pip install" in line]
    assert installs and all(line.rstrip().endswith("-r /autograder/source/requirements.txt") for line in installs), (
        f"expected pip to install only from requirements.txt, got {installs}"
    )
    requirements = [line for line in (source / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    unpinned = [line for line in requirements if "==" not in line]
    assert requirements and not unpinned, f"expected every requirement pinned with ==, got unpinned {unpinned}"
