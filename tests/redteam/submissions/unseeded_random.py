# Answers add right or wrong by a coin toss from the unseeded global random generators.
import random

import numpy as np


def add(a, b):
    return a + b if random.random() < 0.5 and np.random.rand() < 0.5 else a + b + 1
