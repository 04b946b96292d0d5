"""Fixtures of the mlp_cifar10 suites (public and hidden).

- ``reference``: the arrays in ``reference_outputs.npz`` next to the requesting test file.
"""

import numpy as np
import pytest


@pytest.fixture
def reference(request):
    """The arrays of ``reference_outputs.npz`` in the requesting test file's folder, as {name: array}."""
    with np.load(request.path.parent / "reference_outputs.npz", allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}
