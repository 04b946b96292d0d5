# Returns NaN from add and infinities from mean_rows.
import numpy as np


def add(a, b):
    return a + b + np.nan


def mean_rows(X):
    return np.full(len(X), np.inf)
