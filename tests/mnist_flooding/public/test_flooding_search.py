"""Public tests of the search over flood levels (part 5.3).

The grader runs the submitted ``search_flood_level`` with [training.search]: the first examples of its own
8:2 split and a narrow hidden layer, so that the 21 trainings take seconds. It then trains the levels of
[training.search] ``checked_levels`` and the best one again itself, through the submitted ``build_mlp`` and
``fit`` (deterministic under their seeds), and checks the validation errors the search recorded, the level
it chose and the curves it returned.
"""

from dataclasses import dataclass

import numpy as np
import pytest

from autograder.assertions import as_float, describe
from autograder.sandbox import SubmissionError
from autograder.worker.protocol import Tensor
from checks import assert_error_matches, checked_history

LEVELS = [step / 100 for step in range(21)]


@dataclass
class SearchRun:
    """What search_flood_level returned, and the grader's own trainings of the checked levels: {level: history}."""

    result: object
    retrained: dict
    schedule: dict

    def describe(self):
        """The search's schedule in words."""
        s = self.schedule
        return (f"search_flood_level on {s['train_size']} training and {s['val_size']} validation examples, epochs={s['epochs']}, "
                f"batch_size={s['batch_size']}, seed={s['seed']}, hidden_units={s['hidden_units']}")

    def field(self, key):
        """The entry ``key`` of the returned dict."""
        assert isinstance(self.result, dict) and key in self.result, (
            f"{self.describe()}: expected a dict with keys levels, val_error, best_level, history; got {describe(self.result)}")
        return self.result[key]

    def numbers(self, key):
        """The entry ``key`` as a list of 21 floats, one per level."""
        value = self.field(key)
        assert isinstance(value, (list, tuple, np.ndarray)) and len(value) == len(LEVELS), (
            f"{self.describe()}: result[{key!r}] should hold {len(LEVELS)} values, one per level, got {describe(value)}")
        return [as_float(f"result[{key!r}][{i}]", item) for i, item in enumerate(value)]


@pytest.fixture(scope="module")
def search(submission, manifest, mnist_data):
    """The submitted search on the grader's slice, and the checked levels and the best one trained again by the grader: a SearchRun."""
    flooding = submission.module("flooding")
    s = manifest.training["search"]
    data = [Tensor(mnist_data.X_train[:s["train_size"]]), Tensor(mnist_data.y_train[:s["train_size"]]),
            Tensor(mnist_data.X_val[:s["val_size"]]), Tensor(mnist_data.y_val[:s["val_size"]])]
    try:
        with submission.time_limit(manifest.limits.training_seconds):
            result = flooding.search_flood_level(*data, s["epochs"], s["batch_size"], seed=s["seed"], hidden_units=s["hidden_units"])
            run = SearchRun(result, {}, s)
            best = LEVELS[int(np.argmin(run.numbers("val_error")))]
            for level in sorted({*s["checked_levels"], best}):
                run.retrained[level] = flooding.fit(flooding.build_mlp(s["seed"], s["hidden_units"]), *data, s["epochs"], s["batch_size"],
                                                    flood_level=level, seed=s["seed"])
    except SubmissionError as exc:
        raise SubmissionError(f"the grader's search with [training.search] failed: {exc}") from exc
    return run


@pytest.mark.graded(part="5.3", points=2)
def test_the_search_trains_every_one_of_the_21_levels(search, record_property):
    """search_flood_level() tries b = 0.00, ..., 0.20 and records each level's final validation error (retraining checks 6 levels)."""
    levels = search.numbers("levels")
    assert np.allclose(levels, LEVELS, rtol=0, atol=1e-9), f"{search.describe()}: expected the levels {LEVELS}, got {levels}"
    recorded = dict(zip(LEVELS, search.numbers("val_error")))
    for level, retrained in search.retrained.items():
        history = checked_history(f"fit(..., flood_level={level:.2f})", retrained, search.schedule["epochs"])
        assert_error_matches(f"{search.describe()}: result['val_error'] for b = {level:.2f}, against fit with that level",
                             recorded[level], history["val_error"][-1])
    record_property("output", f"{search.describe()}: validation errors {[round(e, 2) for e in recorded.values()]}%, "
                              f"checked by training b = {', '.join(f'{level:.2f}' for level in search.retrained)} again")


@pytest.mark.graded(part="5.3", points=1)
def test_the_best_level_has_the_lowest_recorded_validation_error(search, record_property):
    """search_flood_level()'s best_level is the level of the lowest recorded validation error (the first on a tie)."""
    recorded = search.numbers("val_error")
    expected = LEVELS[int(np.argmin(recorded))]
    best = as_float("result['best_level']", search.field("best_level"))
    assert np.isclose(best, expected, rtol=0, atol=1e-9), (
        f"{search.describe()}: expected best_level {expected:.2f} (validation error {min(recorded):.2f}%), got {best:.2f}")
    record_property("output", f"best level {best:.2f} ({search.describe()})")


@pytest.mark.graded(part="5.3", points=1)
def test_the_curves_under_the_best_level_are_the_fit_of_that_level(search):
    """search_flood_level()'s history is the best level's: one error per epoch in percent, as fit with that level gives."""
    epochs = search.schedule["epochs"]
    curves = checked_history(f"{search.describe()}: result['history']", search.field("history"), epochs)
    best = LEVELS[int(np.argmin(search.numbers("val_error")))]
    expected = checked_history(f"fit(..., flood_level={best:.2f})", search.retrained[best], epochs)
    for key in ("train_error", "val_error"):
        assert np.allclose(curves[key], expected[key], rtol=0, atol=1e-6), (
            f"{search.describe()}: result['history'][{key!r}] should be the curve of the best level b = {best:.2f}, "
            f"expected {expected[key]}, got {curves[key]}")
