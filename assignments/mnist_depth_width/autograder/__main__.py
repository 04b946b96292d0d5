"""``python -m autograder``: the command-line interface."""

import sys

from autograder.cli import main

sys.exit(main())
