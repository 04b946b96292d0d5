"""Assertions that grading suites share: each fails with a message that names the value, says what was
expected and what came back (type, shape, first differing index, largest difference).

Suites of every assignment import them (``from autograder.assertions import assert_array_close``);
they run in the grader process on data that came back from the worker.
"""

import numpy as np

from autograder.tolerance import largest_difference, ulp_tolerance


def describe(value):
    """A short description of a returned value: its type, and shape and dtype for arrays."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a value of type {type(value).__name__} ({str(value)[:80]})"


def assert_array(name, value, shape=None, kind=None):
    """``value`` is a numpy array, of ``shape`` when given, of dtype kind ``kind`` ("f" float, "i" integer) when given."""
    assert isinstance(value, np.ndarray), f"{name}: expected a numpy array, got {describe(value)}"
    if shape is not None:
        assert value.shape == tuple(shape), f"{name}: expected shape {tuple(shape)}, got shape {value.shape}"
    if kind == "f":
        assert value.dtype.kind == "f", f"{name}: expected a floating-point array, got dtype {value.dtype}"
    elif kind == "i":
        assert value.dtype.kind in "iu", f"{name}: expected an integer array, got dtype {value.dtype}"


def assert_array_close(name, actual, expected, rtol=1e-7, atol=1e-10):
    """``actual`` is an array of ``expected``'s shape whose values match within ``rtol`` and ``atol``.

    The absolute tolerance is never below ``CROSS_MACHINE_ULPS`` ulps of ``expected``'s floating-point dtype
    at its scale (``autograder.tolerance``), what another CPU may round differently; integer expected
    values are compared exactly when ``rtol`` and ``atol`` are 0.

    Inputs:
    - name: what the array is, for the message (e.g. "W1 after one _backward").
    - actual: the returned value.
    - expected: array of the expected values.
    """
    expected = np.asarray(expected)
    assert_array(name, actual, shape=expected.shape)
    assert actual.dtype.kind in "biuf", f"{name}: expected numbers, got dtype {actual.dtype}"
    atol = max(atol, ulp_tolerance(expected))
    actual64 = actual.astype(np.float64)
    expected64 = expected.astype(np.float64)
    close = np.isclose(actual64, expected64, rtol=rtol, atol=atol, equal_nan=False)
    if close.all():
        return
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    difference, worst = largest_difference(actual64, expected64)
    raise AssertionError(
        f"{name}: {len(wrong)} of {expected.size} values differ from the expected ones (rtol={rtol:g}, atol={atol:.3g}); "
        f"first at index {first}: expected {expected64[first]:.10g}, got {actual64[first]:.10g}; "
        f"largest difference {difference:.3g} at index {worst} (expected {expected64[worst]:.10g}, got {actual64[worst]:.10g})"
    )


def as_float(name, value):
    """``value`` as a Python float; it must be a real number (a 0-d or one-element array is accepted)."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        return float(value.reshape(()))
    assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{name}: expected a float, got {describe(value)}"
    return float(value)


def assert_float_close(name, actual, expected, rtol=1e-7, atol=1e-10):
    """``actual`` is a real number within ``rtol``/``atol`` of ``expected`` (a number or a 0-d array).

    As in ``assert_array_close``, the absolute tolerance is never below ``CROSS_MACHINE_ULPS`` ulps of
    ``expected``'s dtype (float64 for a Python float) at its magnitude.
    """
    value = as_float(name, actual)
    expected_array = np.asarray(expected)
    atol = max(atol, ulp_tolerance(expected_array, dtype=expected_array.dtype if expected_array.dtype.kind == "f" else np.float64))
    expected = float(expected)
    assert np.isclose(value, expected, rtol=rtol, atol=atol), (
        f"{name}: expected {expected:.10g}, got {value:.10g} (difference {abs(value - expected):.3g}; rtol={rtol:g}, atol={atol:.3g})"
    )


def near_maximum(logits, tolerance=None):
    """(N, C) boolean: which entries of each row of ``logits`` (N, C) are within ``tolerance`` of the row's largest.

    ``tolerance`` defaults to ``ulp_tolerance(logits)``: on another machine any of them may be the argmax.
    """
    logits = np.asarray(logits)
    tolerance = ulp_tolerance(logits) if tolerance is None else tolerance
    return logits.astype(np.float64) >= logits.max(axis=1, keepdims=True).astype(np.float64) - tolerance


def assert_labels_are_argmax(name, labels, logits, tolerance=None):
    """``labels`` is an integer array (N,) whose every entry is an argmax of its row of ``logits`` (N, C).

    Where a row's largest logits tie within ``tolerance`` (see ``near_maximum``), each of them is accepted.
    """
    logits = np.asarray(logits)
    assert_array(name, labels, shape=logits.shape[:1], kind="i")
    candidates = near_maximum(logits, tolerance)
    in_range = (labels >= 0) & (labels < logits.shape[1])
    right = in_range & candidates[np.arange(len(labels)), np.clip(labels, 0, logits.shape[1] - 1)]
    if right.all():
        return
    wrong = np.flatnonzero(~right)
    first = int(wrong[0])
    raise AssertionError(
        f"{name}: {len(wrong)} of {len(labels)} labels are not the argmax of their row; "
        f"first at row {first}: expected {logits[first].argmax()}, got {labels[first]}"
    )


def accuracy_range(logits, labels, tolerance=None):
    """(lowest, highest) fraction of rows of ``logits`` (N, C) whose argmax is ``labels`` (N,) on any machine.

    A row counts as right for sure when its true label's logit is the only one within ``tolerance`` of the
    largest (see ``near_maximum``), and may count as right when it is one of several.
    """
    candidates = near_maximum(logits, tolerance)
    rows = np.arange(len(labels))
    true_is_candidate = candidates[rows, labels]
    alone = candidates.sum(axis=1) == 1
    return float(np.mean(true_is_candidate & alone)), float(np.mean(true_is_candidate))


def assert_accuracy_matches(name, actual, logits, labels, tolerance=None):
    """``actual`` is the fraction of rows of ``logits`` (N, C) whose argmax is ``labels`` (N,), near ties read either way."""
    value = as_float(name, actual)
    lowest, highest = accuracy_range(logits, labels, tolerance)
    slack = 1e-6
    if lowest == highest:
        assert abs(value - lowest) <= slack, f"{name}: expected {lowest:.6g}, got {value:.6g}"
    else:
        assert lowest - slack <= value <= highest + slack, (
            f"{name}: expected a value from {lowest:.6g} to {highest:.6g} (rows with near-tied logits may go either way), got {value:.6g}"
        )


def relative_error(actual, expected):
    """||actual - expected|| / (||actual|| + ||expected||) over all entries (0 when both are 0)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = np.linalg.norm(actual) + np.linalg.norm(expected)
    return float(np.linalg.norm(actual - expected) / scale) if scale > 0 else 0.0


def assert_gradient_close(name, actual, expected, source, tolerance=1e-6):
    """The gradient ``actual`` has ``expected``'s shape and a relative error (see ``relative_error``) below ``tolerance``.

    ``source`` says where ``expected`` comes from (e.g. "central finite differences"), for the message.
    """
    expected = np.asarray(expected)
    assert_array(name, actual, shape=expected.shape)
    error = relative_error(actual, expected)
    if error < tolerance:
        return
    difference = np.abs(actual - expected)
    worst = tuple(int(i) for i in np.unravel_index(np.nanargmax(np.where(np.isnan(difference), np.inf, difference)), difference.shape))
    raise AssertionError(
        f"{name}: relative error {error:.3g} against {source} (must be below {tolerance:g}); "
        f"largest difference {difference[worst]:.3g} at index {worst}: expected {expected[worst]:.10g}, got {actual[worst]:.10g}"
    )


def metric_list(name, value, epochs, finite=True):
    """``value`` as a list of ``epochs`` floats (one per epoch), finite ones when ``finite``; fails with a message otherwise."""
    is_sequence = isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.ndim == 1)
    assert is_sequence, f"{name}: expected a list of {epochs} floats (one per epoch), got {describe(value)}"
    assert len(value) == epochs, f"{name}: expected {epochs} values (one per epoch), got {len(value)}"
    numbers = [as_float(f"{name}[{i}]", item) for i, item in enumerate(value)]
    assert not finite or all(np.isfinite(numbers)), f"{name}: expected finite values, got {numbers}"
    return numbers


def assert_history(history, keys, epochs, finite=True):
    """``history`` is a dict holding ``keys``, each a list of ``epochs`` floats (finite when ``finite``); returns {key: [float]}."""
    assert isinstance(history, dict), f"train() should return a dict with keys {sorted(keys)}, got {describe(history)}"
    missing = sorted(set(keys) - set(history))
    assert not missing, f"the history returned by train() lacks the keys {missing}: expected {sorted(keys)}, got {sorted(history)}"
    return {key: metric_list(f"history[{key!r}]", history[key], epochs, finite) for key in keys}


def collect_written_answer(question, text, record_property, max_chars=4000):
    """Collect a free-text answer for a person to grade; it is never scored by keyword.

    ``text`` is what the student's answer function returned. The test fails only when there is no
    answer (not a string, or blank); otherwise the text is recorded as the test's message, so it shows
    in results.json and the feedback page under the question's name.
    """
    assert isinstance(text, str) and text.strip(), f"{question}: expected a written answer (a non-empty string), got {describe(text)}"
    shown = text.strip() if len(text.strip()) <= max_chars else text.strip()[:max_chars] + f" [... {len(text.strip()) - max_chars} more characters]"
    record_property("output", f"{question}: collected for grading by a person.\n{shown}")


def assert_defines_functions(submission, module, names):
    """The submitted ``module`` (e.g. "answers") imports and defines a function for each of ``names``; no value is checked.

    ``submission`` is the suite's ``submission`` fixture; a name that is missing or not a function is listed in the message.
    """
    from autograder.sandbox import SubmissionError

    proxy = submission.module(module)
    missing, not_functions = [], {}
    for name in names:
        try:
            kind = submission.introspect("type_name", getattr(proxy, name))
        except SubmissionError:
            missing.append(name)
            continue
        if kind != "builtins.function":
            not_functions[name] = kind
    assert not missing, f"{module}.py: expected a function for every question, got these missing: {missing}"
    assert not not_functions, f"{module}.py: expected these names to be functions (def name(...)), got other values: {not_functions}"
