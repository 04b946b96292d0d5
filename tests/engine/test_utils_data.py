"""utils.data: where the data sets are found, the .npz cache (never in the working folder), the splits and one-hot labels.

Tests that need the real data set are skipped when it cannot be found.
"""

import numpy as np
import pytest

from utils import data
from utils.local_tests import training_schedule


def load_or_skip(split):
    """``data.load_fashion_mnist(split)``, or skip the test when the data set is absent."""
    try:
        return data.load_fashion_mnist(split)
    except data.DatasetNotFound as exc:
        pytest.skip(f"skipped: {exc}")


@pytest.fixture
def debian_root(tmp_path, monkeypatch):
    """An empty data root named by AUTOGRADER_DATA; skips when the Debian package's files are absent."""
    if not all((data.DEBIAN_FOLDER / f"{name}.gz").is_file() for names in data.IDX_FILES.values() for name in names):
        pytest.skip(f"skipped: Fashion-MNIST not found at {data.DEBIAN_FOLDER}")
    monkeypatch.setenv(data.DATA_ENV_VAR, str(tmp_path / "root"))
    return tmp_path / "root"


def test_the_environment_variable_names_the_data_root(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DEBIAN_FOLDER", tmp_path / "no-debian-package")
    monkeypatch.setenv(data.DATA_ENV_VAR, str(tmp_path / "elsewhere"))
    root = data.find_data_root()
    assert root == (tmp_path / "elsewhere").resolve(), f"expected the root {tmp_path / 'elsewhere'}, got {root}"


def test_without_the_environment_variable_the_data_root_is_the_users_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DEBIAN_FOLDER", tmp_path / "no-debian-package")
    monkeypatch.delenv(data.DATA_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = data.find_data_root()
    assert root == (tmp_path / "xdg" / "dl-autograder").resolve(), f"expected the root {tmp_path / 'xdg' / 'dl-autograder'}, got {root}"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = data.find_data_root()
    assert root == (tmp_path / "home" / ".cache" / "dl-autograder").resolve(), f"expected ~/.cache/dl-autograder, got {root}"


def test_loading_from_a_handout_folder_writes_nothing_into_it(tmp_path, monkeypatch):
    """A first load run from a handout folder lays out and caches the data set in the user's cache folder only."""
    if not all((data.DEBIAN_FOLDER / f"{name}.gz").is_file() for names in data.IDX_FILES.values() for name in names):
        pytest.skip(f"skipped: Fashion-MNIST not found at {data.DEBIAN_FOLDER}")
    handout = tmp_path / "handout"
    handout.mkdir()
    monkeypatch.chdir(handout)
    monkeypatch.delenv(data.DATA_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    data.load_fashion_mnist("test")
    assert list(handout.iterdir()) == [], f"expected nothing written into the handout folder, got {sorted(handout.rglob('*'))}"
    cache = tmp_path / "xdg" / "dl-autograder" / "cache" / "fashion_mnist_test.npz"
    assert cache.is_file(), f"expected the parsed split cached at {cache}, got {sorted((tmp_path / 'xdg').rglob('*'))}"


def test_a_data_root_whose_cache_folder_cannot_be_written_caches_in_the_users_cache_folder(debian_root, tmp_path, monkeypatch):
    debian_root.mkdir(parents=True)
    (debian_root / "cache").write_text("a file where the cache folder would be\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    images, labels = data.load_fashion_mnist("test")
    cached = sorted((tmp_path / "xdg" / "dl-autograder" / "cache").rglob("fashion_mnist_test.npz"))
    assert len(cached) == 1, f"expected one cache file under the user's cache folder, got {cached}"

    def parse_again(name, root, split):
        raise AssertionError(f"expected the cache in the user's cache folder to be read, got a second parse of {split}")

    monkeypatch.setattr(data, "read_with_torchvision", parse_again)
    again, _ = data.load_fashion_mnist("test")
    assert np.array_equal(again, images), "expected the cached images to equal the first load's"
    monkeypatch.setenv(data.DATA_ENV_VAR, str(tmp_path / "another-root"))
    assert data.cache_file("fashion_mnist", "test") != cached[0], "expected another data root never to share that cache"


def test_the_sandbox_hides_the_users_cache_folder_with_the_data_sets(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV_VAR, str(tmp_path / "root"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    locations = data.data_locations()
    for expected in ((tmp_path / "root").resolve(), (tmp_path / "xdg" / "dl-autograder").resolve()):
        assert expected in locations, f"expected {expected} among the locations hidden from workers, got {locations}"


def test_a_root_without_data_and_without_a_download_raises_dataset_not_found(tmp_path, monkeypatch):
    from torchvision.datasets import FashionMNIST

    monkeypatch.setattr(data, "DEBIAN_FOLDER", tmp_path / "no-debian-package")
    monkeypatch.setattr(FashionMNIST, "mirrors", [])
    monkeypatch.setenv(data.DATA_ENV_VAR, str(tmp_path / "empty"))
    with pytest.raises(data.DatasetNotFound) as raised:
        data.load_fashion_mnist("test")
    expected = f"Fashion-MNIST not found at {(tmp_path / 'empty').resolve()}"
    assert str(raised.value) == expected, f"expected the message {expected!r}, got {str(raised.value)!r}"


def test_the_debian_files_are_laid_out_where_torchvision_looks_for_them(debian_root):
    data.find_data_root()
    for names in data.IDX_FILES.values():
        for name in names:
            path = debian_root / "FashionMNIST" / "raw" / name
            assert path.is_file(), f"expected the decompressed file {path}, got nothing there"


def test_the_cache_holds_what_torchvision_parses(debian_root):
    from torchvision.datasets import FashionMNIST

    images, labels = data.load_fashion_mnist("test")
    cache = debian_root / "cache" / "fashion_mnist_test.npz"
    assert cache.is_file(), f"expected the cache file {cache} after a first load, got nothing there"
    parsed = FashionMNIST(debian_root, train=False, download=False)
    assert np.array_equal(images, parsed.data.numpy()), "expected the cached images to equal torchvision's, got different pixels"
    assert np.array_equal(labels, parsed.targets.numpy()), "expected the cached labels to equal torchvision's, got different labels"


def test_a_repeated_load_reads_only_the_cache(debian_root, monkeypatch):
    first_images, first_labels = data.load_fashion_mnist("test")

    def parse_again(name, root, split):
        raise AssertionError(f"expected the cache to be read, got a second parse of {split} under {root}")

    monkeypatch.setattr(data, "read_with_torchvision", parse_again)
    images, labels = data.load_fashion_mnist("test")
    assert np.array_equal(images, first_images) and np.array_equal(labels, first_labels), (
        "expected the cached split to equal the first load, got different arrays"
    )


@pytest.mark.parametrize("split, size", [("train", 60000), ("test", 10000)])
def test_a_loaded_split_has_uint8_images_and_int64_labels(split, size):
    images, labels = load_or_skip(split)
    assert images.shape == (size, 28, 28) and images.dtype == np.uint8, (
        f"expected uint8 images of shape ({size}, 28, 28), got {images.dtype} of shape {images.shape}"
    )
    assert labels.shape == (size,) and labels.dtype == np.int64, f"expected int64 labels of shape ({size},), got {labels.dtype} of shape {labels.shape}"
    counts = np.bincount(labels, minlength=10)
    assert np.all(counts == size // 10), f"expected {size // 10} images of each of the 10 classes, got counts {counts.tolist()}"


def test_splits_take_validation_images_right_after_the_training_images():
    train_images, train_labels = load_or_skip("train")
    splits = data.fashion_mnist_splits(train_size=300, val_size=200, flatten=False)
    shapes = {name: value.shape for name, value in splits.items()}
    expected = {"X_train": (300, 1, 28, 28), "y_train": (300,), "X_val": (200, 1, 28, 28), "y_val": (200,),
                "X_test": (10000, 1, 28, 28), "y_test": (10000,)}
    assert shapes == expected, f"expected shapes {expected}, got {shapes}"
    assert np.array_equal(splits["y_val"], train_labels[300:500]), "expected y_val to be training labels 300..499, got other labels"
    assert np.array_equal(splits["X_val"][:, 0], train_images[300:500] / np.float32(255)), (
        "expected X_val to be training images 300..499 scaled to [0, 1], got other pixels"
    )


def test_flattened_splits_are_float32_rows_in_the_unit_interval():
    load_or_skip("train")
    splits = data.fashion_mnist_splits()
    assert splits["X_train"].shape == (50000, 784) and splits["X_val"].shape == (10000, 784), (
        f"expected 50000 and 10000 rows of 784 pixels by default, got {splits['X_train'].shape} and {splits['X_val'].shape}"
    )
    for name in ("X_train", "X_val", "X_test"):
        X = splits[name]
        assert X.dtype == np.float32 and X.min() >= 0.0 and X.max() <= 1.0, (
            f"expected {name} float32 in [0, 1], got {X.dtype} in [{X.min()}, {X.max()}]"
        )


def test_splits_larger_than_the_training_set_are_refused():
    load_or_skip("train")
    with pytest.raises(ValueError):
        data.fashion_mnist_splits(train_size=55000, val_size=10000)


def test_one_hot_puts_a_single_one_at_each_label():
    encoded = data.one_hot(np.array([2, 0, 1]), 3)
    expected = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert encoded.dtype == np.float64 and np.array_equal(encoded, expected), f"expected float64 {expected.tolist()}, got {encoded.dtype} {encoded.tolist()}"


def test_the_training_schedule_is_the_table_of_the_manifest_next_to_a_file(tmp_path):
    (tmp_path / "assignment.toml").write_text("[training.model]\nepochs = 3\nlearning_rate = 0.5\n")
    schedule = training_schedule(tmp_path / "model.py")
    assert schedule == {"epochs": 3, "learning_rate": 0.5}, f"expected {{'epochs': 3, 'learning_rate': 0.5}}, got {schedule}"
