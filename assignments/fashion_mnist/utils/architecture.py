"""Architecture constraints of the course's PyTorch models, checked the same way by students and graders.

A model is described by ``autograder.worker.introspect.torch_module_summary`` (its leaf layers in
order, with their hyper-parameters and parameter counts). Graders get that description from the
sandboxed worker as data; students call ``architecture_report(model, ...)`` on their own model.
``check_summary`` turns a description into the facts a course staff member checks by hand:

- layer types used, and those not allowed;
- hidden units: the ``out_features`` of every Linear layer except the last;
- hidden layers: the number of Linear layers minus one;
- parameters: the number of scalar parameters.
"""

from dataclasses import dataclass, field


@dataclass
class ArchitectureReport:
    """What ``check_summary`` found, and the constraints it broke (``problems``, in words)."""

    layer_types: list
    disallowed_layers: list
    hidden_units: int
    hidden_layers: int
    num_parameters: int
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        """Whether every constraint holds."""
        return not self.problems

    def __str__(self):
        facts = (f"layers {' -> '.join(self.layer_types)}; {self.hidden_units} hidden units in {self.hidden_layers} "
                 f"hidden layer{'' if self.hidden_layers == 1 else 's'}; "
                 f"{self.num_parameters:,} parameters")
        return facts + ("" if self.ok else "; " + "; ".join(self.problems))


def check_summary(summary, *, allowed_layers=None, max_hidden_units=None, min_hidden_layers=None,
                  max_parameters=None, required_layers=()):
    """Check a model description against the constraints given (None: not checked).

    Inputs:
    - summary: {"num_parameters": int, "layers": [{"type": str, "config": dict, "num_parameters": int}, ...]}.
    - allowed_layers: layer type names the model may use, e.g. ("Flatten", "Linear", "ReLU").
    - max_hidden_units: at most this many hidden units.
    - min_hidden_layers: at least this many hidden layers.
    - max_parameters: fewer than this many parameters.
    - required_layers: layer type names that must each appear at least once.

    Returns an ArchitectureReport.
    """
    types = [layer["type"] for layer in summary["layers"]]
    linear_outputs = [layer["config"]["out_features"] for layer in summary["layers"] if layer["type"] == "Linear"]
    report = ArchitectureReport(
        layer_types=types,
        disallowed_layers=sorted({kind for kind in types if allowed_layers is not None and kind not in allowed_layers}),
        hidden_units=int(sum(linear_outputs[:-1])),
        hidden_layers=max(len(linear_outputs) - 1, 0),
        num_parameters=int(summary["num_parameters"]),
    )
    if report.disallowed_layers:
        report.problems.append(f"layers not allowed: {', '.join(report.disallowed_layers)} (allowed: {', '.join(allowed_layers)})")
    if max_hidden_units is not None and report.hidden_units > max_hidden_units:
        report.problems.append(f"{report.hidden_units} hidden units, more than the {max_hidden_units} allowed")
    if min_hidden_layers is not None and report.hidden_layers < min_hidden_layers:
        report.problems.append(f"{report.hidden_layers} hidden layers, fewer than the {min_hidden_layers} required")
    if max_parameters is not None and report.num_parameters >= max_parameters:
        report.problems.append(f"{report.num_parameters:,} parameters, not fewer than {max_parameters:,}")
    for kind in required_layers:
        if kind not in types:
            report.problems.append(f"no {kind} layer (at least one is required)")
    return report


def architecture_report(model, **constraints):
    """Check a torch model of one's own: ``check_summary`` on its description (same keyword constraints)."""
    from autograder.worker.introspect import torch_module_summary

    return check_summary(torch_module_summary(model), **constraints)
