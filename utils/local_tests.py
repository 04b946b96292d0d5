"""Running a handout file locally: its public tests and the training schedules the grader uses.

Both read the handout folder that holds the file: ``tests/public`` (through ``python -m autograder
check``) and ``assignment.toml`` (its ``[training.<name>]`` tables). They work for every assignment:
a schedule is named after the file that it trains (``[training.pytorch_ann]`` for ``pytorch_ann.py``) or
after what it trains (``[training.mlp]``, ``[training.search]``), and some assignments have none.
"""

import subprocess
import sys
import tomllib
from pathlib import Path


class ScheduleNotFound(LookupError):
    """The manifest has no such ``[training.<name>]`` table; the message lists the tables it has."""


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


def training_schedule(path, name=None):
    """A grading schedule of a submitted file's assignment: the ``[training.<name>]`` table of its manifest.

    Inputs:
    - path: the file's path, e.g. ``__file__`` of ``pytorch_ann.py``; ``assignment.toml`` sits next to it.
    - name: the table's name, e.g. "mlp" or "search" for ``flooding.py``; by default the file's module name
      ("pytorch_ann").

    Returns:
    - dict of the table, e.g. {"learning_rate": 0.1, "epochs": 10, "batch_size": 100, ...}.

    Raises ScheduleNotFound, naming the tables the manifest has (or saying it has none), when there is no
    such table.
    """
    path = Path(path).resolve()
    manifest = path.parent / "assignment.toml"
    with open(manifest, "rb") as file:
        schedules = tomllib.load(file).get("training", {})
    name = name or path.stem
    if name in schedules:
        return schedules[name]
    if not schedules:
        raise ScheduleNotFound(f"{manifest} has no grading schedule ([training.*] table): the grader trains nothing of this assignment")
    tables = ", ".join(f"[training.{table}]" for table in schedules)
    raise ScheduleNotFound(f"{manifest} has no [training.{name}]; its grading schedules are {tables}: "
                           f"pass the one you need, e.g. training_schedule(__file__, {next(iter(schedules))!r})")
