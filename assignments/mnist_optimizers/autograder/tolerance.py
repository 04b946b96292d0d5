"""How far apart two floating-point results of the same computation may be on different machines.

The same float computation rounds its last bits differently on different CPUs, thread counts and
kernels (AVX-512, AVX2 or generic loops, oneDNN or MKL code paths, another reduction order). Each
rounding step of a float32 computation is off by at most half a unit in the last place (ulp) of the
value it produces, and a sum or product of many terms inherits the ulps of its largest terms, so
the differences are bounded by a number of ulps of the *array's scale* (its largest magnitude), not
of each element: an element near zero that is the difference of two large terms (a logit, a weight
drawn as ``-a + 2a u``) can differ from one machine to another by many of its own ulps.

``CROSS_MACHINE_ULPS`` ulps of the array's scale is the bound used everywhere it matters:

- the freshness check of the committed reference outputs (``autograder.release``) accepts differences
  up to it, so that a handout generated on one machine is still fresh on another;
- ``autograder.assertions.assert_array_close`` and ``assert_float_close`` never compare more tightly
  than it, so that whatever the freshness check accepts, the suites accept too.

64 ulps leaves a margin of 16 over the largest difference seen between the numerical paths that the
engine's tests simulate (``autograder.numerical_paths``: generic, AVX2 and AVX-512 kernels, 1 to 3 threads):
3.8 ulps of scale for numpy's float64 activations, 2 for the seeded torch networks' weights and logits. It
is 7.6e-6 of the scale for float32 and 1.4e-14 for float64, far below any mistake a suite looks for.
"""

import numpy as np

CROSS_MACHINE_ULPS = 64


def scale_of(array):
    """The largest finite magnitude in ``array`` (1.0 when it has none, or only zeros)."""
    values = np.abs(np.asarray(array, dtype=np.float64))
    finite = values[np.isfinite(values)]
    largest = float(finite.max()) if finite.size else 0.0
    return largest if largest > 0 else 1.0


def ulp_tolerance(array, ulps=CROSS_MACHINE_ULPS, dtype=None):
    """Absolute tolerance: ``ulps`` units in the last place of ``dtype`` (default: ``array``'s) at ``array``'s scale.

    Integer and boolean arrays get 0: their values are exact.
    """
    dtype = np.dtype(dtype or np.asarray(array).dtype)
    if dtype.kind not in "fc":
        return 0.0
    return ulps * float(np.finfo(dtype).eps) * scale_of(array)


def largest_difference(actual, expected):
    """(difference, index) of the largest absolute difference between two arrays of one shape.

    Equal values (infinities of one sign, NaN against NaN included) differ by 0; a NaN or an infinity
    against anything else counts as an infinite difference. For an empty array: (0.0, ()).
    """
    actual64 = np.asarray(actual, dtype=np.float64)
    expected64 = np.asarray(expected, dtype=np.float64)
    if actual64.size == 0:
        return 0.0, ()
    same = (actual64 == expected64) | (np.isnan(actual64) & np.isnan(expected64))
    with np.errstate(invalid="ignore"):
        difference = np.where(same, 0.0, np.abs(actual64 - expected64))
    difference = np.where(np.isnan(difference), np.inf, difference)
    index = tuple(int(i) for i in np.unravel_index(np.argmax(difference), difference.shape))
    return float(difference[index]), index
