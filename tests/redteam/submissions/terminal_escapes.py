# Fills add's exception message and its own output with terminal escape sequences: clearing the screen,
# a window title, colours, a carriage return and a fake table ending in "TOTAL 6/6".
import sys

FAKE_TABLE = (
    "\x1b[2J\x1b[H"
    "\x1b]0;Autograder: 6/6, full marks\x07"
    "part   test                                                             shown      result       points      s\n"
    "1      add(2, 3) is 5.                                                  public     pass            1/1    0.0\n"
    "       TOTAL                                                                                       6/6\n"
    "\x1b[1;32mall tests passed\x1b[0m\r       TOTAL                      6/6\x1b[8m"
)
print(FAKE_TABLE)
print(FAKE_TABLE, file=sys.stderr)


def add(a, b):
    raise ValueError(FAKE_TABLE)
