"""``python -m autograder new NAME``: a working one-file assignment to start a new one from (staff tool).

It writes, under the repository root:

- ``solutions/NAME/``: ``assignment.toml`` (one file, one part of 2 points), ``exercise.py`` (the reference: one
  function whose body is a solution region), ``reference_outputs.py`` (``build(split)``) and the students' ``README.md``;
- ``tests/NAME/``: ``conftest.py`` (the ``reference`` fixture), ``public/test_exercise.py`` and
  ``hidden/test_exercise_hidden.py``, one graded test of 1 point each.

``python -m autograder release NAME`` and ``python -m autograder validate NAME`` pass on it as written;
``docs/new_assignment.md`` says how to grow it into a real assignment.
"""

import re
from pathlib import Path

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")

MANIFEST = '''# @NAME@: one exercise, scaffolded by `python -m autograder new @NAME@`. Every field is described in
# docs/new_assignment.md.

[assignment]
name = "@NAME@"
title = "@NAME@: a softmax in numpy"
# dataset = "mnist"        # the data sets the Gradescope image loads (fashion_mnist, mnist, cifar10), if the suites need one

# Sandbox limits of every worker that runs student code (CPU seconds; the grading's budget follows the
# reference's timing, which validate records).
[limits]
call_seconds = 60
memory_mb = 4096

# Files a student submits, each with the top-level modules it may import.
[files."exercise.py"]
allowed_imports = ["numpy", "math"]

# Handout parts: the points of a part's tests (public and hidden) add up to its points.
[parts."1"]
name = "softmax"
file = "exercise.py"
points = 2
'''

REFERENCE = '''"""A softmax in numpy.

Letters in shapes: N examples, C classes.
"""

import numpy as np


def softmax(logits):
    """Each row of ``logits`` turned into probabilities: its exponentials divided by their sum.

    Subtract each row's largest logit before exponentiating, so that logits in the thousands do not overflow.

    Inputs:
    - logits: float array (N, C).

    Returns:
    - float array (N, C): positive entries, each row summing to 1.
    """
    ### BEGIN SOLUTION
    exponentials = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)
    ### END SOLUTION
'''

REFERENCE_OUTPUTS = '''"""Reference outputs of the @NAME@ suites, computed with the reference exercise.py.

``build(split)`` returns {name: array} for split "public" or "hidden"; the release writes it to
``tests/@NAME@/<split>/reference_outputs.npz``, which the ``reference`` fixture reads.

Keys: ``softmax_logits`` (N, C), seeded inputs, and ``softmax_probabilities`` (N, C), ``softmax(softmax_logits)``.
"""

import numpy as np

from exercise import softmax

SEEDS = {"public": 0, "hidden": 1}


def build(split):
    """The reference arrays of ``split`` ("public" or "hidden") as {name: array}."""
    logits = np.random.default_rng(SEEDS[split]).normal(0.0, 3.0, size=(4, 5))
    return {"softmax_logits": logits, "softmax_probabilities": softmax(logits)}
'''

README = '''# @NAME@: a softmax in numpy

Implement `softmax` in `exercise.py`: replace its `raise NotImplementedError` by code that does what
its docstring says. Only `numpy` and `math` may be imported there.

| file | what you implement | points |
| --- | --- | --- |
| `exercise.py` | `softmax(logits)`, row by row, stable for large logits | 2 |

## Checking and submitting

Python 3.11 or newer. From this folder:

```
pip install -r requirements.txt   # the pinned packages the grader uses
python -m autograder check        # the public tests
python -m autograder pack         # @NAME@-submission.zip, holding exactly the files to submit
```

Passing the public tests does not guarantee full credit: hidden tests grade more.
'''

CONFTEST = '''"""Fixtures of the @NAME@ suites (public and hidden).

- ``reference``: the arrays in ``reference_outputs.npz`` next to the requesting test file.
"""

import numpy as np
import pytest


@pytest.fixture
def reference(request):
    """The arrays of ``reference_outputs.npz`` in the requesting test file's folder, as {name: array}."""
    with np.load(request.path.parent / "reference_outputs.npz", allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}
'''

PUBLIC_TEST = '''"""Public tests of exercise.py (part 1)."""

import pytest

from autograder.assertions import assert_array_close


@pytest.mark.graded(part="1", points=1)
def test_softmax_gives_the_reference_probabilities(submission, reference):
    """softmax gives the reference's probabilities for seeded logits."""
    probabilities = submission.module("exercise").softmax(reference["softmax_logits"])
    assert_array_close("softmax(logits)", probabilities, reference["softmax_probabilities"])
'''

HIDDEN_TEST = '''"""Hidden tests of exercise.py (part 1): expected values computed here, by the grader."""

import numpy as np
import pytest

from autograder.assertions import assert_array_close


@pytest.mark.graded(part="1", points=1)
def test_softmax_stays_exact_for_logits_in_the_thousands(submission):
    """softmax is finite and exact for logits of size 1e4 (each row's largest logit subtracted first)."""
    logits = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 0.0], [-1e4, -1e4, -1e4]])
    expected = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    assert_array_close("softmax of logits of size 1e4", submission.module("exercise").softmax(logits), expected)
'''

FILES = {
    "solutions/@NAME@/assignment.toml": MANIFEST,
    "solutions/@NAME@/exercise.py": REFERENCE,
    "solutions/@NAME@/reference_outputs.py": REFERENCE_OUTPUTS,
    "solutions/@NAME@/README.md": README,
    "tests/@NAME@/conftest.py": CONFTEST,
    "tests/@NAME@/public/test_exercise.py": PUBLIC_TEST,
    "tests/@NAME@/hidden/test_exercise_hidden.py": HIDDEN_TEST,
}


class ScaffoldError(Exception):
    """The assignment cannot be scaffolded as asked; the message says why."""


def scaffold(name, repo_root):
    """Write the one-file assignment ``name`` under ``repo_root`` and return the paths written (relative, sorted).

    Raises ScaffoldError when ``name`` is not a lower-case identifier or solutions/<name>/ or tests/<name>/ exists.
    """
    if not NAME_PATTERN.fullmatch(name):
        raise ScaffoldError(f"{name!r} is not a valid assignment name: use lower-case letters, digits and _, starting with a letter")
    repo_root = Path(repo_root)
    taken = [folder for folder in (f"solutions/{name}", f"tests/{name}") if (repo_root / folder).exists()]
    if taken:
        raise ScaffoldError(f"{' and '.join(taken)} already exist{'s' if len(taken) == 1 else ''}: choose another name")
    written = []
    for template_path, text in FILES.items():
        path = template_path.replace("@NAME@", name)
        (repo_root / path).parent.mkdir(parents=True, exist_ok=True)
        (repo_root / path).write_text(text.replace("@NAME@", name), encoding="utf-8")
        written.append(path)
    return sorted(written)
