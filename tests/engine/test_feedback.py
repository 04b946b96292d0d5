"""Feedback pages: Gradescope visibility, escaping of student text, embedded artifacts, and the page in Chromium."""

import base64
import json
from html.parser import HTMLParser

import pytest
from conftest import open_page
from matplotlib.figure import Figure

from autograder.feedback import render_feedback, write_feedback_page, write_feedback_pages
from autograder.results import GradedTest, build_results

INJECTION = "<script>alert(1)</script>"
METADATA = {"student": "alice", "name": "Alice <b>Liddell</b>", "sid": "42", "email": "alice@example.org",
            "source": "submissions/alice.zip", "fingerprint": "ab" * 32, "graded_at": "2026-01-01T00:00:00Z",
            "seconds": 3.5, "assignment": "fashion_mnist", "error": None}


def graded_results():
    """Results with a test of each visibility: visible 2/5, after_published 4/4, hidden 5/5 (total 11/14)."""
    return build_results([
        GradedTest(name="relu is zero below zero", number="1.1", max_score=2, visibility="visible", passed=True, seconds=0.25),
        GradedTest(name="forward matches the reference", number="1.2", max_score=3, visibility="visible", output=INJECTION),
        GradedTest(name="backward matches finite differences", number="1.3", max_score=4, visibility="after_published",
                   passed=True, output="largest error 1e-09"),
        GradedTest(name="accuracy on the test set", number="1.4", max_score=5, visibility="hidden", passed=True,
                   output="test accuracy 0.851"),
    ], output="Found numpy_ann.py <and nothing else>", execution_time=3.2)


class Page(HTMLParser):
    """A parsed page: the test rows' attributes, the text of leaf elements with an id, tag names, src/href URLs."""

    def __init__(self, text):
        super().__init__()
        self.rows, self.texts, self.tags, self.urls = [], {}, [], []
        self.current_id = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "tr" and "data-number" in attrs:
            self.rows.append(attrs)
        self.urls += [attrs[key] for key in ("src", "href") if key in attrs]
        self.current_id = attrs.get("id")
        if self.current_id:
            self.texts[self.current_id] = ""

    def handle_endtag(self, tag):
        self.current_id = None

    def handle_data(self, data):
        if self.current_id:
            self.texts[self.current_id] += data


def save_figure(path):
    """A small learning-curve figure saved by matplotlib in the format of ``path``'s suffix."""
    figure = Figure(figsize=(3, 2), dpi=40)
    axes = figure.add_subplot()
    axes.plot([1, 2, 3], [0.9, 0.5, 0.4], label="train")
    axes.plot([1, 2, 3], [0.95, 0.6, 0.55], label="validation")
    axes.legend()
    figure.savefig(path)
    return path


@pytest.fixture
def submission_dir(tmp_path):
    """A submission folder of the batch layout with results, metadata, and PNG, SVG, text and PDF artifacts."""
    folder = tmp_path / "out" / "submissions" / "alice"
    artifacts = folder / "artifacts"
    artifacts.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps(graded_results()))
    (folder / "metadata.json").write_text(json.dumps(METADATA))
    save_figure(artifacts / "pytorch_ann_train_val_metrics.png")
    save_figure(artifacts / "diagram.svg")
    save_figure(artifacts / "p1_report.pdf")
    (artifacts / "notes.md").write_text("</pre><img src=x onerror=alert(2)> my notes")
    return folder


def test_a_student_before_publication_sees_visible_tests_and_their_score_only():
    page_text = render_feedback(graded_results(), metadata=METADATA, audience="student")
    page = Page(page_text)
    assert [row["data-number"] for row in page.rows] == ["1.1", "1.2"], page.rows
    assert (page.texts["total-score"], page.texts["total-max"]) == ("2", "5"), page.texts
    assert "1 hidden test will be shown after grades are published" in page_text, page_text
    for secret in ("backward matches", "largest error", "accuracy on the test set", "0.851", "<th>visibility</th>"):
        assert secret not in page_text, f"{secret!r} shown before publication"


def test_a_student_after_publication_sees_published_tests_but_never_hidden_ones():
    page_text = render_feedback(graded_results(), metadata=METADATA, audience="student", published=True)
    page = Page(page_text)
    assert [row["data-number"] for row in page.rows] == ["1.1", "1.2", "1.3"], page.rows
    assert (page.texts["total-score"], page.texts["total-max"]) == ("11", "14"), page.texts
    assert "largest error 1e-09" in page_text and "accuracy on the test set" not in page_text
    assert "1 test not shown; their points are included in the total" in page_text, page_text


def test_a_grader_sees_every_test_with_its_visibility_and_the_full_total():
    page = Page(render_feedback(graded_results(), metadata=METADATA, audience="grader"))
    assert [(row["data-number"], row["data-visibility"], row["data-status"]) for row in page.rows] == [
        ("1.1", "visible", "passed"), ("1.2", "visible", "failed"),
        ("1.3", "after_published", "passed"), ("1.4", "hidden", "passed")], page.rows
    assert (page.texts["total-score"], page.texts["total-max"]) == ("11", "14"), page.texts


def test_an_unknown_audience_is_refused():
    with pytest.raises(ValueError, match="audience"):
        render_feedback(graded_results(), audience="teacher")


def test_student_text_is_escaped_everywhere(submission_dir):
    page_text = write_feedback_page(submission_dir, audience="grader").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_text
    assert "Alice &lt;b&gt;Liddell&lt;/b&gt;" in page_text and "&lt;and nothing else&gt;" in page_text
    assert "&lt;/pre&gt;&lt;img src=x onerror=alert(2)&gt; my notes" in page_text
    page = Page(page_text)
    assert "script" not in page.tags and "b" not in page.tags, sorted(set(page.tags))
    assert page.tags.count("img") == 2, "only the two image artifacts may be <img> elements"


def test_artifacts_are_embedded_as_data_uris(submission_dir):
    page_text = write_feedback_page(submission_dir, audience="student").read_text()
    page = Page(page_text)
    assert all(url.startswith("data:") for url in page.urls), page.urls
    svg = (submission_dir / "artifacts" / "diagram.svg").read_bytes()
    assert f'src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}"' in page_text
    assert "<svg" not in page_text, "an SVG must be embedded as a data: URI, never inlined"
    assert any(url.startswith("data:image/png;base64,iVBORw0KGgo") for url in page.urls), "the PNG is not embedded"
    pdf_size = (submission_dir / "artifacts" / "p1_report.pdf").stat().st_size
    assert 'download="p1_report.pdf" href="data:application/pdf;base64,' in page_text
    assert f"p1_report.pdf</a> ({pdf_size / 1000:.1f} kB)" in page_text, page_text[-600:]


def test_pages_are_written_for_every_graded_submission(submission_dir):
    out = submission_dir.parent.parent
    bob = out / "submissions" / "bob"
    bob.mkdir()
    (bob / "results.json").write_text(json.dumps(build_results([], output="not a zip", execution_time=0.1)))
    (out / "submissions" / "carol").mkdir()
    written = write_feedback_pages(out, audience="grader", published=True)
    assert written == [submission_dir / "feedback.html", bob / "feedback.html"], written
    assert "<title>Feedback: assignment — bob</title>" in (bob / "feedback.html").read_text()
    assert not (out / "submissions" / "carol" / "feedback.html").exists()


def test_the_grader_page_renders_in_chromium_offline(browser, submission_dir):
    results = json.loads((submission_dir / "results.json").read_text())
    page, requests, errors = open_page(browser, write_feedback_page(submission_dir, audience="grader"))
    assert page.title() == "Feedback: fashion_mnist — Alice <b>Liddell</b> (alice)"
    assert page.locator("tr.test").count() == len(results["tests"])
    assert page.text_content("#total-score") == f"{results['score']:g}"
    images = page.eval_on_selector_all("img", "imgs => imgs.map(img => [img.alt, img.complete && img.naturalWidth > 0])")
    assert sorted(images) == [["diagram.svg", True], ["pytorch_ann_train_val_metrics.png", True]], images
    assert all(url.startswith(("data:", "file:")) for url in requests), requests
    assert errors == [], errors
    page.close()


def test_the_student_page_in_chromium_shows_only_visible_tests(browser, submission_dir):
    page, requests, errors = open_page(browser, write_feedback_page(submission_dir, audience="student"))
    assert page.locator("tr.test").count() == 2
    assert page.text_content("#total") == "Score of the tests shown so far: 2 / 5"
    assert all(url.startswith(("data:", "file:")) for url in requests) and errors == [], (requests, errors)
    page.close()


def test_escapes_and_lone_surrogates_never_reach_the_page(submission_dir):
    results = graded_results()
    results["tests"][1]["output"] = "\x1b[2J\x1b]0;owned\x07fake \ud800 message"
    (submission_dir / "results.json").write_text(json.dumps(results))
    (submission_dir / "artifacts" / "notes.md").write_bytes(b"notes \x1b[31mred\x1b[0m \xff")
    page_text = write_feedback_page(submission_dir, audience="grader").read_text(encoding="utf-8")
    assert "fake \ufffd message" in page_text and "notes red \ufffd" in page_text, "expected the message and the notes as plain text"
    controls = sorted({f"U+{ord(c):04X}" for c in page_text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F})
    assert controls == [], f"expected no control character on the page, got {controls}"
