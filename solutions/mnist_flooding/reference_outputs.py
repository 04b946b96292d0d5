"""Reference outputs of the mnist_flooding suites, computed with the reference solutions.

``build(split)`` returns {name: array} for split "public" or "hidden"; the release tooling writes it to
``tests/mnist_flooding/<split>/reference_outputs.npz`` with this folder first on ``sys.path``. Inputs are
drawn from a seeded generator, with different seeds and sizes for the two splits, and stored next to the
outputs, so a test reads both from one file.

Keys (K: number of cases, S: values per case):

- ``flood_losses`` (K, S) float32: loss values R, some below and some above the case's level, one exactly at it;
- ``flood_levels`` (K,) float64: the flood level b of each case;
- ``flood_values`` (K, S) float32: ``flooding.flooded_loss(torch.tensor(R), b)`` of the reference.

Everything else the suites compare with (gradients, convolutions, split properties, the error curves of the
student's own trainings) is computed at test time by the grader with torch and numpy.
"""

import numpy as np
import torch

import flooding

SPLITS = {
    "public": {"seed": 2024, "cases": 4, "values": 6},
    "hidden": {"seed": 4202, "cases": 6, "values": 9},
}


def flooded_loss_cases(rng, cases, values):
    """Seeded loss values R (cases, values) around seeded levels b (cases,) and the reference's |R - b| + b."""
    levels = rng.choice(np.round(np.arange(21) * 0.01, 2), size=cases)
    losses = (levels[:, None] + rng.uniform(-0.3, 0.3, size=(cases, values))).clip(0.0).astype(np.float32)
    losses[:, 0] = levels.astype(np.float32)
    expected = np.stack([flooding.flooded_loss(torch.from_numpy(row), float(level)).numpy() for row, level in zip(losses, levels)])
    return {"flood_losses": losses, "flood_levels": levels, "flood_values": expected}


def build(split):
    """The reference arrays of ``split`` ("public" or "hidden") as {name: array}."""
    config = SPLITS[split]
    rng = np.random.default_rng(config["seed"])
    out = flooded_loss_cases(rng, config["cases"], config["values"])
    return {name: np.asarray(value) for name, value in out.items()}
