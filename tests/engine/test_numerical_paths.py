"""Same grades on every machine: the committed reference outputs stay fresh, and the paths reach the worker,
when numpy, MKL, oneDNN and torch take another CPU's numerical path (``autograder.numerical_paths``).

That the reference keeps full marks on those paths is shown by ``make validate-numerics`` (part of ``make test``),
which runs ``validate`` for every assignment on the generic path.
"""

import pytest

from autograder import numerical_paths
from autograder.numerical_paths import NUMERICAL_PATHS, freshness_under
from autograder.sandbox import REPO_ROOT
from autograder.tolerance import CROSS_MACHINE_ULPS

ASSIGNMENTS_WITH_OUTPUTS = sorted(path.parent.name for path in (REPO_ROOT / "solutions").glob("*/reference_outputs.py"))

PROBE = """
import torch


def numerical_path():
    return {"capability": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads()}
"""


@pytest.mark.parametrize("path", sorted(NUMERICAL_PATHS))
def test_the_committed_reference_outputs_are_fresh_on_every_simulated_cpu(path):
    """Recomputed in an interpreter on ``path``, every assignment's reference outputs match the committed ones."""
    for assignment in ASSIGNMENTS_WITH_OUTPUTS:
        found = freshness_under(path, assignment)
        assert found["stale"] == {}, f"{assignment} on the {path} path: expected the committed outputs to be fresh, got {found['stale']}"
        assert found["largest_ulps"] <= CROSS_MACHINE_ULPS / 8, (
            f"{assignment} on the {path} path: expected rounding differences well inside the tolerance "
            f"(at most {CROSS_MACHINE_ULPS / 8:g} of its {CROSS_MACHINE_ULPS} ulps), got {found['largest_ulps']:.1f} ulps"
        )


def test_the_generic_path_really_rounds_differently():
    """The simulation is not a no-op: on the generic path some committed float arrays differ in their last bits."""
    rounded = [f"{assignment}:{name}" for assignment in ASSIGNMENTS_WITH_OUTPUTS for name in freshness_under("generic", assignment)["rounded"]]
    assert rounded, "expected the generic kernels to round some reference outputs differently from this CPU's, got identical bits"


def test_a_numerical_path_of_the_grader_reaches_the_worker(sandboxed, monkeypatch):
    """A worker computes on the numerical path the grader's environment selects (kernels and threads)."""
    for name, value in NUMERICAL_PATHS["generic"][1].items():
        monkeypatch.setenv(name, value)
    found = sandboxed({"other.py": PROBE}).module("other").numerical_path()
    assert found == {"capability": "DEFAULT", "threads": 1}, (
        f"expected the worker on torch's generic kernels with one thread, got {found}"
    )


def test_the_command_reports_a_stale_array_and_fails(monkeypatch, capsys):
    """``python -m autograder.numerical_paths fresh`` prints what is stale and exits 1."""
    stale = {"stale": {"public": ["logits: largest difference 1"]}, "rounded": [], "largest_ulps": 0.0}
    monkeypatch.setattr(numerical_paths, "freshness_under", lambda path, assignment: stale)
    status = numerical_paths.main(["fresh", "toy", "--path", "generic"])
    printed = capsys.readouterr().out
    assert status == 1 and "toy: stale: {'public': ['logits: largest difference 1']}" in printed, (
        f"expected exit status 1 and the stale array printed, got {status} and {printed!r}"
    )
