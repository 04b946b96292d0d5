"""The assignment manifest (``assignment.toml``): files, allowed imports, parts, limits, schedules."""

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path


class ManifestError(Exception):
    """A manifest that is missing, unreadable or inconsistent; the message says where."""


@dataclass(frozen=True)
class Limits:
    """Sandbox limits for every worker that runs student code (see ``autograder.budget``).

    Time is CPU time of the worker's processes and threads, whatever the machine's load: call_seconds bounds one
    call into student code, training_seconds one training call (``Submission.time_limit``), grading_seconds all
    calls of one grading together (None: three times the reference's, from reference_timing.json); once a budget
    is spent, further calls fail at once with a message saying so. Wall-clock time is only a backstop, for calls
    that sleep or wait: wall_factor times the CPU-time limit, for a call and for the grading. threads is the
    number of compute threads (OpenMP, MKL, OpenBLAS, hence torch) a worker uses, unless the grader's environment
    sets them; ``grade-batch`` runs at most one grading per ``threads`` CPU cores. cpu_seconds is each worker
    process's own CPU-time limit (RLIMIT_CPU), a last backstop. scratch_mb caps each of the worker's private
    in-memory folders where bubblewrap is used: /tmp (which holds its submission's folder) and /dev/shm; a worker
    can thus hold at most memory_mb of address space plus twice scratch_mb of files.
    """

    call_seconds: float = 60.0
    training_seconds: float = 600.0
    grading_seconds: float = None
    wall_factor: float = 3.0
    threads: int = 1
    cpu_seconds: int = 1800
    memory_mb: int = 6144
    file_size_mb: int = 64
    processes: int = 512
    output_kb: int = 64
    scratch_mb: int = 512


@dataclass(frozen=True)
class Part:
    """A handout part: tests naming it share its ``points``; ``manual_points`` more are given by a person
    (``python -m autograder manual``: explanations, reports, code read by a grader)."""

    number: str
    name: str
    file: str
    points: float
    extra_credit: float = 0.0
    manual_points: float = 0.0


@dataclass(frozen=True)
class Manifest:
    """Everything about an assignment that is not code."""

    path: Path
    name: str
    title: str
    datasets: tuple
    files: dict = field(default_factory=dict)
    optional_artifacts: tuple = ()
    parts: dict = field(default_factory=dict)
    limits: Limits = Limits()
    training: dict = field(default_factory=dict)
    scoring: dict = field(default_factory=dict)

    @property
    def total_points(self):
        """The assignment's maximum autograded score (the tests' points)."""
        return sum(part.points for part in self.parts.values())

    @property
    def manual_parts(self):
        """{part number: Part} of the parts a person grades (``manual_points`` above 0), in manifest order."""
        return {number: part for number, part in self.parts.items() if part.manual_points > 0}

    @property
    def source_files(self):
        """The submitted Python files (the others, like trained weights, are data)."""
        return [name for name in self.files if name.endswith(".py")]

    def allowed_imports(self, filename):
        """Top-level module names ``filename`` may import."""
        return tuple(self.files[filename].get("allowed_imports", ()))

    def module_file(self, module):
        """The submitted file that defines ``module`` ("numpy_ann" -> "numpy_ann.py"), or None."""
        filename = f"{module}.py"
        return filename if filename in self.files else None


def load_manifest(path):
    """Read and check ``assignment.toml`` at ``path``; raises ManifestError naming the problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"no manifest at {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: {exc}") from exc
    assignment = data.get("assignment", {})
    if "name" not in assignment:
        raise ManifestError(f"{path}: [assignment] needs a name")
    files = data.get("files", {})
    parts = {}
    for number, part in data.get("parts", {}).items():
        if part.get("file") not in files:
            raise ManifestError(f"{path}: part {number} names file {part.get('file')!r}, which is not under [files]")
        manual_points = part.get("manual_points", 0)
        if isinstance(manual_points, bool) or not isinstance(manual_points, (int, float)) or not 0 <= manual_points < float("inf"):
            raise ManifestError(f"{path}: part {number}'s manual_points must be a number of points, 0 or more, got {manual_points!r}")
        parts[number] = Part(number=number, name=part.get("name", number), file=part["file"], points=float(part["points"]),
                             extra_credit=float(part.get("extra_credit", 0)), manual_points=float(manual_points))
    return Manifest(
        path=path,
        name=assignment["name"],
        title=assignment.get("title", assignment["name"]),
        datasets=read_datasets(assignment.get("dataset", ()), path),
        files=files,
        optional_artifacts=tuple(data.get("artifacts", {}).get("optional", ())),
        parts=parts,
        limits=read_limits(data.get("limits", {}), path),
        training=data.get("training", {}),
        scoring=data.get("scoring", {}),
    )


def read_datasets(value, path):
    """[assignment].dataset as a tuple of names: one name or a list of them."""
    names = (value,) if isinstance(value, str) else tuple(value)
    if not all(isinstance(name, str) for name in names):
        raise ManifestError(f"{path}: [assignment].dataset must be a name or a list of names, got {value!r}")
    return names


def read_limits(table, path):
    """Limits from the manifest's [limits] table; unknown keys are errors."""
    known = {f.name for f in fields(Limits)}
    unknown = set(table) - known
    if unknown:
        raise ManifestError(f"{path}: unknown keys in [limits]: {sorted(unknown)}")
    return Limits(**table)
