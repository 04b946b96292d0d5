"""Public tests of optimizers.py that need no training: the optimizers asked for, the MLP with and without
batch normalisation, and the two comparison plots (parts 3.1 and 3.2)."""

import pytest

from checks import OPTIMIZER_KINDS, OPTIMIZER_NAMES, assert_four_labelled_curves, mlp_problems, optimizer_problems, read_optimizer

PLOTTED = {
    "sgd": {"train_cost": [1.6, 0.55, 0.39, 0.3, 0.26], "val_accuracy": [0.7, 0.85, 0.84, 0.89, 0.81]},
    "momentum": {"train_cost": [1.39, 0.44, 0.27, 0.2, 0.15], "val_accuracy": [0.77, 0.87, 0.9, 0.92, 0.92]},
    "adagrad": {"train_cost": [0.61, 0.2, 0.12, 0.08, 0.05], "val_accuracy": [0.88, 0.91, 0.93, 0.94, 0.95]},
    "adam": {"train_cost": [0.9, 0.34, 0.23, 0.18, 0.13], "val_accuracy": [0.86, 0.87, 0.9, 0.92, 0.91]},
}


def assert_make_optimizer_gives(submission, name):
    """make_optimizer(name, model.parameters()) is the optimizer ``name`` asks for, over all of the MLP's parameters."""
    module = submission.module("optimizers")
    model = module.build_mlp(0)
    optimizer = module.make_optimizer(name, model.parameters())
    context = f"make_optimizer({name!r}, model.parameters())"
    kind, settings, count = read_optimizer(submission, optimizer, context)
    problems = optimizer_problems(name, kind, settings)
    assert not problems, f"{context}: {'; '.join(problems)}"
    expected = submission.introspect("torch_module_summary", model)["num_parameters"]
    assert count == expected, f"{context}: the optimizer should update all {expected} parameters of build_mlp(0), it holds {count}"


@pytest.mark.graded(part="3.1", points=1)
def test_make_optimizer_sgd_is_plain_sgd(submission):
    """make_optimizer("sgd") is torch.optim.SGD without momentum, over all the MLP's parameters."""
    assert_make_optimizer_gives(submission, "sgd")


@pytest.mark.graded(part="3.1", points=1)
def test_make_optimizer_momentum_is_sgd_with_momentum(submission):
    """make_optimizer("momentum") is torch.optim.SGD with 0 < momentum < 1, over all the MLP's parameters."""
    assert_make_optimizer_gives(submission, "momentum")


@pytest.mark.graded(part="3.1", points=1)
def test_make_optimizer_adagrad_is_adagrad(submission):
    """make_optimizer("adagrad") is torch.optim.Adagrad, over all the MLP's parameters."""
    assert_make_optimizer_gives(submission, "adagrad")


@pytest.mark.graded(part="3.1", points=1)
def test_make_optimizer_adam_is_adam(submission):
    """make_optimizer("adam") is torch.optim.Adam, over all the MLP's parameters."""
    assert_make_optimizer_gives(submission, "adam")


@pytest.mark.graded(part="3.1", points=1)
def test_build_mlp_has_two_hidden_layers(submission):
    """build_mlp() is an MLP with 784 inputs, two hidden layers and 10 outputs."""
    summary = submission.introspect("torch_module_summary", submission.module("optimizers").build_mlp(0))
    problems, report = mlp_problems(summary, batch_norm=False)
    assert not problems, f"build_mlp(0): {'; '.join(problems)} (found: {report})"


@pytest.mark.graded(part="3.1", points=1)
def test_the_training_cost_plot_has_the_four_labelled_curves(submission):
    """plot_histories draws the four training-cost curves, labelled with the optimizers' names, on one axes."""
    cost_figure, _ = submission.module("optimizers").plot_histories(PLOTTED)
    assert_four_labelled_curves(submission.introspect("figure_summary", cost_figure), PLOTTED, "train_cost", "training cost")


@pytest.mark.graded(part="3.1", points=1)
def test_the_validation_accuracy_plot_has_the_four_labelled_curves(submission):
    """plot_histories draws the four validation-accuracy curves, labelled with the optimizers' names, on one axes."""
    _, accuracy_figure = submission.module("optimizers").plot_histories(PLOTTED)
    assert_four_labelled_curves(submission.introspect("figure_summary", accuracy_figure), PLOTTED, "val_accuracy", "validation accuracy")


@pytest.mark.graded(part="3.2", points=1)
def test_the_batch_normalised_mlp_normalises_each_hidden_layer(submission):
    """build_mlp(batch_norm=True) has the same Linear layers with a BatchNorm1d on each hidden layer; its optimizer is one of the four kinds."""
    module = submission.module("optimizers")
    plain = submission.introspect("torch_module_summary", module.build_mlp(0))
    model = module.build_mlp(0, True)
    summary = submission.introspect("torch_module_summary", model)
    problems, report = mlp_problems(summary, batch_norm=True)
    assert not problems, f"build_mlp(0, batch_norm=True): {'; '.join(problems)} (found: {report})"
    shapes = [(layer["config"]["in_features"], layer["config"]["out_features"]) for layer in summary["layers"] if layer["type"] == "Linear"]
    expected = [(layer["config"]["in_features"], layer["config"]["out_features"]) for layer in plain["layers"] if layer["type"] == "Linear"]
    assert shapes == expected, f"build_mlp(0, batch_norm=True): expected the Linear layers of build_mlp(0), {expected}, got {shapes}"
    kind, settings, _ = read_optimizer(submission, module.make_batch_norm_optimizer(model.parameters()), "make_batch_norm_optimizer")
    fits = [name for name in OPTIMIZER_NAMES if not optimizer_problems(name, kind, settings)]
    assert fits, (f"make_batch_norm_optimizer: expected one of the four kinds "
                  f"({', '.join(kind for kind, _ in OPTIMIZER_KINDS.values())}) with valid settings, got {kind} with {settings}")
