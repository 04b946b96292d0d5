"""``python -m autograder.bench ASSIGNMENT``: what the engine costs on top of the work it grades.

Prints two figures from one run:

1. The time to grade the reference submission through the engine (sandboxed workers, all
   suites) divided by the time of the bare reference work: the same training runs and test-set
   predictions, called directly in this process. Goal: at most 1.15.
2. The engine's fixed cost on a tiny one-test suite against plain in-process pytest on it.
3. Batch grading throughput: 20 CPU-bound toy submissions with 2 Dask workers against 1 (goal: at
   least 1.8 times faster on 2 cores).
"""

import argparse
import contextlib
import importlib
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from autograder.batch import grade_batch, local_cluster
from autograder.grading import AssignmentLayout, grade_submission
from autograder.manifest import load_manifest

REPO_ROOT = Path(__file__).resolve().parent.parent
NUM_CLASSES = 10

TINY_MANIFEST = """
[assignment]
name = "tiny"
[files."tiny.py"]
allowed_imports = []
[parts."1"]
name = "answer"
file = "tiny.py"
points = 1
"""

TINY_TEST = '''
import pytest


@pytest.mark.graded(part="1", points=1)
def test_answer(submission):
    """answer() is 42."""
    assert submission.module("tiny").answer() == 42
'''

TINY_PLAIN_CONFTEST = '''
import importlib

import pytest


class LocalSubmission:
    def module(self, name):
        return importlib.import_module(name)


@pytest.fixture
def submission():
    return LocalSubmission()


def pytest_configure(config):
    config.addinivalue_line("markers", "graded(part, points): test weight")
'''


@contextlib.contextmanager
def on_path(folder):
    """``folder`` first on sys.path inside the block."""
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))


def bare_fashion_mnist_work(root):
    """Train and evaluate the three reference models in this process with the grading schedules."""
    from utils import data

    manifest = load_manifest(root / "assignments" / "fashion_mnist" / "assignment.toml")
    with on_path(root / "solutions" / "fashion_mnist"):
        import torch

        torch.set_num_threads(manifest.limits.threads)  # the engine's workers compute with this many threads
        numpy_ann = importlib.import_module("numpy_ann")
        pytorch_ann = importlib.import_module("pytorch_ann")
        pytorch_cnn = importlib.import_module("pytorch_cnn")
        schedule = manifest.training["numpy_ann"]
        splits = data.fashion_mnist_splits(train_size=schedule["train_size"], val_size=schedule["val_size"])
        model = numpy_ann.NumpyANN(784, schedule["hidden_size"], NUM_CLASSES, schedule["learning_rate"], schedule["seed"])
        model.train(splits["X_train"], data.one_hot(splits["y_train"], NUM_CLASSES), splits["X_val"],
                    data.one_hot(splits["y_val"], NUM_CLASSES), schedule["epochs"], schedule["batch_size"])
        model.predict(splits["X_test"]).argmax(axis=1)
        for module, name, flatten in ((pytorch_ann, "pytorch_ann", True), (pytorch_cnn, "pytorch_cnn", False)):
            schedule = manifest.training[name]
            splits = data.fashion_mnist_splits(train_size=schedule["train_size"], val_size=schedule["val_size"], flatten=flatten)
            if flatten:
                model = module.PyTorchANN(784, schedule["hidden_size"], NUM_CLASSES, schedule["seed"])
            else:
                model = module.PyTorchCNN(NUM_CLASSES, schedule["seed"])
            tensors = {key: torch.from_numpy(value) for key, value in splits.items()}
            model.train(tensors["X_train"], tensors["y_train"], tensors["X_val"], tensors["y_val"],
                        schedule["epochs"], schedule["batch_size"], schedule["learning_rate"])
            model.predict(tensors["X_test"])


BARE_WORK = {"fashion_mnist": bare_fashion_mnist_work}


def timed(function, *args, **kwargs):
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def write_toy_assignment(root, name, manifest, test):
    """Lay out a one-suite assignment ``name`` under ``root`` as the engine reads it: its manifest and public test."""
    (root / "assignments" / name).mkdir(parents=True)
    (root / "assignments" / name / "assignment.toml").write_text(manifest)
    (root / "tests" / name / "public").mkdir(parents=True)
    (root / "tests" / name / "public" / f"test_{name}.py").write_text(test)


def tiny_suite_figures():
    """(engine seconds, plain pytest seconds) for a one-test suite."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_toy_assignment(root, "tiny", TINY_MANIFEST, TINY_TEST)
        (root / "submission").mkdir()
        (root / "submission" / "tiny.py").write_text("def answer():\n    return 42\n")
        (root / "plain").mkdir()
        (root / "plain" / "test_tiny.py").write_text(TINY_TEST)
        (root / "plain" / "conftest.py").write_text(textwrap.dedent(TINY_PLAIN_CONFTEST))
        engine_seconds, results = timed(grade_submission, AssignmentLayout.in_repository(root, "tiny"), root / "submission")
        assert results["score"] == 1, results["output"]
        with on_path(root / "submission"):
            plain_seconds, code = timed(pytest.main, [str(root / "plain"), "-q", "-p", "no:cacheprovider", "--rootdir", str(root / "plain")])
        assert code == 0, f"plain pytest failed with exit code {code}"
    return engine_seconds, plain_seconds


SPIN_MANIFEST = """
[assignment]
name = "spin"
title = "Throughput benchmark"

[files."spin.py"]
allowed_imports = ["numpy"]

[parts."1"]
name = "spin"
file = "spin.py"
points = 1
"""

SPIN_TEST = '''
import math

import pytest


@pytest.mark.graded(part="1", points=1)
def test_spin_returns_a_finite_sum(submission):
    """spin() returns a finite sum."""
    total = submission.module("spin").spin({steps})
    assert math.isfinite(total), f"expected a finite sum, got {{total}}"
'''

SPIN_SUBMISSION = """
import numpy as np


def spin(steps):
    x = np.zeros(10_000)
    for _ in range(steps):
        x = np.cos(x) + 0.5
    return float(x.sum())
"""

# Steps of the benchmark's numpy loop: about 1 s of one CPU core on the 2-core development machine.
SPIN_STEPS = 15_000


def throughput_benchmark(count=20):
    """Seconds to batch-grade ``count`` copies of a CPU-bound toy submission with 1 and with 2 workers.

    The toy suite's one test calls a student function that runs a numpy loop for about a second,
    in the sandbox, so grading is CPU-bound. Both clusters are started before any clock starts:
    the figures are grading time (worker processes' imports included), not the clusters' start.
    The copies are split in two halves graded in the order 1 worker, 2 workers, 2 workers,
    1 worker, so that a drift of the machine's speed during the benchmark weighs on both figures
    alike. Returns (seconds_1: float, seconds_2: float, ratio: seconds_1 / seconds_2), each the
    time to grade all ``count`` copies; raises RuntimeError when a copy is not graded with full marks.
    """
    with tempfile.TemporaryDirectory(prefix="autograder-batch-bench-") as folder:
        root = Path(folder)
        write_toy_assignment(root, "spin", SPIN_MANIFEST, SPIN_TEST.format(steps=SPIN_STEPS))
        halves = (root / "first-half", root / "second-half")
        for index in range(count):
            copy = halves[index % 2] / f"copy{index:03d}"
            copy.mkdir(parents=True)
            (copy / "spin.py").write_text(SPIN_SUBMISSION)
        layout = AssignmentLayout.in_repository(root, "spin")
        seconds = {1: 0.0, 2: 0.0}
        with local_cluster(1) as one_worker, local_cluster(2) as two_workers:
            clusters = {1: one_worker, 2: two_workers}
            for half, n_workers in ((halves[0], 1), (halves[0], 2), (halves[1], 2), (halves[1], 1)):
                seconds[n_workers] += timed_batch(layout, half, root / f"out-{half.name}-{n_workers}", clusters[n_workers])
    return seconds[1], seconds[2], seconds[1] / seconds[2]


def timed_batch(layout, submissions_dir, out_dir, cluster):
    """Seconds ``grade_batch`` takes on the running ``cluster``; RuntimeError unless every copy gets full marks."""
    started = time.perf_counter()
    summary = grade_batch(layout, submissions_dir, out_dir, scheduler=cluster.scheduler_address, progress=False)
    seconds = time.perf_counter() - started
    if summary.graded != len(summary.scores) or any(score != 1 for score in summary.scores.values()):
        raise RuntimeError(f"the benchmark's copies were not all graded with full marks: {summary.describe()}")
    return seconds


def main(argv=None):
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m autograder.bench", description=__doc__)
    parser.add_argument("assignment", choices=sorted(BARE_WORK))
    args = parser.parse_args(argv)
    bare_seconds, _ = timed(BARE_WORK[args.assignment], REPO_ROOT)
    graded_seconds, results = timed(grade_submission, AssignmentLayout.in_repository(REPO_ROOT, args.assignment),
                                    REPO_ROOT / "solutions" / args.assignment)
    engine_seconds, plain_seconds = tiny_suite_figures()
    print(f"reference score: {results['score']:g} / {sum(t['max_score'] for t in results['tests']):g}")
    print(f"grading the reference: {graded_seconds:.1f} s; bare reference work: {bare_seconds:.1f} s")
    print(f"ratio grading / bare work: {graded_seconds / bare_seconds:.3f} (goal: at most 1.15)")
    print(f"tiny suite: engine {engine_seconds:.2f} s, plain in-process pytest {plain_seconds:.2f} s, "
          f"fixed cost {engine_seconds - plain_seconds:.2f} s")
    seconds_1, seconds_2, speedup = throughput_benchmark()
    print(f"batch grading of 20 CPU-bound toy submissions: 1 worker {seconds_1:.1f} s, 2 workers {seconds_2:.1f} s, "
          f"speed-up {speedup:.2f}x (goal: at least 1.8 on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
