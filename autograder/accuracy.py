"""Test accuracy from a trained model's weights, not from its answers (grader side).

A submission's ``predict`` runs in the worker and can answer anything: a table of the public test set
(image content -> label) scores 1.0 with no trained model at all. The accuracy tests therefore count the
labels of the grader's own forward pass of the trained parameters, read back from the worker as arrays,
and check separately that the submission's own predictions are those labels:

- a dense network given as arrays (NumpyANN's W1, b1, W2, b2): ``dense_logits``, in float64 numpy;
- a torch model whose forward is the chain of its leaf layers (an nn.Sequential of standard layers,
  nested Sequentials included): ``rebuild`` makes the same nn.Sequential with the grader's torch from the
  worker's ``layer_chain`` description and the state_dict (BatchNorm running statistics included) and
  runs it in eval mode (``grader_logits``);
- a torch model the grader cannot rebuild (a forward of its own, parameters outside its layers): run in
  the worker on the test images moved by an invisible perturbation (each pixel by -1, 0 or +1 grey level,
  drawn from a seed the worker cannot know: ``perturb``, ``perturbation_seed``), and checked to depend on
  its weights (with its weights scrambled it must fall to chance): ``worker_accuracy``.

``agreement`` compares the submission's labels with the grader's scores: a label is right when its score
is within the course's cross-machine tolerance of its row's maximum (``CROSS_MACHINE_ULPS`` float32 ulps
at the scores' scale, ``autograder.tolerance``), so that near ties computed in another order do not count
as disagreements. The accuracy itself is the plain argmax of the grader's scores: a near tie never counts
in the submission's favour (a network whose scores all tie would otherwise be right everywhere). ``ModelAccuracy`` holds the figures and states the verdict in words; an
accuracy far above what the architecture reaches (a schedule's ``ceiling``) is flagged in the message.
"""

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.assertions import near_maximum
from autograder.tolerance import ulp_tolerance
from autograder.worker.introspect import REBUILD_ARGS

SEQUENTIAL = "torch.nn.modules.container.Sequential"
CHUNK = 1000
KEY_ENV_VAR = "AUTOGRADER_PERTURBATION_KEY"
# A model whose weights were scrambled scores at most about what always answering the commonest test label scores
# (0.1 on a balanced 10-class test set); above the larger of SCRAMBLED_CEILING and that share plus SCRAMBLED_MARGIN,
# its predictions do not come from its weights.
SCRAMBLED_CEILING = 0.3
SCRAMBLED_MARGIN = 0.1
SCRAMBLE_CHECK_IMAGES = 1000
DENSE_ACTIVATIONS = {
    None: lambda z: z,
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "tanh": np.tanh,
}


class NotRebuildable(Exception):
    """The grader cannot run this model itself; the message says why."""


# ----------------------------------------------------------------------------------------------
# The grader's own forward passes
# ----------------------------------------------------------------------------------------------

def dense_logits(X, layers):
    """Scores (N, C) of a dense network in float64: ``layers`` is [(W (d_in, d_out), b (d_out,) or (1, d_out), activation)],
    the activation a key of DENSE_ACTIVATIONS applied after that layer (None: none)."""
    out = np.asarray(X, dtype=np.float64)
    for W, b, activation in layers:
        out = DENSE_ACTIVATIONS[activation](out @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64).reshape(1, -1))
    return out


def plain_argument(value, where):
    """A layer argument as the grader accepts it: None, bool, int, float, str, or a list of ints; NotRebuildable otherwise."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value) and len(value) <= 3:
        return tuple(value)
    raise NotRebuildable(f"{where} has an argument the grader does not understand: {str(value)[:80]}")


def build_layer(layer):
    """A fresh torch layer of a ``layer_chain`` entry, made by the grader from its type and arguments."""
    import torch

    kind, name = layer.get("type"), layer.get("name") or "the model"
    if not layer.get("standard") or kind not in REBUILD_ARGS:
        raise NotRebuildable(f"{name} is a {kind}, not one of the standard torch.nn layers the grader runs itself "
                             f"({', '.join(sorted(REBUILD_ARGS))})")
    args = layer.get("args") or {}
    if set(args) != set(REBUILD_ARGS[kind]):
        raise NotRebuildable(f"{name} ({kind}) is described with the arguments {sorted(args)}, expected {list(REBUILD_ARGS[kind])}")
    args = {key: plain_argument(value, f"{name} ({kind})") for key, value in args.items()}
    try:
        return getattr(torch.nn, kind)(**args)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise NotRebuildable(f"{name} ({kind}) cannot be built from {args}: {exc}") from None


def rebuild(description, state):
    """The grader's own nn.Sequential of the layers of ``description`` (from the worker's ``layer_chain``) holding ``state``
    ({name: array}, the model's state_dict), in eval mode.

    Raises NotRebuildable when a container is not an nn.Sequential (its forward may be anything), a layer is not a
    standard one, or the state does not fit the layers exactly (an entry outside them, used by a forward of the
    model's own, or one missing or of another shape).
    """
    import torch

    others = [kind for kind in description.get("containers", []) if kind != SEQUENTIAL]
    if others:
        raise NotRebuildable(f"the model is a {others[0]}, not an nn.Sequential: its forward is its own, not the chain of its layers")
    layers, used = [], set()
    for layer in description.get("layers", []):
        module = build_layer(layer)
        prefix = f"{layer['name']}." if layer.get("name") else ""
        own = module.state_dict()
        for key, tensor in own.items():
            value = state.get(prefix + key)
            if value is None:
                raise NotRebuildable(f"the state_dict lacks {prefix + key}, which the layer {layer.get('name')} ({layer.get('type')}) has")
            value = np.asarray(value)
            if tuple(value.shape) != tuple(tensor.shape):
                raise NotRebuildable(f"state_dict[{prefix + key!r}] has shape {value.shape}, the layer's is {tuple(tensor.shape)}")
            own[key] = torch.from_numpy(np.array(value, dtype=tensor.numpy().dtype))
            used.add(prefix + key)
        module.load_state_dict(own)
        layers.append(module)
    if not layers:
        raise NotRebuildable("the model has no layers")
    leftover = sorted(set(state) - used)
    if leftover:
        raise NotRebuildable(f"the model holds {', '.join(leftover[:4])} outside its layers, for a forward of its own")
    return torch.nn.Sequential(*layers).eval()


def grader_logits(model, X, chunk=CHUNK):
    """Scores (N, C) of the grader's own torch ``model`` (from ``rebuild``) for inputs X (N, ...), in float64, computed in chunks."""
    import torch

    outputs = []
    with torch.inference_mode():
        for start in range(0, len(X), chunk):
            outputs.append(model(torch.from_numpy(np.ascontiguousarray(X[start:start + chunk], dtype=np.float32))).double().numpy())
    out = np.concatenate(outputs)
    if out.ndim != 2:
        raise NotRebuildable(f"the model's output for {len(X)} inputs has shape {out.shape}, expected (N, classes)")
    return out


def rebuilt_model(submission, model):
    """The grader's own copy of a submitted torch model (a proxy): its ``layer_chain`` and state_dict read in the worker,
    then ``rebuild``; NotRebuildable says why not."""
    description = submission.introspect("layer_chain", model)
    state = submission.introspect("state_dict", model)
    if not isinstance(description, dict) or not isinstance(state, dict):
        raise NotRebuildable("the worker's description of the model is not readable")
    return rebuild(description, state)


# ----------------------------------------------------------------------------------------------
# Agreement of the submission's labels with the grader's scores
# ----------------------------------------------------------------------------------------------

def agreement(labels, scores, tolerance=None):
    """Which of the submission's ``labels`` (N,) are a largest entry of their row of the grader's ``scores`` (N, C), near ties
    included: a bool array (N,). ``tolerance`` defaults to ``CROSS_MACHINE_ULPS`` float32 ulps at the scores' scale."""
    labels = np.asarray(labels).reshape(-1)
    scores = np.asarray(scores, dtype=np.float64)
    tolerance = ulp_tolerance(scores, dtype=np.float32) if tolerance is None else tolerance
    inside = (labels >= 0) & (labels < scores.shape[1])
    candidates = near_maximum(scores, tolerance)
    return inside & candidates[np.arange(len(scores)), np.clip(labels, 0, scores.shape[1] - 1)]


# ----------------------------------------------------------------------------------------------
# Models the grader cannot rebuild: the worker on perturbed images, weights scrambled
# ----------------------------------------------------------------------------------------------

def grading_secret(suite_root):
    """Bytes the worker cannot know, the same at every grading: ``$AUTOGRADER_PERTURBATION_KEY`` when set, else a digest of the
    hidden suite's files under ``suite_root/hidden`` (hidden from workers), else (a student's own check) random bytes."""
    if os.environ.get(KEY_ENV_VAR):
        return os.environ[KEY_ENV_VAR].encode()
    hidden = Path(suite_root) / "hidden"
    files = sorted(path for path in hidden.rglob("*") if path.is_file() and "__pycache__" not in path.parts) if hidden.is_dir() else []
    if not files:
        return secrets.token_bytes(32)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(hidden).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


def perturbation_seed(secret, files):
    """A seed drawn from ``secret`` and the submission's files ({name: bytes}): the same submission gets the same seed, and no
    submission can compute its own."""
    digest = hashlib.sha256(secret)
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return int.from_bytes(digest.digest()[:8], "little")


def perturb(images, seed):
    """``images`` (float32 in [0, 1] on the 1/255 grid) with every pixel moved by -1, 0 or +1 grey level (clipped to [0, 255]),
    drawn from ``seed``: invisible, and no image equals one of a stored test set."""
    steps = np.random.default_rng(seed).integers(-1, 2, size=images.shape).astype(np.float32)
    return (np.clip(np.round(np.asarray(images, dtype=np.float32) * 255) + steps, 0, 255) / 255).astype(np.float32)


def scrambled(state, seed):
    """``state`` with the entries of each floating-point array permuted at random: same shapes and values, no structure left."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, value in state.items():
        value = np.asarray(value)
        out[name] = rng.permutation(value.reshape(-1)).reshape(value.shape) if value.dtype.kind == "f" and value.size > 1 else value
    return out


# ----------------------------------------------------------------------------------------------
# The verdict
# ----------------------------------------------------------------------------------------------

@dataclass
class ModelAccuracy:
    """A trained model's test accuracy as the grader measured it, and how the submission's own predictions compare.

    - accuracy: fraction of the test images right, by ``method``.
    - method: how it was measured, in words.
    - count: number of test images.
    - own_accuracy: fraction right of the labels the submission's own predict gave (None when not asked).
    - disagreements: indices of the images where those labels are not the grader's (see ``agreement``).
    - examples: up to 3 (index, submission's label, grader's label) of them, for messages.
    - problems: why the figure cannot count (e.g. predictions that do not depend on the weights).
    - notes: facts for the message (why the model was run in the worker).
    """

    accuracy: float
    method: str
    count: int
    own_accuracy: float = None
    disagreements: list = field(default_factory=list)
    examples: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def agreement_problem(self, what):
        """Why the submission's labels are not its weights' (None when they agree)."""
        if not self.disagreements:
            return None
        shown = "; ".join(f"image {i}: {what} gives {own}, the weights' largest score is class {grader}" for i, own, grader in self.examples)
        text = (f"the labels of {what} are not those of the trained weights on {len(self.disagreements):,} of {self.count:,} test images "
                f"({shown})")
        if self.own_accuracy is not None and self.own_accuracy > self.accuracy + 0.02:
            text += (f"; they would score {self.own_accuracy:.4f} where the weights score {self.accuracy:.4f}, far above what the "
                     f"weights reach: predictions that do not come from the model (such as a table of the test set) earn nothing")
        return text

    def flag(self, ceiling, what):
        """A flag for the message when the accuracy is far above ``ceiling``, what the architecture reaches (None: no flag)."""
        if ceiling is None or self.accuracy <= ceiling:
            return None
        return (f"FLAGGED for the course staff: {self.accuracy:.4f} is far above what {what} reaches with this schedule (at most about "
                f"{ceiling:.2f}); were the weights fitted to the test set?")

    def describe(self, what):
        """How the figure was measured and how ``what``'s own labels compare, in words."""
        parts = [self.method] + self.notes
        if self.own_accuracy is not None and not self.disagreements:
            parts.append(f"{what} gives these labels on all {self.count:,} images")
        return "; ".join(parts)

    def verdict(self, threshold, what, ceiling=None, architecture="this architecture", context=""):
        """(passed, message) against ``threshold``: passed when nothing stops the figure from counting, the labels of ``what`` (the
        submission's predict, in words) are the weights' and the accuracy reaches the threshold. ``context`` (the schedule, the
        data) ends the message; an accuracy above ``ceiling`` is flagged as far above what ``architecture`` reaches."""
        failures = list(self.problems)
        disagreement = self.agreement_problem(what)
        if disagreement:
            failures.append(disagreement)
        if self.accuracy < threshold:
            failures.insert(0, f"test accuracy {self.accuracy:.4f} is below the required {threshold:.2f}")
        details = "; ".join(part for part in (self.describe(what), context) if part)
        flag = self.flag(ceiling, architecture)
        if failures:
            message = "; ".join(failures) + f" ({details})"
        else:
            message = f"test accuracy {self.accuracy:.4f} (required: {threshold:.2f}; {details})"
        return not failures, message + (f". {flag}" if flag else "")


def compare(scores, own_labels, y, method, notes=()):
    """A ModelAccuracy from the grader's ``scores`` (N, C) of the test images, the submission's own labels for them (or None) and the true labels y (N,)."""
    scores = np.asarray(scores, dtype=np.float64)
    result = ModelAccuracy(accuracy=float(np.mean(scores.argmax(axis=1) == y)), method=method, count=len(y), notes=list(notes))
    if own_labels is not None:
        own_labels = np.asarray(own_labels).reshape(-1)
        result.own_accuracy = float(np.mean(own_labels == y))
        wrong = np.flatnonzero(~agreement(own_labels, scores))
        result.disagreements = wrong.tolist()
        result.examples = [(int(i), int(own_labels[i]), int(scores[i].argmax())) for i in wrong[:3]]
    return result


def worker_accuracy(submission, model, X, y, predict_labels, seed, reason, chunk=CHUNK):
    """A ModelAccuracy for a torch model the grader cannot rebuild, measured in the worker.

    ``predict_labels(X) -> labels (N,)`` runs the model in the worker (e.g. its predict, or argmax of its output). The test images
    are perturbed with ``seed`` first; then the model's state_dict is scrambled in place (``load_state``), the first
    SCRAMBLE_CHECK_IMAGES images predicted again, and the state restored: a model that then still scores above the larger of
    SCRAMBLED_CEILING and the commonest label's share plus SCRAMBLED_MARGIN does not predict from its weights, and its accuracy
    does not count.
    """
    from autograder.worker.protocol import Tensor

    images = perturb(X, seed)
    labels = np.concatenate([np.asarray(predict_labels(images[start:start + chunk])).reshape(-1) for start in range(0, len(images), chunk)])
    result = ModelAccuracy(accuracy=float(np.mean(labels == y)), count=len(y),
                           method="your model run in the worker on the test images with an invisible perturbation "
                                  "(each pixel moved by at most one grey level)",
                           notes=[f"the grader cannot run it itself: {reason}"])
    state = submission.introspect("state_dict", model)
    check = slice(0, min(SCRAMBLE_CHECK_IMAGES, len(images)))
    submission.introspect("load_state", model, {name: Tensor(value) for name, value in scrambled(state, seed).items()})
    try:
        after = np.asarray(predict_labels(images[check])).reshape(-1)
    finally:
        submission.introspect("load_state", model, {name: Tensor(np.asarray(value)) for name, value in state.items()})
    scrambled_accuracy = float(np.mean(after == y[check]))
    commonest = float(np.bincount(np.asarray(y[check], dtype=np.int64)).max() / len(after))
    result.notes.append(f"with its weights scrambled it scores {scrambled_accuracy:.4f}")
    if scrambled_accuracy > max(SCRAMBLED_CEILING, commonest + SCRAMBLED_MARGIN):
        result.problems.append(f"with its weights scrambled the model still scores {scrambled_accuracy:.4f} on {len(after)} test images "
                               f"(chance: about 0.1): its predictions do not come from its weights, so its accuracy does not count")
    return result


def measure_torch_model(submission, model, X, y, predict_labels, seed, own_labels=None, chunk=CHUNK):
    """A ModelAccuracy of a trained torch model (a proxy) on test images X (N, ...) with labels y (N,).

    The grader rebuilds the model from its layers and state_dict (``rebuilt_model``) and runs it itself; the labels the
    submission's own code gives for X (``own_labels`` (N,), or else ``predict_labels(images) -> labels`` run on X in chunks)
    must be those of that forward pass. A model the grader cannot rebuild is measured by ``worker_accuracy`` with
    ``predict_labels`` and ``seed`` instead.
    """
    try:
        grader_model = rebuilt_model(submission, model)
    except NotRebuildable as exc:
        return worker_accuracy(submission, model, X, y, predict_labels, seed, str(exc), chunk)
    if own_labels is None:
        own_labels = np.concatenate([np.asarray(predict_labels(X[start:start + chunk])).reshape(-1) for start in range(0, len(X), chunk)])
    return compare(grader_logits(grader_model, X, chunk), own_labels, y, "the grader's own forward pass (eval mode) of the trained state_dict")
