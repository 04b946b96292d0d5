# The scripted entry killed_grader (see run.py): calc.py is honest.py, then orphans.py, then this file. add waits for
# an hour, so that the grader is killed (SIGKILL, or its batch task stopped past its budget) while the worker runs
# student code.
import time


def add(a, b):
    time.sleep(3600)
