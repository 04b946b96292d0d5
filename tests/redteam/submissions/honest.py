"""An honest answer to the corpus assignment: right arithmetic, a one-class classifier, no secrets.

Every attack of the corpus is this file followed by the attack's own code (see ../corpus.toml).
"""

import numpy as np


def add(a, b):
    """a + b."""
    return a + b


def mean_rows(X):
    """The (N,) mean of each row of X (N, D)."""
    return np.asarray(X).mean(axis=1)


def classify(images):
    """Class 0 for each of the (N, 28, 28) images: (N,) int64."""
    return np.zeros(len(images), dtype=np.int64)


def leak():
    """Nothing secret."""
    return ""


class Tally:
    """A running total that starts at ``start``."""

    def __init__(self, start):
        self.total = float(start)

    def add(self, x):
        """Add ``x``; returns the new total."""
        self.total += x
        return self.total
