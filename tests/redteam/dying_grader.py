"""A grader that is stopped while its worker runs student code: run.py's scripted entry killed_grader.

Usage: dying_grader.py SUBMISSION_FOLDER [--no-bwrap]

Grades the corpus assignment's submission at SUBMISSION_FOLDER with the real engine and prints a JSON line
{"uid": ...} for each worker it starts (the worker's user id, or null), so that the runner can look for that
worker's processes once this process has been killed. --no-bwrap switches bubblewrap off (a control).
"""

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from autograder import isolation, sandbox  # noqa: E402
from autograder.grading import AssignmentLayout, grade_submission  # noqa: E402


def main(argv):
    """Grade argv[0], announcing each worker's user id on stdout."""
    if "--no-bwrap" in argv:
        isolation.bwrap_available = lambda: None
    issue = sandbox.machine_isolation
    announcements = os.fdopen(os.dup(sys.stdout.fileno()), "w")  # pytest captures file descriptor 1 while the suites run

    def announced():
        isolation = issue()
        announcements.write(json.dumps({"uid": isolation.uid}) + "\n")
        announcements.flush()
        return isolation

    sandbox.machine_isolation = announced
    grade_submission(AssignmentLayout(HERE / "assignment.toml", (HERE / "public", HERE / "hidden")), argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
