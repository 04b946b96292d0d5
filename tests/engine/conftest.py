"""Fixtures for the engine's own tests: a small assignment laid out like a real one."""

import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.manifest import load_manifest
from autograder.results import build_results, write_results
from autograder.sandbox import Submission, make_runtime_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

TOY_MANIFEST = """
[assignment]
name = "toy"
title = "Toy assignment"

[limits]
call_seconds = 5
memory_mb = 6144
output_kb = 4

[files."calc.py"]
allowed_imports = ["ctypes", "numpy", "os", "signal", "sys", "subprocess", "threading", "time"]

[files."other.py"]
allowed_imports = ["calc", "numpy", "torch"]

[artifacts]
optional = ["plot.png"]

[parts."1"]
name = "double"
file = "calc.py"
points = 2

[parts."2"]
name = "triple"
file = "other.py"
points = 1
"""

PUBLIC_TEST = '''
import numpy as np
import pytest


@pytest.mark.graded(part="1", points=1)
def test_double_doubles_an_array(submission):
    """double() doubles every entry."""
    out = submission.module("calc").double(np.arange(3.0))
    assert np.array_equal(out, [0, 2, 4]), f"expected [0, 2, 4], got {out}"


@pytest.mark.graded(part="2", points=1)
def test_triple_triples_a_number(submission):
    """triple() triples a number."""
    out = submission.module("other").triple(2)
    assert out == 6, f"expected 6, got {out}"
'''

HIDDEN_TEST = '''
import numpy as np
import pytest


@pytest.mark.graded(part="1", points=1)
def test_double_keeps_the_shape(submission):
    """double() keeps the shape of a 2-D array."""
    out = submission.module("calc").double(np.ones((2, 3)))
    assert out.shape == (2, 3), f"expected shape (2, 3), got {out.shape}"
'''

CORRECT_CALC = "import numpy as np\n\ndef double(x):\n    return x * 2\n"
CORRECT_OTHER = "from calc import double\n\ndef triple(x):\n    return double(x) + x\n"


def write(path, text):
    """Write ``text`` (dedented) to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def write_batch_run(out_dir, student, records, *, assignment, graded_at, output="Graded.", error=None, name=None, sid=None,
                    email=None, content="v1"):
    """Write OUTDIR/submissions/<student>/{results.json, metadata.json} as the batch grader does (``records``: GradedTests)."""
    folder = out_dir / "submissions" / student
    write_results(build_results(records, output=output, execution_time=1.0), folder / "results.json")
    metadata = {"student": student, "name": name, "sid": sid, "email": email, "source": f"in/{student}.zip",
                "fingerprint": hashlib.sha256(f"{student}:{content}".encode()).hexdigest(), "graded_at": graded_at,
                "seconds": 1.0, "assignment": assignment, "error": error}
    (folder / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")


@pytest.fixture
def toy_root(tmp_path):
    """A repository-like root with the toy assignment's manifest and public and hidden suites."""
    root = tmp_path / "repo"
    write(root / "assignments" / "toy" / "assignment.toml", TOY_MANIFEST)
    write(root / "tests" / "toy" / "public" / "test_public.py", PUBLIC_TEST)
    write(root / "tests" / "toy" / "hidden" / "test_hidden.py", HIDDEN_TEST)
    return root


@pytest.fixture
def make_submission(tmp_path):
    """Writes a submission folder from {filename: text}."""
    def make(files, name="submission"):
        folder = tmp_path / name
        for filename, text in files.items():
            write(folder / filename, text)
        return folder
    return make


@pytest.fixture
def toy_manifest(toy_root):
    """The toy assignment's Manifest."""
    return load_manifest(toy_root / "assignments" / "toy" / "assignment.toml")


@pytest.fixture
def sandboxed(toy_manifest, make_submission):
    """Opens a sandboxed Submission of the toy assignment from {filename: text}; closed afterwards."""
    opened = []
    runtime = make_runtime_dir()

    def open_submission(files):
        opened.append(Submission(make_submission(files, name=f"sandboxed{len(opened)}"), toy_manifest, runtime))
        return opened[-1]

    yield open_submission
    for submission in opened:
        submission.close()
    shutil.rmtree(runtime, ignore_errors=True)


def run_cli(*args, cwd=None):
    """Run ``python -m autograder`` in a subprocess; returns the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd or REPO_ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright; skipped only when the executable is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"skipped: Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, path):
    """Open a written page from its file:// URL; returns the page, the URLs it requested and its console errors."""
    page = browser.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(path.as_uri())
    return page, requests, errors


@pytest.fixture(scope="module")
def cluster():
    """A local Dask cluster of 2 workers shared by a module's tests that pass its scheduler's address."""
    from autograder.batch import local_cluster

    with local_cluster(2) as shared:
        yield shared
