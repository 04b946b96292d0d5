"""Other CPUs, simulated on this one: the numerical paths that numpy, MKL, oneDNN and torch can be told to take.

A float computation rounds its last bits differently on another CPU (AVX-512, AVX2 or generic kernels), with
another thread count or another library code path. The engine's tests and ``make validate-numerics`` run the
reference computations and the gradings under each path below, so that a handout generated here is shown to stay
fresh, and the reference to keep full marks, where users run them. ``OPENBLAS_CORETYPE`` is never changed: some
processors need it set.

Commands (course staff)::

    python -m autograder.numerical_paths fresh fashion_mnist mlp_cifar10      # the committed outputs, under every path
    python -m autograder.numerical_paths validate fashion_mnist --path generic  # `validate` under one path

Each prints, per path and assignment, what it found; the exit status is 1 when anything failed.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# numpy 2 names its dispatch targets by x86-64 level: X86_V3 is AVX2 and FMA, X86_V4 and AVX512_* are AVX-512.
AVX512_FEATURES = "X86_V4 AVX512_ICL AVX512_SPR"

# {name: (what it stands for, the environment variables that select it)}.
NUMERICAL_PATHS = {
    "generic": ("a generic x86-64 CPU, one thread: torch's, oneDNN's, MKL's and numpy's non-AVX kernels", {
        "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
        "NPY_DISABLE_CPU_FEATURES": f"X86_V3 {AVX512_FEATURES}", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }),
    "avx2": ("an AVX2 CPU without AVX-512 (AMD EPYC Zen 2 and 3, older Intel), three threads", {
        "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        "NPY_DISABLE_CPU_FEATURES": AVX512_FEATURES, "OMP_NUM_THREADS": "3", "MKL_NUM_THREADS": "3",
    }),
    "torch-default": ("torch's generic ATen kernels alone", {"ATEN_CPU_CAPABILITY": "default"}),
    "mkl-compatible": ("MKL's conditional-numerical-reproducibility path", {"MKL_CBWR": "COMPATIBLE"}),
    "one-thread": ("one thread everywhere", {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}),
}

# Prints {"stale": {split: [why]}, "rounded": ["split/name" of each array whose bits differ, within the tolerance],
# "largest_ulps": the largest of those differences in ulps of its array's dtype at the array's scale}.
FRESHNESS_SCRIPT = """
import json, sys
from pathlib import Path
import numpy as np
from autograder.release import reference_outputs, reference_outputs_path, stale_reference_outputs
from autograder.tolerance import largest_difference, ulp_tolerance
assignment, root = sys.argv[1], Path(sys.argv[2])
outputs = reference_outputs(assignment, root)
stale = stale_reference_outputs(assignment, root, outputs)
rounded, largest_ulps = [], 0.0
for split, arrays in outputs.items():
    if split not in stale:
        with np.load(reference_outputs_path(assignment, root, split), allow_pickle=False) as stored:
            for name, array in arrays.items():
                if array.tobytes() != stored[name].tobytes():
                    rounded.append(f"{split}/{name}")
                    largest_ulps = max(largest_ulps, largest_difference(array, stored[name])[0] / ulp_tolerance(stored[name], ulps=1))
print(json.dumps({"stale": stale, "rounded": rounded, "largest_ulps": largest_ulps}))
"""


def environment(path):
    """This process's environment with the variables of numerical path ``path`` set."""
    return {**os.environ, **NUMERICAL_PATHS[path][1]}


def freshness_under(path, assignment, repo_root=REPO_ROOT):
    """The committed reference outputs of ``assignment`` against the reference computed in a fresh interpreter
    on numerical path ``path``: {"stale": {split: [why]} ({} when fresh), "rounded": ["split/name", ...] of the
    arrays whose bits differ but stay within the tolerance, "largest_ulps": their largest difference in ulps of
    the array's scale}."""
    completed = subprocess.run(
        [sys.executable, "-c", FRESHNESS_SCRIPT, assignment, str(repo_root)], cwd=repo_root, env=environment(path),
        capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"computing the reference outputs of {assignment} on the {path} path failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def validate_under(path, assignment, out, repo_root=REPO_ROOT):
    """Run ``python -m autograder validate`` for ``assignment`` on numerical path ``path``; returns its exit status.

    The grading time measured on a simulated CPU is neither recorded nor judged (``--keep-timing``)."""
    command = [sys.executable, "-m", "autograder", "validate", assignment, "--out", str(Path(out) / path), "--keep-timing"]
    return subprocess.run(command, cwd=repo_root, env=environment(path), check=False).returncode


def main(argv=None):
    """Command line: ``fresh`` or ``validate``, assignments, ``--path`` (repeatable; default: every path)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.numerical_paths", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("fresh", "validate"))
    parser.add_argument("assignments", nargs="+")
    parser.add_argument("--path", action="append", choices=sorted(NUMERICAL_PATHS), help="a numerical path (default: all)")
    parser.add_argument("--out", type=Path, default=Path("out/numerical-paths"), help="validate's results folder")
    args = parser.parse_args(argv)
    failures = []
    for path in args.path or list(NUMERICAL_PATHS):
        print(f"== {path}: {NUMERICAL_PATHS[path][0]}", flush=True)
        for assignment in args.assignments:
            if args.command == "fresh":
                found = freshness_under(path, assignment)
                print(f"{assignment}: " + (f"stale: {found['stale']}" if found["stale"] else
                                           f"fresh ({len(found['rounded'])} arrays rounded differently, by up to "
                                           f"{found['largest_ulps']:.1f} ulps of their scale)"), flush=True)
                failed = bool(found["stale"])
            else:
                failed = validate_under(path, assignment, args.out) != 0
            if failed:
                failures.append(f"{assignment} on the {path} path")
    print("numerical paths: " + (f"failed: {', '.join(failures)}" if failures else "every check passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
