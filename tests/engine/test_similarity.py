"""Similarity between submissions: a renamed copy ranks first, the handout's template is not copying."""

import csv
import logging
import re
import zipfile
from itertools import combinations

import pytest
from conftest import write

from autograder.grading import AssignmentLayout
from autograder.similarity import CSV_COLUMNS, find_similar_pairs, main

MANIFEST = """
[assignment]
name = "toy_regression"
title = "Linear regression by gradient descent"

[files."regression.py"]
allowed_imports = ["numpy"]

[files."plots.py"]
allowed_imports = ["matplotlib", "numpy"]

[files."weights.npz"]

[parts."1"]
name = "regression"
file = "regression.py"
points = 8

[parts."2"]
name = "plots"
file = "plots.py"
points = 2
"""

# The handout's regression.py is TEMPLATE_HEAD + STUBS + TEMPLATE_MAIN; students replace STUBS.
TEMPLATE_HEAD = '''"""Linear regression trained by gradient descent (assignment 2).

Fill in the functions below the provided helpers. Do not change load_dataset, split_train_test or main.
"""

import numpy as np


def load_dataset(path):
    """Provided: read a CSV file whose last column is the target; returns (X, y)."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        for line in handle:
            values = [float(value) for value in line.strip().split(",")]
            if len(values) != len(header):
                raise ValueError(f"expected {len(header)} values, got {len(values)}")
            rows.append(values)
    data = np.array(rows)
    return data[:, :-1], data[:, -1]


def split_train_test(X, y, test_fraction=0.2, seed=0):
    """Provided: shuffle the rows with ``seed`` and split them into training and test sets."""
    generator = np.random.default_rng(seed)
    order = generator.permutation(len(y))
    cut = int(len(y) * (1 - test_fraction))
    train, test = order[:cut], order[cut:]
    return X[train], X[test], y[train], y[test]

'''

STUBS = '''
def standardize(X):
    """Return X scaled to zero mean and unit variance per column, with the means and scales used."""
    raise NotImplementedError


def add_bias(X):
    """Return X with a leading column of ones."""
    raise NotImplementedError


def mse(w, X, y):
    """Mean squared error of the predictions X @ w."""
    raise NotImplementedError


def gradient(w, X, y):
    """Gradient of mse with respect to w."""
    raise NotImplementedError


def fit(X, y, lr=0.1, epochs=200):
    """Gradient descent; returns the weights and the training loss of every epoch."""
    raise NotImplementedError


def predict(w, X):
    """Predictions of the linear model."""
    raise NotImplementedError


def r2_score(y, y_hat):
    """Coefficient of determination of the predictions y_hat."""
    raise NotImplementedError
'''

TEMPLATE_MAIN = '''

def main():
    """Provided: train on the housing data and print the training loss and the test R^2."""
    X, y = load_dataset("housing.csv")
    X_train, X_test, y_train, y_test = split_train_test(X, y)
    X_train, means, scales = standardize(X_train)
    X_test = (X_test - means) / scales
    w, history = fit(add_bias(X_train), y_train)
    print(f"epochs run: {len(history)}, final training loss: {history[-1]:.4f}")
    print(f"test R^2: {r2_score(y_test, predict(w, add_bias(X_test))):.3f}")


if __name__ == "__main__":
    main()
'''

# Submitted untouched by every student.
PLOTS = '''"""Provided: figures for the report."""

import matplotlib.pyplot as plt
import numpy as np


def plot_history(history, path="loss.png"):
    """Save the training loss of every epoch on a log scale."""
    figure, axis = plt.subplots(figsize=(6, 4))
    axis.plot(np.arange(1, len(history) + 1), history, marker=".")
    axis.set_xlabel("epoch")
    axis.set_ylabel("training loss (MSE)")
    axis.set_yscale("log")
    axis.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
'''

ALICE = '''
def standardize(X):
    """Return X scaled to zero mean and unit variance per column, with the means and scales used."""
    means = X.mean(axis=0)
    scales = X.std(axis=0)
    scales[scales == 0] = 1.0  # constant columns stay as they are
    return (X - means) / scales, means, scales


def add_bias(X):
    """Return X with a leading column of ones."""
    return np.hstack([np.ones((X.shape[0], 1)), X])


def mse(w, X, y):
    """Mean squared error of the predictions X @ w."""
    residuals = X @ w - y
    return float(residuals @ residuals) / len(y)


def gradient(w, X, y):
    """Gradient of mse with respect to w."""
    return 2.0 / len(y) * X.T @ (X @ w - y)


def fit(X, y, lr=0.1, epochs=200):
    """Gradient descent; returns the weights and the training loss of every epoch."""
    w = np.zeros(X.shape[1])
    history = []
    best_loss = np.inf
    patience = 10
    waited = 0
    for epoch in range(epochs):
        w = w - lr * gradient(w, X, y)
        loss = mse(w, X, y)
        history.append(loss)
        # early stopping: give up when the loss has not improved for `patience` epochs
        if loss < best_loss - 1e-9:
            best_loss = loss
            waited = 0
        else:
            waited += 1
            if waited >= patience:
                break
        if epoch % 50 == 49:
            lr *= 0.5  # halve the step every 50 epochs
    return w, history


def predict(w, X):
    """Predictions of the linear model."""
    return X @ w


def r2_score(y, y_hat):
    """Coefficient of determination of the predictions y_hat."""
    total = np.sum((y - np.mean(y)) ** 2)
    unexplained = np.sum((y - y_hat) ** 2)
    if total == 0:
        return 0.0
    return 1.0 - unexplained / total
'''

# ALICE with identifiers renamed, comments rewritten, predict and mse moved and one statement reworded.
DAVE = '''
def standardize(X):
    """Return X scaled to zero mean and unit variance per column, with the means and scales used."""
    mu = X.mean(axis=0)
    sigma = X.std(axis=0)
    sigma[sigma == 0] = 1.0  # avoid dividing by zero
    return (X - mu) / sigma, mu, sigma


def add_bias(X):
    """Return X with a leading column of ones."""
    return np.hstack([np.ones((X.shape[0], 1)), X])


def predict(w, X):
    """Predictions of the linear model."""
    return X @ w


def gradient(w, X, y):
    """Gradient of mse with respect to w."""
    return 2.0 / len(y) * X.T @ (X @ w - y)


def mse(w, X, y):
    """Mean squared error of the predictions X @ w."""
    err = X @ w - y
    return float(err @ err) / len(y)


def fit(X, y, lr=0.1, epochs=200):
    """Gradient descent; returns the weights and the training loss of every epoch."""
    theta = np.zeros(X.shape[1])
    losses = []
    lowest = np.inf
    max_wait = 10
    stale = 0
    for it in range(epochs):
        theta -= lr * gradient(theta, X, y)
        current = mse(theta, X, y)
        losses.append(current)
        # stop if no progress
        if current < lowest - 1e-9:
            lowest = current
            stale = 0
        else:
            stale += 1
            if stale >= max_wait:
                break
        if it % 50 == 49:
            lr *= 0.5  # learning rate decay
    return theta, losses


def r2_score(y, y_hat):
    """Coefficient of determination of the predictions y_hat."""
    ss_tot = np.sum((y - np.mean(y)) ** 2)
    ss_res = np.sum((y - y_hat) ** 2)
    if ss_tot == 0:
        return 0.0
    return 1.0 - ss_res / ss_tot
'''

BOB = '''
def standardize(X):
    """Return X scaled to zero mean and unit variance per column, with the means and scales used."""
    n_rows, n_cols = X.shape
    means = np.zeros(n_cols)
    scales = np.ones(n_cols)
    for j in range(n_cols):
        column = X[:, j]
        means[j] = sum(column) / n_rows
        variance = sum((value - means[j]) ** 2 for value in column) / n_rows
        if variance > 0:
            scales[j] = variance ** 0.5
    scaled = np.empty(X.shape)
    for i in range(n_rows):
        for j in range(n_cols):
            scaled[i, j] = (X[i, j] - means[j]) / scales[j]
    return scaled, means, scales


def add_bias(X):
    """Return X with a leading column of ones."""
    rows = []
    for row in X:
        rows.append([1.0] + list(row))
    return np.array(rows)


def predict_one(w, features):
    """Prediction for one example (my helper)."""
    return sum(weight * value for weight, value in zip(w, features))


def mse(w, X, y):
    """Mean squared error of the predictions X @ w."""
    total = 0.0
    for features, target in zip(X, y):
        error = predict_one(w, features) - target
        total += error * error
    return total / len(y)


def gradient(w, X, y):
    """Gradient of mse with respect to w."""
    grad = np.zeros(len(w))
    for features, target in zip(X, y):
        error = predict_one(w, features) - target
        for k in range(len(w)):
            grad[k] += 2 * error * features[k]
    return grad / len(y)


def fit(X, y, lr=0.1, epochs=200):
    """Gradient descent; returns the weights and the training loss of every epoch."""
    w = np.zeros(X.shape[1])
    history = []
    for _ in range(epochs):
        step = gradient(w, X, y)
        for k in range(len(w)):
            w[k] -= lr * step[k]
        history.append(mse(w, X, y))
    return w, history


def predict(w, X):
    """Predictions of the linear model."""
    return np.array([predict_one(w, row) for row in X])


def r2_score(y, y_hat):
    """Coefficient of determination of the predictions y_hat."""
    mean = sum(y) / len(y)
    ss_tot = sum((value - mean) ** 2 for value in y)
    ss_res = sum((value - guess) ** 2 for value, guess in zip(y, y_hat))
    return 1 - ss_res / ss_tot
'''

CAROL = '''
def standardize(X):
    """Return X scaled to zero mean and unit variance per column, with the means and scales used."""
    center = np.mean(X, axis=0, keepdims=True)
    spread = np.sqrt(np.mean(np.square(X - center), axis=0, keepdims=True))
    spread = np.where(spread > 1e-12, spread, 1.0)
    return (X - center) / spread, center.ravel(), spread.ravel()


def add_bias(X):
    """Return X with a leading column of ones."""
    out = np.ones((len(X), X.shape[1] + 1))
    out[:, 1:] = X
    return out


def mse(w, X, y):
    """Mean squared error of the predictions X @ w."""
    return float(np.mean(np.square(np.einsum("ij,j->i", X, w) - y)))


def gradient(w, X, y):
    """Gradient of mse with respect to w."""
    diff = np.einsum("ij,j->i", X, w) - y
    return np.einsum("ij,i->j", X, diff) * (2.0 / X.shape[0])


def fit(X, y, lr=0.1, epochs=200):
    """Gradient descent; returns the weights and the training loss of every epoch."""
    # mini-batch SGD with momentum, shuffled every epoch
    rng = np.random.default_rng(42)
    weights = rng.normal(scale=0.01, size=X.shape[1])
    velocity = np.zeros_like(weights)
    momentum, batch = 0.9, 32
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch):
            idx = order[start:start + batch]
            velocity = momentum * velocity - lr * gradient(weights, X[idx], y[idx])
            weights = weights + velocity
        losses.append(mse(weights, X, y))
        if not np.isfinite(losses[-1]):
            raise FloatingPointError(f"training diverged at epoch {epoch}")
    return weights, losses


def predict(w, X):
    """Predictions of the linear model."""
    return np.einsum("ij,j->i", X, w)


def r2_score(y, y_hat):
    """Coefficient of determination of the predictions y_hat."""
    y = np.asarray(y, dtype=float)
    residual = np.square(y - np.asarray(y_hat)).sum()
    spread = np.square(y - y.mean()).sum()
    return 1.0 - residual / spread if spread > 0 else float("nan")
'''

ERIN = '''
def standardize(X):
    """Return X scaled to zero mean and unit variance per column, with the means and scales used."""
    stats = [(col.mean(), col.std() or 1.0) for col in X.T]
    means = np.array([m for m, _ in stats])
    scales = np.array([s for _, s in stats])
    scaled = np.column_stack([(col - m) / s for col, (m, s) in zip(X.T, stats)])
    return scaled, means, scales


def add_bias(X):
    """Return X with a leading column of ones."""
    return np.concatenate((np.ones_like(X[:, :1]), X), axis=1)


def predict(w, X):
    """Predictions of the linear model."""
    return X.dot(w)


def mse(w, X, y):
    """Mean squared error of the predictions X @ w."""
    return np.linalg.norm(predict(w, X) - y) ** 2 / y.size


def gradient(w, X, y):
    """Gradient of mse with respect to w."""
    n = y.size
    return (X.T.dot(X.dot(w)) - X.T.dot(y)) * 2 / n


def fit(X, y, lr=0.1, epochs=200):
    """Gradient descent; returns the weights and the training loss of every epoch."""
    # Adam (Kingma & Ba) instead of plain steps: much less sensitive to lr
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    w = np.zeros(X.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    history = []
    t = 0
    while t < epochs:
        t += 1
        g = gradient(w, X, y)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        w -= lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append(mse(w, X, y))
    return w, history


def r2_score(y, y_hat):
    """Coefficient of determination of the predictions y_hat."""
    baseline = np.var(y)
    if baseline == 0:
        raise ValueError("y is constant: R^2 is undefined")
    return 1.0 - np.mean((y - y_hat) ** 2) / baseline
'''

STUDENT_CODE = {"alice": ALICE, "bob": BOB, "carol": CAROL, "dave": DAVE, "erin": ERIN}
COPIED_PAIR = ("alice", "dave")
# A non-manifest file that alice and dave share; it must not be compared.
SHARED_EXTRA = "def helper(values):\n    return [value * 2 for value in values if value is not None and value > 0]\n" * 5


def regression_file(student):
    """The regression.py that ``student`` hands in: the template with the stubs filled in."""
    return TEMPLATE_HEAD + STUDENT_CODE[student] + TEMPLATE_MAIN


def make_root(folder, skeletons):
    """A repository root with the toy assignment's manifest and handout skeletons {file: text}."""
    write(folder / "assignments" / "toy_regression" / "assignment.toml", MANIFEST)
    for name, text in skeletons.items():
        (folder / "assignments" / "toy_regression" / name).write_text(text)
    return folder


def make_submissions(folder):
    """One entry per student, in the shapes students hand in: flat and nested folders, nested zips."""
    files = {student: {"regression.py": regression_file(student), "plots.py": PLOTS} for student in STUDENT_CODE}
    for student in ("alice", "dave"):
        files[student]["helpers.py"] = SHARED_EXTRA
    places = {"alice": "alice", "bob": "bob/assignment 2", "erin": "erin"}
    for student, place in places.items():
        for name, text in files[student].items():
            (folder / place).mkdir(parents=True, exist_ok=True)
            (folder / place / name).write_text(text)
    for student, prefix in (("carol", ""), ("dave", "dave_hw2/")):
        with zipfile.ZipFile(folder / f"{student}.zip", "w") as bundle:
            for name, text in files[student].items():
                bundle.writestr(prefix + name, text)
    return folder


@pytest.fixture(scope="module")
def toy_assignment(tmp_path_factory):
    """(layout, submissions folder) of the toy assignment, with the real handout skeletons."""
    base = tmp_path_factory.mktemp("similarity")
    root = make_root(base / "repo", {"regression.py": TEMPLATE_HEAD + STUBS + TEMPLATE_MAIN, "plots.py": PLOTS})
    return AssignmentLayout.in_repository(root, "toy_regression"), make_submissions(base / "submissions")


@pytest.fixture(scope="module")
def compared(toy_assignment, tmp_path_factory):
    """(ranked pairs, CSV rows, output folder) of comparing the five students."""
    layout, submissions = toy_assignment
    out = tmp_path_factory.mktemp("similarity-out")
    pairs = find_similar_pairs(layout, submissions, out)
    with open(out / "similarity.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return pairs, rows, out


def regression_scores(rows):
    """{(student_a, student_b): max_similarity} of the regression.py rows."""
    return {(row["student_a"], row["student_b"]): float(row["max_similarity"]) for row in rows if row["file"] == "regression.py"}


def test_the_renamed_copy_ranks_first_clearly_above_every_other_pair(compared):
    _, rows, _ = compared
    first = rows[0]
    assert (first["rank"], first["student_a"], first["student_b"], first["file"]) == ("1", *COPIED_PAIR, "regression.py"), \
        f"expected rank 1 to be alice/dave on regression.py, got {first}"
    others = {pair: score for pair, score in regression_scores(rows).items() if pair != COPIED_PAIR}
    copied = float(first["max_similarity"])
    assert copied >= 0.6, f"expected the renamed copy to score at least 0.6, got {copied}"
    assert copied >= 2 * max(others.values()), f"expected the copy ({copied}) at least twice any other pair, got {others}"
    scores = [float(row["max_similarity"]) for row in rows]
    assert scores == sorted(scores, reverse=True), f"expected rows sorted by max_similarity descending, got {scores}"


def test_the_csv_has_one_row_per_pair_of_different_students_and_submitted_python_file(compared):
    pairs, rows, _ = compared
    assert tuple(rows[0]) == CSV_COLUMNS, f"expected columns {CSV_COLUMNS}, got {tuple(rows[0])}"
    expected = {(a, b, name) for a, b in combinations(sorted(STUDENT_CODE), 2) for name in ("plots.py", "regression.py")}
    got = [(row["student_a"], row["student_b"], row["file"]) for row in rows]
    assert sorted(got) == sorted(expected), f"expected each of the {len(expected)} pairs once, got {sorted(got)}"
    assert [(pair.student_a, pair.student_b, pair.file) for pair in pairs] == got, \
        f"expected the returned list in the CSV's order, got {pairs}"
    assert [row["rank"] for row in rows] == [str(rank) for rank in range(1, len(rows) + 1)], [row["rank"] for row in rows]


def test_the_handout_template_does_not_make_unrelated_students_similar(compared, toy_assignment, tmp_path):
    _, rows, _ = compared
    unrelated = {pair: score for pair, score in regression_scores(rows).items() if pair != COPIED_PAIR}
    assert max(unrelated.values()) < 0.3, f"expected every unrelated pair below 0.3, got {unrelated}"
    untouched = {(row["student_a"], row["student_b"]): float(row["max_similarity"]) for row in rows if row["file"] == "plots.py"}
    assert set(untouched.values()) == {0.0}, f"expected 0 for the untouched handout file plots.py, got {untouched}"

    # Control: the same submissions with skeletons that hold none of the template.
    _, submissions = toy_assignment
    bare = make_root(tmp_path / "bare", {"regression.py": "", "plots.py": ""})
    bare_rows = [(pair.student_a, pair.student_b, pair.file, pair.max_similarity)
                 for pair in find_similar_pairs(AssignmentLayout.in_repository(bare, "toy_regression"), submissions, tmp_path / "out")]
    bare_plots = {score for _, _, name, score in bare_rows if name == "plots.py"}
    bare_unrelated = {(a, b): score for a, b, name, score in bare_rows if name == "regression.py" and (a, b) != COPIED_PAIR}
    assert bare_plots == {1.0}, f"control: expected identical plots.py to score 1.0 without boilerplate, got {bare_plots}"
    assert all(bare_unrelated[pair] > unrelated[pair] + 0.1 for pair in unrelated), \
        f"control: expected every unrelated pair to score over 0.1 more without the template as boilerplate, " \
        f"got {bare_unrelated} against {unrelated}"


def test_the_html_report_names_both_copied_students(compared):
    _, _, out = compared
    report = (out / "similarity.html").read_text()
    flagged = {frozenset(pair) for pair in re.findall(r"Test file: <i>(.*?)</i>.*?Reference file: <i>(.*?)</i>", report, re.DOTALL)}
    expected = {frozenset(f"students/{student}/regression.py" for student in COPIED_PAIR)}
    assert flagged == expected, f"expected only the copied pair shown above the default threshold, got {flagged}"
    assert "helpers.py" not in report, "expected only the manifest's Python files in the report, got helpers.py"
    leftover = re.findall(r"\S*similarity-\w+/students", report)
    assert not leftover, f"expected file names without the temporary folder, got {leftover[:3]}"


def test_unreadable_and_stray_entries_are_skipped_with_a_warning(tmp_path, caplog):
    root = make_root(tmp_path / "repo", {"regression.py": TEMPLATE_HEAD + STUBS + TEMPLATE_MAIN, "plots.py": PLOTS})
    submissions = tmp_path / "submissions"
    for student in ("alice", "bob"):
        write(submissions / student / "regression.py", regression_file(student))
    write(submissions / "mallory.zip", "this is not a zip")
    write(submissions / "notes.txt", "grading notes")
    write(submissions / "zoe" / "answers.txt", "no code here")
    with caplog.at_level(logging.WARNING, logger="autograder.similarity"):
        pairs = find_similar_pairs(AssignmentLayout.in_repository(root, "toy_regression"), submissions, tmp_path / "out")
    got = [(pair.student_a, pair.student_b, pair.file) for pair in pairs]
    assert got == [("alice", "bob", "regression.py")], f"expected only alice/bob on regression.py, got {got}"
    warnings = "\n".join(record.getMessage() for record in caplog.records if record.name == "autograder.similarity")
    for expected in ("skipped mallory.zip: mallory.zip is not a readable zip file", "skipped notes.txt", "skipped zoe: none of"):
        assert expected in warnings, f"expected a warning {expected!r}, got {warnings!r}"


def test_main_writes_the_report_and_fails_clearly_with_one_submission(toy_assignment, tmp_path, capsys):
    layout, submissions = toy_assignment
    root = layout.manifest_path.parents[2]
    status = main(["--root", str(root), "toy_regression", str(submissions), "--out", str(tmp_path / "out"), "--threshold", "0.5"])
    printed = capsys.readouterr().out
    assert status == 0, f"expected exit status 0, got {status}: {printed}"
    assert (tmp_path / "out" / "similarity.csv").is_file() and (tmp_path / "out" / "similarity.html").is_file(), printed
    assert "20 pairs compared, 1 above 0.5" in printed and "alice / dave" in printed, f"expected one flagged pair, got {printed}"

    alone = tmp_path / "alone"
    write(alone / "alice" / "regression.py", regression_file("alice"))
    status = main(["--root", str(root), "toy_regression", str(alone), "--out", str(tmp_path / "out-alone")])
    error = capsys.readouterr().err
    assert status == 1 and "at least two are needed" in error, f"expected exit status 1 and a message, got {status}: {error!r}"
