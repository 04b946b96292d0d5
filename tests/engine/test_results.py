"""Results follow the Gradescope specification; problems in a document are named."""

from autograder.results import GradedTest, build_results, format_messages, format_table, validation_problems


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
    assert "1.1 first [FAIL]\n    expected 2, got 3" in text and "1.2 second [pass]\n    test accuracy 0.85" in text, text
    assert "third" not in text, text
