"""The engine's pytest plugin: reads each test's ``graded`` marker, provides the submission to
tests, and records every outcome as a ``GradedTest``.

A test declares its handout part and points next to its code::

    @pytest.mark.graded(part="1.6", points=1.5)
    def test_backward_matches_finite_differences(submission):
        \"\"\"_backward's gradients match central finite differences.\"\"\"

The first docstring line is the name graders and students see. A passing test can leave a
message for them with pytest's ``record_property("output", text)`` (e.g. the accuracy reached).
Every message recorded (failures, skips, outputs, awards) is made ``plain_text``: it may quote the
submission.

A test that scores in tiers declares its extra credit, ``graded(part="e", points=5, extra_credit=5)``,
and calls the ``award`` fixture with the points it earned (up to 10 here) and a message. The
``leaderboard`` fixture posts an entry to Gradescope's leaderboard. The points of a part's tests
must add up to the part's points in the manifest (checked when all suites run).

A suite skips a test only when the course's data is missing, with the reason as its message
(``pytest.skip(f"skipped: {exc}")`` on ``utils.data.DatasetNotFound``): the test is recorded as not
run (``GradedTest.not_run``), so it counts 0 of 0 points instead of costing the student its points.
"""

import math
import sys
import traceback
from pathlib import Path

import pytest

from autograder.plain_text import plain_text
from autograder.results import GradedTest
from autograder.sandbox import Submission, SubmissionError

MARKER_HELP = ("graded(part, points, extra_credit=0): the handout part (a key of the manifest's [parts]), "
               "the points of this test and the extra credit it can add")
MAX_MESSAGE_CHARS = 6000
NOT_RUN_NOTE = ("\nNot run: the course's data is missing (not your fault). This test counts 0 of 0 points until the course "
                "staff grade it again; its {counted} are left out of the score and of the maximum, not lost.")


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
    - budget: the ``autograder.budget.GradingBudget`` every worker of this grading shares.
    - on_progress: called with this plugin once the tests are collected and after each test ends (or None).

    ``finished`` holds the node ids of the tests that have ended.
    """

    def __init__(self, *, manifest, submission_dir, runtime_dir, suites, complete, budget, files=None, on_progress=None):
        self.manifest = manifest
        self.submission_dir = Path(submission_dir)
        self.runtime_dir = runtime_dir
        self.suites = {Path(folder).resolve(): visibility for folder, visibility in suites.items()}
        self.complete = complete
        self.files = set(files) if files else None
        self.records = {}
        self.configuration_errors = []
        self.leaderboard_entries = []
        self.budget = budget
        self.on_progress = on_progress
        self.finished = set()

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
                    visibility=self.visibility_of(Path(item.path)), extra_credit=float(marker.kwargs.get("extra_credit", 0)),
                    location=self.location_of(item),
                )
        if self.complete:
            self.check_points(kept)
        if self.configuration_errors:
            raise GradingConfigurationError("; ".join(self.configuration_errors))
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
        if self.on_progress is not None:
            self.on_progress(self)

    def pytest_runtest_logfinish(self, nodeid, location):
        if nodeid in self.records:
            self.finished.add(nodeid)
            if self.on_progress is not None:
                self.on_progress(self)

    def check_points(self, items):
        """Each part's tests must carry exactly the part's points and extra credit."""
        totals = {number: [0.0, 0.0] for number in self.manifest.parts}
        for item in items:
            record = self.records[item.nodeid]
            totals[record.number][0] += record.max_score
            totals[record.number][1] += record.extra_credit
        for number, part in self.manifest.parts.items():
            points, extra = totals[number]
            if not math.isclose(points, part.points):
                self.configuration_errors.append(f"part {number} ({part.name}) is worth {part.points:g} points but its tests carry {points:g}")
            if not math.isclose(extra, part.extra_credit):
                self.configuration_errors.append(
                    f"part {number} ({part.name}) offers {part.extra_credit:g} extra points but its tests offer {extra:g}")

    def location_of(self, item):
        """Where a collected test is defined: "<file>:<line> <test>", the file relative to the folder holding the
        suites' tests/ (the repository's root: "tests/<a>/public/test_x.py:12 test_y")."""
        path = Path(item.path).resolve()
        suite = next(folder for folder in self.suites if folder in path.parents)
        return f"{path.relative_to(suite.parents[2]).as_posix()}:{item.location[1] + 1} {item.name}"

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
            made.append(Submission(self.submission_dir, self.manifest, self.runtime_dir, self.budget))
            return made[-1]

        yield make
        for submission in made:
            submission.close()

    @pytest.fixture(scope="module")
    def submission(self, submission_factory):
        """The submission, with one sandboxed worker per test module (restarted if it dies)."""
        return submission_factory()

    @pytest.fixture
    def award(self, request):
        """``award(points, message)``: the requesting tiered test earns ``points`` and shows ``message``.

        ``points`` runs from 0 to the test's points plus its extra credit; the award holds when the
        test then passes. Awarding outside that range is a grader error.
        """
        record = self.records[request.node.nodeid]

        def give(points, message):
            ceiling = record.max_score + record.extra_credit
            if not 0 <= points <= ceiling:
                raise GradingConfigurationError(f"awarded {points:g} points, outside 0 to {ceiling:g} for this test")
            record.awarded = float(points)
            record.output = plain_text(message)

        return give

    @pytest.fixture
    def leaderboard(self):
        """``leaderboard(name, value, order="desc")``: posts an entry to results.json's leaderboard."""
        def post(name, value, order="desc"):
            self.leaderboard_entries.append({"name": name, "value": value, "order": order})
        return post

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
            notes = [str(value) for key, value in report.user_properties if key == "output"]
            if notes:
                record.output = plain_text("\n".join(notes))
        elif report.skipped:
            record.passed = False
            message, _ = describe_failure(call.excinfo, report)
            record.not_run = plain_text(message.removeprefix("skipped: "), one_line=True)
            record.output = plain_text(message) + NOT_RUN_NOTE.format(counted=counted_points(record))
        elif report.failed:
            record.passed = False
            if not record.output:
                message, record.grader_error = describe_failure(call.excinfo, report)
                record.output = plain_text(message)


def counted_points(record):
    """"5 points" or "5 points (and 10 extra)": what ``record`` (GradedTest) counts for once it runs."""
    return f"{record.max_score:g} points" + (f" (and {record.extra_credit:g} extra)" if record.extra_credit else "")


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
