"""The engine's pytest plugin: reads each test's ``graded`` marker, provides the submission to
tests, and records every outcome as a ``GradedTest``.

A test declares its handout part and points next to its code::

    @pytest.mark.graded(part="1.6", points=1.5)
    def test_backward_matches_finite_differences(submission):
        \"\"\"_backward's gradients match central finite differences.\"\"\"

The first docstring line is the name graders and students see. A passing test can leave a
message for them with pytest's ``record_property("output", text)`` (e.g. the accuracy reached). The points of a part's tests
must add up to the part's points in the manifest (checked when all suites run).
"""

import math
import sys
import traceback
from pathlib import Path

import pytest

from autograder.results import GradedTest
from autograder.sandbox import Submission, SubmissionError

MARKER_HELP = "graded(part, points): the handout part (a key of the manifest's [parts]) and the points of this test"
MAX_MESSAGE_CHARS = 6000


class GradingConfigurationError(Exception):
    """Suites and manifest disagree (an unknown part, points that do not add up, an unmarked test)."""


class GradingPlugin:
    """Collects graded outcomes for one submission.

    Inputs:
    - manifest: ``autograder.manifest.Manifest``.
    - submission_dir: the unpacked submission.
    - runtime_dir: the workers' runtime folder (``sandbox.make_runtime_dir``).
    - suites: {suite folder: visibility}, e.g. {tests/a/public: "visible", tests/a/hidden: "after_published"}.
    - complete: all suites run, so each part's points must add up to the manifest's.
    - files: when given, only tests of parts of these submitted files run.
    """

    def __init__(self, *, manifest, submission_dir, runtime_dir, suites, complete, files=None):
        self.manifest = manifest
        self.submission_dir = Path(submission_dir)
        self.runtime_dir = runtime_dir
        self.suites = {Path(folder).resolve(): visibility for folder, visibility in suites.items()}
        self.complete = complete
        self.files = set(files) if files else None
        self.records = {}
        self.configuration_errors = []

    def pytest_configure(self, config):
        config.addinivalue_line("markers", MARKER_HELP)

    def pytest_collection_modifyitems(self, session, config, items):
        kept = []
        for item in items:
            marker = item.get_closest_marker("graded")
            if marker is None:
                self.configuration_errors.append(f"{item.nodeid} has no graded(part, points) marker")
                continue
            part = self.manifest.parts.get(marker.kwargs.get("part"))
            if part is None:
                self.configuration_errors.append(f"{item.nodeid} names part {marker.kwargs.get('part')!r}, which the manifest does not have")
                continue
            if self.files is None or part.file in self.files:
                kept.append(item)
                self.records[item.nodeid] = GradedTest(
                    name=test_name(item), number=part.number, max_score=float(marker.kwargs.get("points", 0)),
                    visibility=self.visibility_of(Path(item.path)),
                )
        if self.complete:
            self.check_points(kept)
        if self.configuration_errors:
            raise GradingConfigurationError("; ".join(self.configuration_errors))
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept

    def check_points(self, items):
        """Each part's tests must carry exactly the part's points."""
        totals = {number: 0.0 for number in self.manifest.parts}
        for item in items:
            record = self.records[item.nodeid]
            totals[record.number] += record.max_score
        for number, part in self.manifest.parts.items():
            if not math.isclose(totals[number], part.points):
                self.configuration_errors.append(f"part {number} ({part.name}) is worth {part.points:g} points but its tests carry {totals[number]:g}")

    def visibility_of(self, path):
        """The visibility of tests under ``path``: that of the suite folder holding it."""
        for folder, visibility in self.suites.items():
            if folder in path.resolve().parents:
                return visibility
        return "visible"

    @pytest.fixture(scope="session", name="manifest")
    def manifest_fixture(self):
        """The assignment's manifest."""
        return self.manifest

    @pytest.fixture(scope="session")
    def submission_factory(self):
        """Makes ``Submission`` objects with workers of their own (for session-scoped fixtures)."""
        made = []

        def make():
            made.append(Submission(self.submission_dir, self.manifest, self.runtime_dir))
            return made[-1]

        yield make
        for submission in made:
            submission.close()

    @pytest.fixture(scope="module")
    def submission(self, submission_factory):
        """The submission, with one sandboxed worker per test module (restarted if it dies)."""
        return submission_factory()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        record = self.records.get(item.nodeid)
        if record is None:
            return
        record.seconds += call.duration
        if report.when == "call" and report.passed:
            record.passed = True
            record.output = "\n".join(str(value) for key, value in report.user_properties if key == "output")
        elif report.failed or report.skipped:
            record.passed = False
            if not record.output:
                record.output, record.grader_error = describe_failure(call.excinfo, report)


def test_name(item):
    """First docstring line of the test function, else its name in words."""
    doc = getattr(item.function, "__doc__", None) or ""
    first = doc.strip().splitlines()[0].strip() if doc.strip() else ""
    return first or item.name.removeprefix("test_").replace("_", " ")


def describe_failure(excinfo, report):
    """(message, grader_error) for a failed or skipped phase of a test."""
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return reason.removeprefix("Skipped: "), False
    if excinfo is None:
        return str(report.longrepr)[:MAX_MESSAGE_CHARS], True
    error = excinfo.value
    if isinstance(error, SubmissionError):
        return str(error)[:MAX_MESSAGE_CHARS], False
    if isinstance(error, AssertionError):
        return (str(error) or "assertion failed")[:MAX_MESSAGE_CHARS], False
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return f"grader error (not your fault; please tell the course staff):\n{text}"[-MAX_MESSAGE_CHARS:], True


def run_suites(plugin, suite_paths):
    """Run pytest in this process over ``suite_paths`` with ``plugin``; returns pytest's exit code.

    Assertions are not rewritten: a failed check's message is exactly the one the suite wrote.
    Afterwards the suites' modules (tests, conftest, helpers) are forgotten and ``sys.path`` is
    restored, so that grading again in this process, another assignment's suites included,
    imports them afresh.
    """
    args = [str(path) for path in suite_paths] + [
        "-p", "no:cacheprovider", "-p", "no:terminal", "--rootdir", str(Path(suite_paths[0]).parent),
        "-o", "addopts=", "-o", "testpaths=", "--assert=plain",
    ]
    path_before = list(sys.path)
    try:
        code = pytest.main(args, plugins=[plugin])
    finally:
        forget_suite_modules([Path(path).resolve().parent for path in suite_paths])
        sys.path[:] = path_before
    if code in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR) and not plugin.configuration_errors:
        plugin.configuration_errors.append(f"pytest stopped with exit code {int(code)} ({code.name})")
    return code


def forget_suite_modules(folders):
    """Remove from ``sys.modules`` every module loaded from a file under one of ``folders``."""
    for name, module in list(sys.modules.items()):
        location = getattr(module, "__file__", None)
        if location and any(folder in Path(location).resolve().parents for folder in folders):
            del sys.modules[name]
