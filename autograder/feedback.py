"""Feedback pages: one self-contained HTML page per graded submission.

A page shows the assignment and the student, the total, a table of the tests (part, name, result,
points, seconds), each test's message, the top-level output, the points and comments a person gave
(``autograder.manual``), and the artifacts the student submitted: plots embedded as images, text files
shown for manual grading, other files (PDF reports) as downloads.

The page loads nothing: its style is inline, every file is a ``data:`` URI (SVG too, in an ``<img>``,
where it cannot run scripts), and its Content-Security-Policy forbids scripts and every other source.
All text that comes from a submission or a results file is made plain text (``autograder.plain_text``:
valid UTF-8, no control characters) and escaped with ``html.escape``.

Visibility follows Gradescope. For ``audience="student"``: ``visible`` tests are always shown,
``after_published`` and ``after_due_date`` tests only when ``published``, ``hidden`` tests never; before
publication the total counts only the tests shown and says that the rest comes later. A person's
points and comments are shown to students once grades are published, as on Gradescope, and then
count in the total. For ``audience="grader"``: every test, with its visibility, every person's points,
comment and name, and the full total.

Layout (the batch contract): ``OUTDIR/submissions/<student>/{results.json, metadata.json, artifacts/}``;
the page is written next to them as ``feedback.html``; a person's points are read from
``OUTDIR/gradebook.sqlite``.
"""

import base64
import html
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.gradebook import manual_scores_of
from autograder.plain_text import plain_document, plain_text
from autograder.results import outcome_word

AUDIENCES = ("student", "grader")
SHOWN_AFTER_PUBLICATION = ("after_published", "after_due_date")
FEEDBACK_FILE = "feedback.html"
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
TEXT_SUFFIXES = (".txt", ".md", ".py")
DOWNLOAD_TYPES = {".pdf": "application/pdf"}
MAX_EMBEDDED_BYTES = 20_000_000
MAX_TEXT_BYTES = 200_000
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.points, td.seconds { text-align: right; font-variant-numeric: tabular-nums; }
td.comment { white-space: pre-wrap; }
tr[data-status="passed"] td.result { color: #1a7f37; }
tr[data-status="failed"] td.result { color: #b42318; font-weight: bold; }
pre { background: #f6f8fa; border: 1px solid #ddd; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; }
.total { font-size: 1.2em; }
.note { color: #555; }
.error { color: #b42318; font-weight: bold; }
figure { display: inline-block; margin: 0 1em 1em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
dl.details { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.details dt { font-weight: bold; }
dl.details dd { margin: 0; font-family: monospace; }
"""


@dataclass(frozen=True)
class Total:
    """The score a page shows, and whether it counts every test (False: the rest comes later)."""

    score: float
    max_score: float
    complete: bool


def render_feedback(results, *, metadata=None, artifacts_dir=None, audience="student", published=False, manual=()):
    """The feedback page of one graded submission, as an HTML document.

    Inputs:
    - results: the results.json document (``autograder.results.build_results``).
    - metadata: the batch's metadata.json of the submission (``student``, ``name``, ``assignment``...), or None.
    - artifacts_dir: folder of the artifacts the student submitted (None or missing: none).
    - audience: "student" (Gradescope's visibility rules) or "grader" (every test, with its visibility).
    - published: whether grades are published (students then see ``after_published`` tests, a person's
      points and the full total).
    - manual: the points a person gave, [{"part", "part_name", "points", "max_points", "comment", "grader",
      "imported_at"}] (``autograder.gradebook.manual_scores_of``).
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}")
    results = plain_document(results)
    metadata = plain_document(metadata or {})
    tests = shown_tests(results, audience=audience, published=published)
    manual = plain_document(list(manual)) if audience == "grader" or published else []
    title = page_title(metadata, audience)
    body = [f"<h1>{html.escape(title)}</h1>"]
    if audience == "grader":
        body.append(render_details(results, metadata))
    body.append(render_total(total_shown(results, tests, manual, audience=audience, published=published)))
    body += [f'<p class="note">{html.escape(note)}</p>' for note in withheld_notes(results, audience=audience, published=published)]
    if results.get("output"):
        body.append(f"<h2>Output</h2>\n<pre>{html.escape(results['output'])}</pre>")
    body.append(render_table(tests, show_visibility=audience == "grader"))
    body.append(render_manual(manual, show_grader=audience == "grader"))
    body.append(render_messages(tests))
    body.append(render_artifacts(artifact_files(artifacts_dir)))
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        *[part for part in body if part],
        "</body>",
        "</html>",
        "",
    ])


def write_feedback_page(submission_dir, *, audience="student", published=False):
    """Write ``feedback.html`` into a submission folder of the batch layout; returns its path.

    Reads ``results.json`` (required), ``metadata.json`` (optional: the student is then the folder's
    name), ``artifacts/`` (optional) and the points a person gave the student (the folder's name) in the
    batch's gradebook, if any. The page is written atomically.
    """
    folder = Path(submission_dir)
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    metadata_path = folder / "metadata.json"
    metadata = json.loads(metadata_path.read_text(encoding="utf-8")) if metadata_path.is_file() else {"student": folder.name}
    page = render_feedback(results, metadata=metadata, artifacts_dir=folder / "artifacts", audience=audience, published=published,
                           manual=manual_scores_of(folder.parent.parent, folder.name))
    path = folder / FEEDBACK_FILE
    partial = path.with_name(path.name + ".partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(path)
    return path


def write_feedback_pages(out_dir, students=None, **options):
    """Write the feedback page of every graded submission in ``OUTDIR/submissions`` (or of ``students``, an
    iterable of folder names, when given); returns their paths.

    Folders without a results.json (not graded yet) are left alone. ``options`` are those of
    ``write_feedback_page`` (audience, published).
    """
    submissions = Path(out_dir) / "submissions"
    chosen = None if students is None else set(students)
    return [write_feedback_page(folder, **options) for folder in sorted(submissions.iterdir())
            if (folder / "results.json").is_file() and (chosen is None or folder.name in chosen)]


def shown_tests(results, *, audience, published):
    """The tests of ``results`` that ``audience`` may see, in their order."""
    tests = results.get("tests", [])
    if audience == "grader":
        return list(tests)
    return [test for test in tests if shown_to_student(test, published)]


def shown_to_student(test, published):
    """Whether a student sees ``test``: visible always, after publication once published, hidden never."""
    visibility = test.get("visibility", "visible")
    return visibility == "visible" or (published and visibility in SHOWN_AFTER_PUBLICATION)


def total_shown(results, tests, manual, *, audience, published):
    """The total a page shows: the whole score and the points a person gave (``manual``, those shown), out of
    the tests' maximum and the maximum of the parts a person graded; for a student before publication, only
    the tests shown.

    A student who cannot see every test yet gets the score of the tests shown (``complete`` False),
    so that the points of the tests withheld are not revealed.
    """
    all_tests = results.get("tests", [])
    if audience == "student" and not published and len(tests) < len(all_tests):
        return Total(round(sum(test["score"] for test in tests), 4), sum(test["max_score"] for test in tests), complete=False)
    return Total(round(results["score"] + sum(row["points"] for row in manual), 4),
                 sum(test["max_score"] for test in all_tests) + sum(row["max_points"] for row in manual), complete=True)


def withheld_notes(results, *, audience, published):
    """Sentences telling a student which tests are not shown and where their points are."""
    if audience == "grader":
        return []
    visibilities = [test.get("visibility", "visible") for test in results.get("tests", [])]
    later = sum(visibility in SHOWN_AFTER_PUBLICATION for visibility in visibilities)
    never = visibilities.count("hidden")
    notes = []
    if later and not published:
        notes.append(f"{count_tests(later, 'hidden test')} will be shown after grades are published; "
                     "their points are not included in the score above.")
    if never:
        where = "are included in the total" if published else "will count in the total once grades are published"
        notes.append(f"{count_tests(never, 'test')} not shown; their points {where}.")
    return notes


def count_tests(count, noun):
    """"1 hidden test", "3 hidden tests"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def page_title(metadata, audience):
    """"Feedback: <assignment> — <student>", with the student's name when known (and id, for graders)."""
    assignment = metadata.get("assignment") or "assignment"
    student, name = metadata.get("student"), metadata.get("name")
    who = f"{name} ({student})" if name and student and audience == "grader" else name or student
    return f"Feedback: {assignment} — {who}" if who else f"Feedback: {assignment}"


def render_details(results, metadata):
    """Grader view: the submission's metadata and the grading time; a batch grading error stands out."""
    rows = [(key, metadata[key]) for key in ("student", "name", "sid", "email", "source", "fingerprint", "graded_at", "seconds")
            if metadata.get(key) not in (None, "")]
    rows.append(("execution_time", results.get("execution_time")))
    items = "".join(f"<dt>{html.escape(key)}</dt><dd>{html.escape(str(value))}</dd>" for key, value in rows)
    error = f'\n<p class="error">Grading error: {html.escape(metadata["error"])}</p>' if metadata.get("error") else ""
    return f'<dl class="details">{items}</dl>{error}'


def render_total(total):
    """The total paragraph; its figures are in ``#total-score`` and ``#total-max``."""
    label = "Total" if total.complete else "Score of the tests shown so far"
    return (f'<p class="total" id="total" data-complete="{str(total.complete).lower()}">{label}: <strong>'
            f'<span id="total-score">{points(total.score)}</span> / <span id="total-max">{points(total.max_score)}</span>'
            "</strong></p>")


def render_table(tests, *, show_visibility):
    """The score table: one ``tr.test`` per test, with data-number, data-status, data-result and data-visibility."""
    header = ["part", "test", *(["visibility"] if show_visibility else []), "result", "points", "seconds"]
    rows = []
    for test in tests:
        visibility = test.get("visibility", "visible")
        cells = [f"<td>{html.escape(test['number'])}</td>", f"<td>{html.escape(test['name'])}</td>"]
        if show_visibility:
            cells.append(f"<td>{html.escape(visibility)}</td>")
        cells += [
            f'<td class="result">{outcome_word(test)}</td>',
            f'<td class="points">{points(test["score"])}/{points(test["max_score"])}</td>',
            f'<td class="seconds">{test["extra_data"]["seconds"]:.1f}</td>',
        ]
        rows.append(f'<tr class="test" data-number="{html.escape(test["number"])}" data-status="{html.escape(test["status"])}" '
                    f'data-result="{outcome_word(test)}" data-visibility="{html.escape(visibility)}">{"".join(cells)}</tr>')
    head = "".join(f"<th>{name}</th>" for name in header)
    return f'<h2>Tests</h2>\n<table id="tests">\n<thead><tr>{head}</tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>"


def render_manual(manual, *, show_grader):
    """The points a person gave, one ``tr.manual`` (data-part) per part with the comment; the grader's name and
    the import time when ``show_grader``; empty when there is none."""
    if not manual:
        return ""
    header = ["part", "points", "comment", *(["grader", "imported"] if show_grader else [])]
    rows = []
    for row in manual:
        cells = [f"<td>{html.escape(row['part'])} {html.escape(row['part_name'])}</td>",
                 f'<td class="points">{points(row["points"])}/{points(row["max_points"])}</td>',
                 f'<td class="comment">{html.escape(row["comment"])}</td>']
        if show_grader:
            cells += [f"<td>{html.escape(row['grader'])}</td>", f"<td>{html.escape(row['imported_at'])}</td>"]
        rows.append(f'<tr class="manual" data-part="{html.escape(row["part"])}">{"".join(cells)}</tr>')
    head = "".join(f"<th>{name}</th>" for name in header)
    return (f'<h2>Graded by a person</h2>\n<table id="manual">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody>\n</table>")


def render_messages(tests):
    """Each shown test's message, escaped in a ``<pre>``; empty when no test left one."""
    blocks = [f'<section class="message" data-number="{html.escape(test["number"])}">'
              f"<h3>{html.escape(test['number'])} {html.escape(test['name'])} [{outcome_word(test)}]</h3>"
              f"<pre>{html.escape(test['output'])}</pre></section>"
              for test in tests if test.get("output")]
    return "<h2>Messages</h2>\n" + "\n".join(blocks) if blocks else ""


def artifact_files(artifacts_dir):
    """The regular files under ``artifacts_dir`` (links skipped), sorted; none when it is None or missing."""
    if artifacts_dir is None or not Path(artifacts_dir).is_dir():
        return []
    root = Path(artifacts_dir)
    return [(path.relative_to(root).as_posix(), path) for path in sorted(root.rglob("*"))
            if path.is_file() and not path.is_symlink()]


def render_artifacts(files):
    """The submitted artifacts: images embedded, text files shown, other files as download links."""
    images, texts, downloads = [], [], []
    for name, path in files:
        suffix = path.suffix.lower()
        size = path.stat().st_size
        if suffix in TEXT_SUFFIXES:
            texts.append(render_text_artifact(name, path, size))
        elif size > MAX_EMBEDDED_BYTES:
            downloads.append(f"<li>{html.escape(name)} ({human_size(size)}): too large to embed; see artifacts/{html.escape(name)}</li>")
        elif suffix in IMAGE_TYPES:
            source = data_uri(path, IMAGE_TYPES[suffix])
            images.append(f'<figure><img src="{source}" alt="{html.escape(name)}"><figcaption>{html.escape(name)}</figcaption></figure>')
        else:
            source = data_uri(path, DOWNLOAD_TYPES.get(suffix, "application/octet-stream"))
            downloads.append(f'<li><a download="{html.escape(path.name)}" href="{source}">{html.escape(name)}</a> ({human_size(size)})</li>')
    sections = []
    if images:
        sections.append("<h3>Figures</h3>\n" + "\n".join(images))
    if texts:
        sections.append("<h3>Text files</h3>\n" + "\n".join(texts))
    if downloads:
        sections.append("<h3>Other files</h3>\n<ul>\n" + "\n".join(downloads) + "\n</ul>")
    return "<h2>Submitted artifacts</h2>\n" + "\n".join(sections) if sections else ""


def render_text_artifact(name, path, size):
    """A text artifact as plain text (bad bytes replaced), escaped in a ``<pre>``; cut at MAX_TEXT_BYTES."""
    with open(path, "rb") as file:
        text = plain_text(file.read(MAX_TEXT_BYTES))
    cut = f'<p class="note">Only the first {human_size(MAX_TEXT_BYTES)} are shown.</p>' if size > MAX_TEXT_BYTES else ""
    return f"<h4>{html.escape(name)} ({human_size(size)})</h4>\n<pre>{html.escape(text)}</pre>{cut}"


def data_uri(path, media_type):
    """The file's content as a base64 ``data:`` URI."""
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def human_size(size):
    """A byte count for people: "812 B", "12.3 kB", "4.5 MB"."""
    if size < 1000:
        return f"{size} B"
    if size < 1000 ** 2:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1000 ** 2:.1f} MB"


def points(value):
    """Points as the score table prints them: 2, 1.5, 0.3333."""
    return f"{round(value, 4):g}"
