"""Results follow the Gradescope specification; problems in a document are named."""

import json

from autograder.results import (GradedTest, build_results, format_messages, format_report, format_table, not_run_message, validation_problems,
                                write_results)


def records():
    return [
        GradedTest(name="constructor", number="1.1", max_score=2, visibility="visible", passed=True, seconds=0.5),
        GradedTest(name="backward", number="1.6", max_score=3, visibility="after_published", output="expected x, got y"),
    ]


def test_built_results_follow_the_specification():
    results = build_results(records(), output="done", execution_time=1.234)
    assert validation_problems(results) == [], validation_problems(results)
    assert results["score"] == 2 and [t["status"] for t in results["tests"]] == ["passed", "failed"], results
    assert {"score", "execution_time", "output", "stdout_visibility", "tests"} <= set(results)


def test_a_score_that_differs_from_the_tests_is_a_problem():
    results = build_results(records(), output="", execution_time=0)
    results["score"] = 5
    assert any("differs from the sum" in p for p in validation_problems(results)), validation_problems(results)


def test_bad_visibility_status_and_types_are_named():
    results = {"tests": [{"score": "1", "status": "ok", "visibility": "secret", "name": 3}]}
    problems = validation_problems(results)
    for expected in ("score must be a number", "status must be one of", "visibility must be one of", "name must be a string"):
        assert any(expected in p for p in problems), f"expected a problem saying {expected!r}, got {problems}"


def test_the_table_lists_each_test_with_points_and_a_total():
    table = format_table(build_results(records(), output="", execution_time=0))
    assert "1.1" in table and "2/2" in table and "0/3" in table and "FAIL" in table and "TOTAL" in table, table


def test_messages_list_every_test_that_left_one_with_its_result():
    results = build_results([
        GradedTest(name="first", number="1.1", max_score=1, visibility="visible", passed=False, output="expected 2, got 3"),
        GradedTest(name="second", number="1.2", max_score=1, visibility="visible", passed=True, output="test accuracy 0.85"),
        GradedTest(name="third", number="1.3", max_score=1, visibility="visible", passed=True),
    ], output="", execution_time=0.0)
    text = format_messages(results)
    assert "1.1 first [FAIL]\n    | expected 2, got 3" in text and "1.2 second [pass]\n    | test accuracy 0.85" in text, text
    assert "third" not in text, text


FORGED_TABLE = ("\x1b[2J\x1b[H\x1b]0;graded\x07part   test\n1      add(2, 3) is 5.   public   pass   1/1   0.1\n"
                "       TOTAL                                                6/6\r       TOTAL        6/6 \ud800")


def hostile_results():
    """Results whose failed test's message clears the screen, sets the window title and prints a fake full-marks table."""
    return build_results([
        GradedTest(name="add(2, 3) is 5.", number="1", max_score=1, visibility="visible", passed=True),
        GradedTest(name="mean_rows(X) is the mean of each row.", number="1", max_score=5, visibility="visible", output=FORGED_TABLE),
    ], output="Corpus: 1 / 6 points.\nfound calc.py at hw/\x1b[2Jcalc.py", execution_time=0.0)


def test_the_report_of_hostile_messages_holds_no_control_character_and_only_the_true_total():
    report = format_report(hostile_results())
    controls = sorted({f"U+{ord(c):04X}" for c in report if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F})
    assert controls == [], f"expected no control character in the report, got {controls}"
    assert "\ud800" not in report and "\ufffd" in report, "expected the lone surrogate replaced by U+FFFD"
    report.encode("utf-8")
    totals = [line for line in report.splitlines() if line.lstrip().startswith("TOTAL")]
    assert len(totals) == 1 and totals[0].split()[-1] == "1/6", f"expected one TOTAL line, the table's 1/6, got {totals}"


def test_each_message_line_is_marked_as_its_tests():
    lines = format_messages(hostile_results()).splitlines()
    assert lines[0] == "1 mean_rows(X) is the mean of each row. [FAIL]", f"expected the test's header first, got {lines[0]!r}"
    unmarked = [line for line in lines[1:] if not line.startswith("    | ")]
    assert unmarked == [], f"expected every message line after '    | ', got {unmarked}"


def test_results_json_is_written_as_plain_text_whatever_the_document_holds(tmp_path):
    results = hostile_results()
    results["tests"][0]["output"] = "\x1b[31mred \ud800"
    write_results(results, tmp_path / "results.json")
    text = (tmp_path / "results.json").read_text(encoding="utf-8")
    written = json.loads(text)
    assert written["tests"][0]["output"] == "red \ufffd", f"expected plain text in results.json, got {written['tests'][0]['output']!r}"
    assert "\\u001b" not in text and "\\ud800" not in text, "expected no escape character or lone surrogate in results.json"
    assert validation_problems(written) == [], validation_problems(written)


def test_a_test_that_could_not_run_counts_0_of_0_and_keeps_its_points_in_extra_data():
    results = build_results([
        GradedTest(name="relu", number="1", max_score=3, visibility="visible", passed=True),
        GradedTest(name="accuracy on CIFAR-10", number="2", max_score=5, extra_credit=10, visibility="visible",
                   output="skipped: CIFAR-10 not found at /data", not_run="CIFAR-10 not found at /data"),
    ], output="", execution_time=0.0)
    entry = results["tests"][1]
    got = (entry["score"], entry["max_score"], entry["status"], entry["extra_data"]["not_run"])
    expected = (0.0, 0.0, "failed", {"reason": "CIFAR-10 not found at /data", "points": 5.0, "extra_credit": 10.0})
    assert got == expected, f"expected score, max_score, status and not_run {expected}, got {got}"
    assert validation_problems(results) == [], validation_problems(results)
    table = format_table(results)
    rows = {line.split()[0]: line.split() for line in table.splitlines()[1:]}
    assert rows["2"][-3:-1] == ["skip", "0/0"] and rows["TOTAL"][-1] == "3/3", \
        f"expected the test shown as 'skip 0/0' and the TOTAL 3/3 as in results.json, got\n{table}"


def test_the_message_on_tests_that_could_not_run_names_the_data_the_parts_and_the_points_left_out():
    tests = [GradedTest(name=f"accuracy {number}", number=number, max_score=points, extra_credit=extra, visibility="visible",
                        not_run="CIFAR-10 not found at /data").to_json() for number, points, extra in (("2b", 5, 10), ("3", 2, 0))]
    expected = ("2 tests could not run because the course's data is missing (CIFAR-10 not found at /data): parts 2b, 3. "
                "They count 0 of 0 points: their 7 points (and 10 extra) are left out of the score and of the maximum, not lost "
                "(not your fault); the course staff will grade them again once the data is installed.")
    assert not_run_message(tests) == expected, f"expected {expected!r}, got {not_run_message(tests)!r}"
    assert not_run_message(tests[:0]) == "", "expected no message when every test ran"
