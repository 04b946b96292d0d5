"""Running a handout file locally: its public tests and the training schedule the grader uses.

Both read the handout folder that holds the file: ``tests/public`` (through ``python -m autograder
check``) and ``assignment.toml`` (its ``[training.<module>]`` table).
"""

import subprocess
import sys
import tomllib
from pathlib import Path


def run_public_tests(path):
    """Run the public tests of one submitted file, printing their table.

    Inputs:
    - path: the file's path (a script passes ``__file__``); the tests run in its folder.

    Returns:
    - the exit status of ``python -m autograder check --file <file name>``: 0 when all its public tests pass.
    """
    path = Path(path).resolve()
    command = [sys.executable, "-m", "autograder", "check", "--file", path.name]
    return subprocess.run(command, cwd=path.parent, check=False).returncode


def training_schedule(path):
    """The grading schedule of a submitted file: the ``[training.<module>]`` table of its manifest.

    Inputs:
    - path: the file's path, e.g. ``__file__`` of ``pytorch_ann.py``; ``assignment.toml`` sits next to it.

    Returns:
    - dict of the table, e.g. {"learning_rate": 0.1, "epochs": 10, "batch_size": 64, ...}.
    """
    path = Path(path).resolve()
    with open(path.parent / "assignment.toml", "rb") as manifest:
        return tomllib.load(manifest)["training"][path.stem]
