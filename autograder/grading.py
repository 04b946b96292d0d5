"""Grading one submission: unpack, run the suites through the plugin, write results.json.

Whatever goes wrong, ``grade_submission`` returns a results document that follows the
Gradescope specification, and writes it when asked: an unreadable submission is graded as an
empty one with a top-level message; a broken suite is reported as a grader error. When it writes
results.json, it writes one as soon as the tests are collected (every test marked UNFINISHED, scoring 0)
and again after each test, so that a grading stopped from outside (Gradescope's timeout) still leaves the
scores earned.
"""

import dataclasses
import os
import resource
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from autograder import submission as submission_files
from autograder.budget import GradingBudget, read_reference_timing
from autograder.manifest import ManifestError, load_manifest
from autograder.plain_text import plain_text
from autograder.plugin import GradingPlugin, run_suites
from autograder.results import build_results, not_run_message, write_results
from autograder.sandbox import make_runtime_dir

SUITE_VISIBILITY = {"public": "visible", "hidden": "after_published"}
UNFINISHED = "did not run: the grading was stopped (it ran out of time) before this test ran; it scores 0"


@dataclass(frozen=True)
class AssignmentLayout:
    """Where an assignment's manifest and suites are.

    In the repository and in the Gradescope autograder: ``assignments/<a>/assignment.toml`` and
    ``tests/<a>/{public,hidden}``. In a student handout: ``assignment.toml`` and ``tests/public``.
    """

    manifest_path: Path
    suites: tuple

    @classmethod
    def in_repository(cls, root, assignment):
        """The layout of ``assignment`` in a repository (or the autograder's source folder)."""
        root = Path(root)
        suites = tuple(root / "tests" / assignment / name for name in SUITE_VISIBILITY)
        return cls(root / "assignments" / assignment / "assignment.toml", tuple(s for s in suites if s.is_dir()))

    @classmethod
    def in_handout(cls, folder):
        """The layout of a student handout folder (public tests only)."""
        folder = Path(folder)
        return cls(folder / "assignment.toml", (folder / "tests" / "public",))

    @property
    def complete(self):
        """Whether both public and hidden suites are present."""
        return {suite.name for suite in self.suites} == set(SUITE_VISIBILITY)

    @property
    def timing_folder(self):
        """Where the reference's timing is recorded (``autograder.budget.REFERENCE_TIMING``): the suites' folder, tests/<a>/."""
        return self.suites[0].parent if self.suites else self.manifest_path.parent


def grade_submission(layout, source, *, out=None, files=None, artifacts_dir=None, locations=False, working_folder=False, timing=None):
    """Grade the submission at ``source`` (folder or zip) with the suites of ``layout``.

    Inputs:
    - layout: AssignmentLayout.
    - source: path to the submission.
    - out: where to write results.json (None: do not write); written early and after each test too.
    - files: only grade the parts of these submitted files.
    - artifacts_dir: where to copy the optional artifacts found (plots, reports), for feedback (None: nowhere).
    - locations: whether each test's ``extra_data`` names its file and line (``validate``; never for students).
    - working_folder: ``source`` is the student's handout folder (``check``): nothing is said of its files
      that the manifest does not name.
    - timing: a dict to fill with what the grading took (see ``measured_timing``), or None.

    Returns the results document (a dict); it is valid whatever happened.
    """
    started = time.monotonic()
    grader_cpu = cpu_of_this_process()
    try:
        manifest = load_manifest(layout.manifest_path)
        budget = GradingBudget.for_grading(manifest.limits, read_reference_timing(layout.timing_folder))
        records, messages, leaderboard = run_grading(manifest, layout, source, files, artifacts_dir, budget, out, working_folder)
        messages.insert(0, f"{manifest.title}: {sum(r.score for r in records):g} / {sum(r.counted_max_score for r in records):g} points.")
        missing_data = not_run_message([record.to_json() for record in records])
        if missing_data:
            messages.insert(1, missing_data)
    except ManifestError as exc:
        budget, records, messages, leaderboard = None, [], [f"Grading could not run: {exc} (not your fault)."], []
    results = build_results(records, output="\n".join(messages), execution_time=time.monotonic() - started, leaderboard=leaderboard,
                            locations=locations)
    if out is not None:
        write_results(results, out)
    if timing is not None and budget is not None:
        timing.update(measured_timing(budget, time.monotonic() - started, cpu_of_this_process() - grader_cpu, manifest.limits.threads))
    return results


def cpu_of_this_process():
    """CPU seconds (user and system) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measured_timing(budget, wall_seconds, grader_cpu_seconds, threads):
    """What a grading took, as ``validate`` records it for the reference (``autograder.budget.REFERENCE_TIMING``):
    worker_cpu_seconds (all calls into student code), grader_cpu_seconds, wall_seconds, longest_call_cpu_seconds
    ({call limit: the most CPU seconds one call under it used}), threads (each worker's) and cpus (this machine's)."""
    return {
        "worker_cpu_seconds": round(budget.spent, 1), "grader_cpu_seconds": round(grader_cpu_seconds, 1),
        "wall_seconds": round(wall_seconds, 1), "threads": threads, "cpus": os.cpu_count(),
        "longest_call_cpu_seconds": {f"{limit:g}": round(seconds, 2) for limit, seconds in sorted(budget.longest.items())},
    }


def run_grading(manifest, layout, source, files, artifacts_dir, budget, out=None, working_folder=False):
    """Unpack ``source`` and run the suites on it within ``budget``; returns (GradedTests, messages, leaderboard entries).

    With ``out``, results.json is written as soon as the tests are collected and after each test (``progress_writer``).
    """
    workspace = Path(tempfile.mkdtemp(prefix="autograder-grade-"))
    runtime_dir = make_runtime_dir()
    messages = []
    try:
        expected = list(manifest.files) + list(manifest.optional_artifacts)
        try:
            unpacked = submission_files.unpack(source, expected, workspace / "submission", working_folder=working_folder)
        except submission_files.UnusableSubmission as exc:
            messages.append(f"The submission could not be read: {plain_text(str(exc), one_line=True)}. It was graded as an empty submission.")
            unpacked = submission_files.Unpacked(folder=workspace / "submission", missing=list(manifest.files))
        messages += describe_files(manifest, unpacked)
        if artifacts_dir is not None:
            keep_artifacts(manifest, unpacked.folder, Path(artifacts_dir))
        plugin = GradingPlugin(
            manifest=manifest, submission_dir=unpacked.folder, runtime_dir=runtime_dir,
            suites={suite: SUITE_VISIBILITY[suite.name] for suite in layout.suites},
            complete=layout.complete and files is None, files=files, budget=budget,
            on_progress=progress_writer(out, manifest, messages, budget) if out is not None else None,
        )
        try:
            run_suites(plugin, list(layout.suites))
        except Exception:
            plugin.configuration_errors.append(traceback.format_exc())
        if plugin.configuration_errors:
            messages.append("Grading could not run because of a configuration error (not your fault): " + "; ".join(plugin.configuration_errors))
            return [], messages, []
        return list(plugin.records.values()), messages, plugin.leaderboard_entries
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
        shutil.rmtree(runtime_dir, ignore_errors=True)


def progress_writer(out, manifest, messages, budget):
    """A plugin's ``on_progress``: write results.json at ``out`` with the scores so far, every test that has not
    ended yet marked UNFINISHED, and a top-level message saying so. The grading's final results replace it."""
    def write(plugin):
        records = [record if nodeid in plugin.finished else dataclasses.replace(record, passed=False, output=UNFINISHED)
                   for nodeid, record in plugin.records.items()]
        stopped = (f"{manifest.title}: {sum(r.score for r in records):g} / {sum(r.counted_max_score for r in records):g} points so far. "
                   f"The grading was stopped before it ended: {len(plugin.records) - len(plugin.finished)} tests did not run.")
        write_results(build_results(records, output="\n".join([stopped, *messages]), execution_time=time.monotonic() - budget.started,
                                    leaderboard=plugin.leaderboard_entries), out)
    return write


def keep_artifacts(manifest, folder, artifacts_dir):
    """Copy the manifest's optional artifacts found in the unpacked ``folder`` into ``artifacts_dir``."""
    for name in manifest.optional_artifacts:
        if (folder / name).is_file():
            artifacts_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / name, artifacts_dir / name)


def describe_files(manifest, unpacked):
    """Messages on which expected files were found, where, and which are missing.

    Each is one line of plain text, whatever the submitted files are named.
    """
    messages = [plain_text(note, one_line=True) for note in unpacked.notes]
    missing = [name for name in unpacked.missing if name in manifest.files]
    if missing:
        messages.append(f"Missing files: {', '.join(missing)} (the tests that need them score 0).")
    return messages
