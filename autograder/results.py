"""Results in the Gradescope autograder format, their validation, and a readable table.

Text in results may come from the submission. It is made ``plain_text`` when a test's record is
built (``autograder.plugin``) and again, as a last defence, wherever results leave the grader: the
results.json writer and the table and messages printed for people.

A test that could not run because the course's data is missing counts for nothing, the same way
everywhere: its ``score`` and ``max_score`` are 0, so that the score, the maximum and every total
made from them (the table's TOTAL, the gradebook, grades.csv, the feedback pages) leave it out, and
``extra_data["not_run"]`` says why and which points wait for a regrade. No student loses points for
it, and none is lost silently.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

from autograder.plain_text import plain_document, plain_text

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
STATUSES = ("passed", "failed")


@dataclass
class GradedTest:
    """The outcome of one graded test.

    ``grader_error`` marks a failure that came from the grading code, not from the submission.
    A test that scores in tiers sets ``awarded`` (0 up to ``max_score + extra_credit``); otherwise a
    pass earns ``max_score``. Extra credit lets a score exceed ``max_score``, as Gradescope allows.
    ``not_run`` says why a test could not run (the course's data is missing, e.g. "CIFAR-10 not found
    at /data"); such a test counts 0 of 0 points, and its ``max_score`` and ``extra_credit`` are the
    points it will count for once it runs.
    ``location`` is where the test is defined, "tests/<a>/<suite>/<file>.py:<line> <test>", for the course
    staff: it reaches results.json only when asked (``build_results(locations=True)``), as hidden tests'
    file names are not for students.
    """

    name: str
    number: str
    max_score: float
    visibility: str
    passed: bool = False
    output: str = ""
    seconds: float = 0.0
    grader_error: bool = False
    extra_credit: float = 0.0
    awarded: float = None
    not_run: str = None
    location: str = ""

    @property
    def counted_max_score(self):
        """The points this test counts for in the maximum: none when it could not run, else ``max_score``."""
        return 0.0 if self.not_run else self.max_score

    @property
    def score(self):
        """Points earned: none when failed; else what was awarded, or all regular points."""
        if not self.passed:
            return 0.0
        return self.max_score if self.awarded is None else self.awarded

    @property
    def status(self):
        """"passed" when the test earned at least its regular points, else "failed"."""
        return "passed" if self.passed and self.score >= self.max_score else "failed"

    def to_json(self, location=False):
        """The test's entry of ``tests[]`` in results.json; with ``location``, ``extra_data`` holds the test's location.

        ``extra_data["not_run"]`` is None for a test that ran, else {"reason": str, "points": float,
        "extra_credit": float}: why it could not run and the points it will count for once it does.
        """
        not_run = None if self.not_run is None else {"reason": self.not_run, "points": self.max_score, "extra_credit": self.extra_credit}
        entry = {
            "name": self.name,
            "number": self.number,
            "score": self.score,
            "max_score": self.counted_max_score,
            "status": self.status,
            "output": self.output,
            "visibility": self.visibility,
            "extra_data": {"seconds": round(self.seconds, 2), "grader_error": self.grader_error,
                           "extra_credit": 0.0 if self.not_run else self.extra_credit, "not_run": not_run},
        }
        if location:
            entry["extra_data"]["location"] = self.location
        return entry


def build_results(records, *, output, execution_time, leaderboard=(), locations=False):
    """The results.json document.

    Inputs:
    - records: GradedTest per test, in the order they ran.
    - output: the top-level message students see (made plain text: it names submitted files).
    - execution_time: seconds the grading took.
    - leaderboard: optional [{"name": str, "value": number, "order": "asc"|"desc"}].
    - locations: whether each test's ``extra_data`` names where it is defined (for the course staff).
    """
    results = {
        "score": round(sum(record.score for record in records), 4),
        "execution_time": round(execution_time, 2),
        "output": plain_text(output),
        "stdout_visibility": "hidden",
        "tests": [record.to_json(location=locations) for record in records],
    }
    if leaderboard:
        results["leaderboard"] = list(leaderboard)
    return results


def write_results(results, path):
    """Write results.json atomically (a half-written file never replaces a good one), every string plain text."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(json.dumps(plain_document(results), indent=2, allow_nan=False) + "\n", encoding="utf-8")
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)  # a full disk leaves no empty .partial behind
        raise


def validation_problems(results):
    """How ``results`` departs from the Gradescope specification; an empty list when it follows it."""
    problems = []
    if not isinstance(results, dict):
        return ["results must be a JSON object"]
    tests = results.get("tests")
    if "score" not in results and not isinstance(tests, list):
        problems.append("either a top-level score or tests[] is required")
    if "score" in results and not is_number(results["score"]):
        problems.append("score must be a number")
    if "execution_time" in results and not is_number(results["execution_time"]):
        problems.append("execution_time must be a number")
    if "output" in results and not isinstance(results["output"], str):
        problems.append("output must be a string")
    if results.get("stdout_visibility", "hidden") not in VISIBILITIES:
        problems.append(f"stdout_visibility must be one of {VISIBILITIES}")
    for index, test in enumerate(tests or []):
        problems += [f"tests[{index}]: {problem}" for problem in test_problems(test)]
    if isinstance(tests, list) and is_number(results.get("score")) and all(is_number(t.get("score")) for t in tests):
        total = sum(test["score"] for test in tests)
        if not math.isclose(total, results["score"], abs_tol=1e-6):
            problems.append(f"score {results['score']} differs from the sum of test scores {total}")
    return problems


def test_problems(test):
    """How one ``tests[]`` entry departs from the specification."""
    if not isinstance(test, dict):
        return ["must be a JSON object"]
    problems = []
    for key in ("score", "max_score"):
        if key in test and not is_number(test[key]):
            problems.append(f"{key} must be a number")
    for key in ("name", "number", "output"):
        if key in test and not isinstance(test[key], str):
            problems.append(f"{key} must be a string")
    if test.get("status", "passed") not in STATUSES:
        problems.append(f"status must be one of {STATUSES}")
    if test.get("visibility", "visible") not in VISIBILITIES:
        problems.append(f"visibility must be one of {VISIBILITIES}")
    return problems


def is_number(value):
    """A finite JSON number (bools excluded)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def not_run_of(test):
    """A results.json test's ``extra_data["not_run"]`` ({"reason", "points", "extra_credit"}), or None when it ran."""
    return test.get("extra_data", {}).get("not_run")


def not_run_message(tests):
    """The top-level sentence on the tests of ``tests`` (results.json entries) that could not run, or "" when all ran.

    It names the missing data and the parts, and says that their points are left out of the score and of
    the maximum, not lost.
    """
    missing = [test for test in tests if not_run_of(test)]
    if not missing:
        return ""
    reasons = "; ".join(dict.fromkeys(not_run_of(test)["reason"] for test in missing))
    parts = list(dict.fromkeys(test["number"] for test in missing))
    points = sum(not_run_of(test)["points"] for test in missing)
    extra = sum(not_run_of(test)["extra_credit"] for test in missing)
    counted = f"{points:g} points" + (f" (and {extra:g} extra)" if extra else "")
    one = len(missing) == 1
    return (f"{'1 test' if one else f'{len(missing)} tests'} could not run because the course's data is missing ({reasons}): "
            f"part{'' if len(parts) == 1 else 's'} {', '.join(parts)}. {'It counts' if one else 'They count'} 0 of 0 points: "
            f"{'its' if one else 'their'} {counted} are left out of the score and of the maximum, not lost (not your fault); "
            f"the course staff will grade {'it' if one else 'them'} again once the data is installed.")


def outcome_word(test):
    """"pass", "part" (some points of a tiered test), "ERROR" (grader error), "skip" (could not run: data missing) or "FAIL"."""
    if test["status"] == "passed":
        return "pass"
    if test["extra_data"]["grader_error"]:
        return "ERROR"
    if not_run_of(test):
        return "skip"
    return "part" if test["score"] > 0 else "FAIL"


TABLE_HEADER = f"{'part':<6} test"


def format_table(results, *, width=64):
    """A plain-text table of the tests: number, name, visibility, result, points and seconds, then the total."""
    lines = [f"{TABLE_HEADER:<{width + 7}} {'shown':<10} {'result':<7} {'points':>11} {'s':>6}"]
    max_total = 0.0
    for test in results["tests"]:
        max_total += test["max_score"]
        name = plain_text(test["name"], one_line=True)
        name = name if len(name) <= width else name[: width - 3] + "..."
        shown = "public" if test["visibility"] == "visible" else "hidden"
        result = outcome_word(test)
        points = f"{test['score']:g}/{test['max_score']:g}"
        lines.append(f"{plain_text(test['number'], one_line=True):<6} {name:<{width}} {shown:<10} {result:<7} {points:>11} "
                     f"{test['extra_data']['seconds']:>6.1f}")
    lines.append(f"{'':<6} {'TOTAL':<{width}} {'':<10} {'':<7} {results['score']:g}/{max_total:g}".rstrip())
    return "\n".join(lines)


def table_rows(text):
    """The rows of the first table ``format_table`` wrote in ``text`` (a printed report), each without its seconds column,
    which changes from run to run: [str], [] for a table of no test, None when ``text`` holds no table."""
    lines = text.splitlines()
    start = next((number for number, line in enumerate(lines) if line.startswith(TABLE_HEADER)), None)
    if start is None:
        return None
    rows = []
    for line in lines[start + 1:]:
        if line[:6].strip() == "" and line.strip().startswith("TOTAL"):
            return rows
        rows.append(line.rsplit(None, 1)[0])
    return None


def format_messages(results, *, prefix="    | "):
    """The tests that left a message (every failure, and passes that report a figure), one block each.

    A block is the test's number, name and result, then each line of its message after ``prefix``, so
    that no message line can pass for a line of the table or of another test.
    """
    blocks = []
    for test in results["tests"]:
        if test["output"]:
            result = outcome_word(test)
            message = "\n".join(prefix + line for line in plain_text(test["output"]).splitlines())
            blocks.append(plain_text(f"{test['number']} {test['name']} [{result}]", one_line=True) + "\n" + message)
    return "\n".join(blocks)


def format_report(results):
    """What a person reads after a grading: the table, the tests' messages and the top-level message."""
    messages = format_messages(results)
    return "\n\n".join(part for part in (format_table(results), messages, plain_text(results["output"])) if part)
