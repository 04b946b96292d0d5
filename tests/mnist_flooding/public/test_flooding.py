"""Public tests of flooding.py without training: the split, the network, the optimizer (part 5.2) and the flooded
objective with its gradient, the flood levels (part 5.3).

The gradient tests build a small network and a plain SGD optimizer in the worker through flooding.py's own
``torch``, so that they depend on ``training_step`` and ``flooded_loss`` only; the grader computes what the
step must do with torch autograd on the same weights.
"""

import numpy as np
import pytest

from autograder.assertions import as_float, assert_array, assert_array_close, describe
from autograder.worker.protocol import Tensor
from checks import NUM_CLASSES, flooded_step, random_batch, small_network, worker_torch
from utils.architecture import check_summary

MLP_LAYERS = [
    {"type": "Flatten", "config": {"start_dim": 1, "end_dim": -1}},
    {"type": "Linear", "config": {"in_features": 784, "out_features": 500, "bias": True}},
    {"type": "ReLU", "config": {}},
    {"type": "Linear", "config": {"in_features": 500, "out_features": NUM_CLASSES, "bias": True}},
]
STEP_LEARNING_RATE = 0.1


def split_of(flooding, num_examples, seed):
    """``split_train_validation(num_examples, seed)`` checked to return two integer index arrays: (train, val)."""
    answer = flooding.split_train_validation(num_examples, seed)
    name = f"split_train_validation({num_examples}, seed={seed})"
    assert isinstance(answer, (list, tuple)) and len(answer) == 2, f"{name}: expected (train_indices, val_indices), got {describe(answer)}"
    for part, indices in zip(("train_indices", "val_indices"), answer):
        assert_array(f"{name}: {part}", indices, kind="i")
        assert indices.ndim == 1, f"{name}: {part} should be one-dimensional, got shape {indices.shape}"
    return answer


@pytest.mark.graded(part="5.2", points=1.5)
def test_the_split_is_8_to_2_disjoint_and_covers_every_example(submission):
    """split_train_validation splits N examples 8:2 into disjoint index sets that together hold 0..N-1."""
    flooding = submission.module("flooding")
    for num_examples in (60000, 4000, 1003):
        train, val = split_of(flooding, num_examples, 0)
        name = f"split_train_validation({num_examples}, seed=0)"
        allowed = sorted({num_examples // 5, -(-num_examples // 5)})
        assert len(val) in allowed, f"{name}: expected {' or '.join(map(str, allowed))} validation indices (20%), got {len(val)}"
        assert len(train) + len(val) == num_examples, (
            f"{name}: expected {num_examples - len(val)} training indices with {len(val)} validation ones, got {len(train)}")
        both = np.intersect1d(train, val)
        assert both.size == 0, f"{name}: {both.size} indices are in both sets, e.g. {both[:5].tolist()}"
        assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(num_examples)), (
            f"{name}: the two sets together should hold every index 0..{num_examples - 1} once; "
            f"got values from {min(train.min(), val.min())} to {max(train.max(), val.max())}")


@pytest.mark.graded(part="5.2", points=0.5)
def test_the_split_is_random_and_seeded(submission):
    """The split is a random one drawn from its seed: the same seed gives it again, another seed another split."""
    flooding = submission.module("flooding")
    first, again, other = (split_of(flooding, 1000, seed) for seed in (0, 0, 1))
    assert all(np.array_equal(a, b) for a, b in zip(first, again)), "split_train_validation(1000, seed=0) gave two different splits"
    assert not np.array_equal(np.sort(first[1]), np.sort(other[1])), (
        "split_train_validation(1000, seed=0) and (1000, seed=1) chose the same validation examples: the seed is not used")
    val = np.sort(first[1])
    assert not (np.array_equal(val, np.arange(len(val))) or np.array_equal(val, np.arange(1000 - len(val), 1000))), (
        "split_train_validation(1000, seed=0): the validation set is the first or last 20% of the examples; expected a random choice")


@pytest.mark.graded(part="5.2", points=1.5)
def test_build_mlp_is_the_handouts_one_hidden_layer_of_500_relu_units(submission):
    """build_mlp() is Flatten, Linear(784, 500), ReLU, Linear(500, 10): one hidden layer of 500 ReLU units."""
    summary = submission.introspect("torch_module_summary", submission.module("flooding").build_mlp(0))
    report = check_summary(summary, allowed_layers=("Flatten", "Linear", "ReLU"))
    assert report.ok and report.hidden_units == 500 and report.hidden_layers == 1, (
        f"build_mlp(): expected one hidden layer of 500 units built from Flatten, Linear and ReLU, got: {report}")
    layers = [{"type": layer["type"], "config": layer["config"]} for layer in summary["layers"]]
    assert layers == MLP_LAYERS, f"build_mlp(): expected the layers {MLP_LAYERS}, got {layers}"


@pytest.mark.graded(part="5.2", points=0.5)
def test_build_mlp_maps_images_to_ten_logits_and_is_seeded(submission):
    """build_mlp(seed) maps (N, 784) and (N, 1, 28, 28) images to logits (N, 10); the same seed gives the same weights."""
    flooding = submission.module("flooding")
    model = flooding.build_mlp(0)
    images = np.random.default_rng(0).uniform(0, 1, size=(3, 1, 28, 28)).astype(np.float32)
    for shaped in (images, images.reshape(3, 784)):
        logits = model(Tensor(shaped))
        assert_array(f"build_mlp(0) on images of shape {shaped.shape}", logits, shape=(3, NUM_CLASSES), kind="f")
    first, again, other = (submission.introspect("state_dict", flooding.build_mlp(seed)) for seed in (5, 5, 6))
    assert all(np.array_equal(first[name], again[name]) for name in first), "build_mlp(5) built twice gave different initial weights"
    assert any(not np.array_equal(first[name], other[name]) for name in first), "build_mlp(5) and build_mlp(6) have the same weights"


@pytest.mark.graded(part="5.2", points=1.5)
def test_make_optimizer_is_sgd_with_learning_rate_0_1_and_momentum_0_9_over_every_parameter(submission):
    """make_optimizer(model) is torch.optim.SGD(lr=0.1, momentum=0.9), no weight decay, no Nesterov, over all parameters."""
    flooding = submission.module("flooding")
    model = flooding.build_mlp(0)
    optimizer = flooding.make_optimizer(model)
    kind = submission.introspect("type_name", optimizer)
    assert kind == "torch.optim.sgd.SGD", f"make_optimizer: expected a torch.optim.SGD, got a {kind}"
    groups = optimizer.param_groups
    expected = {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.0, "dampening": 0.0, "nesterov": False}
    for index, group in enumerate(groups):
        settings = {key: group.get(key) for key in expected}
        assert all(np.isclose(settings[key], value) if not isinstance(value, bool) else settings[key] is value
                   for key, value in expected.items()), f"make_optimizer: parameter group {index}: expected {expected}, got {settings}"
    optimized = sum(int(np.asarray(parameter).size) for group in groups for parameter in group["params"])
    total = submission.introspect("torch_module_summary", model)["num_parameters"]
    assert optimized == total, f"make_optimizer: expected the optimizer to update all {total:,} parameters of the model, got {optimized:,}"


@pytest.mark.graded(part="5.3", points=1.5)
def test_flooded_loss_is_the_absolute_distance_to_the_level_plus_the_level(submission, reference):
    """flooded_loss(R, b) = |R - b| + b on known loss values, below, at and above the level b."""
    flooding = submission.module("flooding")
    for losses, level, expected in zip(reference["flood_losses"], reference["flood_levels"], reference["flood_values"]):
        value = flooding.flooded_loss(Tensor(losses), float(level))
        assert_array_close(f"flooded_loss(R, b={level:.2f}) for R = {np.round(losses, 4).tolist()} (expected |R - b| + b)",
                           value, expected, rtol=1e-6, atol=1e-7)


def assert_training_step(submission, flood_level_offset):
    """training_step on a small network with a plain SGD optimizer (lr 0.1) moves the weights as autograd says.

    ``flood_level_offset``: None for the plain loss, else the level b is the batch's loss R plus this offset
    (negative: R above b, the plain gradient; positive: R below b, the opposite gradient).
    """
    flooding = submission.module("flooding")
    worker = worker_torch(flooding)
    model = small_network(worker, seed=3, hidden=16)
    optimizer = worker.optim.SGD(model.parameters(), lr=STEP_LEARNING_RATE)
    X, y = random_batch(seed=4, size=24)
    state = submission.introspect("state_dict", model)
    loss, _ = flooded_step(state, X, y, None, STEP_LEARNING_RATE)
    level = None if flood_level_offset is None else loss + flood_level_offset
    _, expected = flooded_step(state, X, y, level, STEP_LEARNING_RATE)
    returned = as_float("training_step(...)'s returned loss", flooding.training_step(model, optimizer, Tensor(X), Tensor(y), level))
    assert np.isclose(returned, loss, rtol=1e-5), f"training_step returned the loss {returned:.6f}; expected R before the step, {loss:.6f}"
    after = submission.introspect("state_dict", model)
    what = ("the plain loss R" if level is None else
            f"the flooded objective with b = {level:.4f} {'below' if flood_level_offset < 0 else 'above'} R = {loss:.4f}")
    direction = "p - lr * dR/dp" if level is None or flood_level_offset < 0 else "p + lr * dR/dp (gradient ascent)"
    for name, value in expected.items():
        assert_array_close(f"{name} after one training_step on {what} with SGD(lr={STEP_LEARNING_RATE}): expected {direction}",
                           after[name], value, rtol=1e-4, atol=1e-6)


@pytest.mark.graded(part="5.3", points=1.5)
def test_a_training_step_above_the_flood_level_follows_the_plain_gradient(submission):
    """training_step with R above b (and with no b) takes the plain step p - lr * dR/dp (torch autograd, 1e-4)."""
    assert_training_step(submission, None)
    assert_training_step(submission, -0.25)


@pytest.mark.graded(part="5.3", points=1.5)
def test_a_training_step_below_the_flood_level_climbs_the_gradient(submission):
    """training_step with R below b takes the opposite step p + lr * dR/dp: the flooded gradient flips sign (autograd, 1e-4)."""
    assert_training_step(submission, 0.25)


@pytest.mark.graded(part="5.3", points=1)
def test_flood_levels_are_the_21_values_from_0_to_0_2(submission):
    """flood_levels() is b = 0.00, 0.01, ..., 0.20 (21 floats, increasing)."""
    levels = submission.module("flooding").flood_levels()
    expected = [step / 100 for step in range(21)]
    assert isinstance(levels, (list, tuple, np.ndarray)) and len(levels) == len(expected), (
        f"flood_levels(): expected a list of {len(expected)} floats, got {describe(levels)}")
    numbers = [as_float(f"flood_levels()[{i}]", value) for i, value in enumerate(levels)]
    assert np.allclose(numbers, expected, rtol=0, atol=1e-9), f"flood_levels(): expected {expected}, got {numbers}"
