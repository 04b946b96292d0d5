"""Similarity between students' submissions: which pairs of students handed in the same code.

Every entry of a submissions folder is one student's submission (a folder, a .zip or a notebook, named
after the student). Each is unpacked like a graded submission (nested folders and zips are found, a
notebook's ``%%writefile`` cells give its files), keeping only the manifest's Python files, and every pair of students is compared file by file with copydetect's
winnowed fingerprints: names are abstracted away before fingerprinting, so renaming identifiers or
rewriting comments does not hide a copy. The handout's skeletons are boilerplate: code every student
received does not count as copied.

Outputs, in ``--out``: ``similarity.csv`` ranks every compared pair (highest similarity first) and
``similarity.html`` is copydetect's report, showing the copied code of the pairs above the threshold.

    python -m autograder.similarity fashion_mnist path/to/submissions --out similarity [--threshold 0.33]
"""

import argparse
import csv
import logging
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder import submission as submission_files
from autograder.grading import AssignmentLayout
from autograder.manifest import ManifestError, load_manifest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_THRESHOLD = 0.33
CSV_COLUMNS = ("rank", "student_a", "student_b", "file", "similarity_a", "similarity_b", "max_similarity", "tokens_overlap")
UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w.@+-]")

log = logging.getLogger(__name__)


class SimilarityError(Exception):
    """The comparison cannot be made (fewer than two usable submissions, a missing handout skeleton, ...)."""


@dataclass(frozen=True)
class SimilarPair:
    """Two students' versions of one file and how much of each was found in the other.

    similarity_a is the share of ``student_a``'s fingerprinted code (the handout's code left out) that
    also appears in ``student_b``'s, and similarity_b the reverse; tokens_overlap counts the shared
    tokens of copydetect's filtered code.
    """

    student_a: str
    student_b: str
    file: str
    similarity_a: float
    similarity_b: float
    tokens_overlap: int

    @property
    def max_similarity(self):
        """The larger of the two shares: a short file copied into a longer one still scores high."""
        return max(self.similarity_a, self.similarity_b)


def find_similar_pairs(layout, submissions_dir, out_dir, *, threshold=DEFAULT_THRESHOLD):
    """Compare every pair of students in ``submissions_dir`` file by file; write the CSV and HTML report.

    Inputs:
    - layout: AssignmentLayout; the manifest names the Python files, and the handout skeletons beside it
      (``assignments/<a>/<file>`` in the repository) are boilerplate.
    - submissions_dir: folder with one entry (a folder, a .zip or a notebook) per student, named after the student.
    - out_dir: folder (created) for ``similarity.csv`` and ``similarity.html``.
    - threshold: pairs whose similarity is above it have their copied code shown in the HTML report.

    Returns every compared pair as a SimilarPair, highest max_similarity first (the CSV's rows).
    Raises SimilarityError when fewer than two submissions hold a Python file of the manifest or a
    handout skeleton is missing, ManifestError when the manifest is.
    """
    from copydetect import CopyDetector  # imports matplotlib: only paid for by this command

    manifest = load_manifest(layout.manifest_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="similarity-") as scratch:
        scratch = Path(scratch)
        handout_dir = copy_handout_skeletons(manifest.source_files, layout.manifest_path.parent, scratch / "handout")
        students_dir = scratch / "students"
        students = unpack_submissions(Path(submissions_dir), manifest.source_files, students_dir)
        if len(students) < 2:
            raise SimilarityError(f"{submissions_dir} holds {len(students)} submission(s) with a Python file of "
                                  f"{manifest.name} ({', '.join(manifest.source_files)}); at least two are needed")
        detector = CopyDetector(test_dirs=[str(students_dir)], boilerplate_dirs=[str(handout_dir)], extensions=["py"],
                                display_t=threshold, same_name_only=True, ignore_leaf=True, autoopen=False, silent=True,
                                out_file=str(out_dir / "similarity.html"))
        detector.run()
        pairs = ranked_pairs(detector, students_dir)
        report = detector.generate_html_report(output_mode="return")
        (out_dir / "similarity.html").write_text(report.replace(f"{scratch}{os.sep}", ""), encoding="utf-8")
    write_csv(pairs, out_dir / "similarity.csv")
    return pairs


def copy_handout_skeletons(source_files, handout, folder):
    """Copy the handout's skeleton of every submitted Python file into ``folder``; returns ``folder``."""
    folder.mkdir(parents=True)
    for name in source_files:
        skeleton = handout / name
        if not skeleton.is_file():
            raise SimilarityError(f"no handout skeleton at {skeleton}: without it template code would count as copied")
        shutil.copyfile(skeleton, folder / name)
    return folder


def unpack_submissions(submissions_dir, source_files, students_dir):
    """Unpack each student's Python files into ``students_dir/<student>/``; returns the students' names.

    Hidden entries are ignored; files that are not zips, unreadable zips and submissions without any of
    ``source_files`` are left out with a warning.
    """
    if not submissions_dir.is_dir():
        raise SimilarityError(f"no submissions folder at {submissions_dir}")
    entries = {}
    students = []
    for entry in sorted(submissions_dir.iterdir()):
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        if not (entry.is_dir() or entry.suffix.lower() in (".zip", ".ipynb")):
            log.warning("skipped %s: a submission is a folder, a .zip or a notebook", entry.name)
            continue
        student = student_name(entry)
        if student in entries:
            raise SimilarityError(f"two submissions belong to student {student}: {entries[student]} and {entry.name}")
        entries[student] = entry.name
        try:
            unpacked = submission_files.unpack(entry, source_files, students_dir / student)
        except submission_files.UnusableSubmission as exc:
            log.warning("skipped %s: %s", entry.name, exc)
            shutil.rmtree(students_dir / student)  # files written before the unreadable entry
            continue
        if unpacked.found:
            students.append(student)
        else:
            log.warning("skipped %s: none of %s found", entry.name, ", ".join(source_files))
    return students


def student_name(entry):
    """The student an entry belongs to: its name without ``.zip`` or ``.ipynb``, characters unsafe in HTML replaced by ``_``."""
    name = entry.stem if entry.is_file() else entry.name
    return UNSAFE_NAME_CHARACTERS.sub("_", name)


def ranked_pairs(detector, students_dir):
    """Every pair of students copydetect compared (same file, different students), highest similarity first."""
    pairs = {}
    for i, test_path in enumerate(detector.test_files):
        for j, reference_path in enumerate(detector.ref_files):
            test_similarity, reference_similarity = detector.similarity_matrix[i, j]
            if test_similarity < 0:  # copydetect's mark for a pair it did not compare
                continue
            (test_student, file), (reference_student, _) = (
                Path(path).relative_to(students_dir).parts for path in (test_path, reference_path))
            similarities = {test_student: float(test_similarity), reference_student: float(reference_similarity)}
            student_a, student_b = sorted(similarities)
            pairs[(file, student_a, student_b)] = SimilarPair(student_a, student_b, file, similarities[student_a],
                                                              similarities[student_b], int(detector.token_overlap_matrix[i, j]))
    return sorted(pairs.values(), key=lambda pair: (-pair.max_similarity, pair.file, pair.student_a, pair.student_b))


def write_csv(pairs, path):
    """Write the ranked pairs to ``path`` with the columns of CSV_COLUMNS, similarities to four decimals."""
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_COLUMNS)
        for rank, pair in enumerate(pairs, start=1):
            writer.writerow([rank, pair.student_a, pair.student_b, pair.file, f"{pair.similarity_a:.4f}",
                             f"{pair.similarity_b:.4f}", f"{pair.max_similarity:.4f}", pair.tokens_overlap])


def add_arguments(parser):
    """The command's arguments (``--root`` excepted, which ``python -m autograder`` has already)."""
    parser.add_argument("assignment")
    parser.add_argument("submissions", type=Path, help="folder with one entry (a folder, a .zip or a notebook) per student")
    parser.add_argument("--out", type=Path, default=Path("similarity"),
                        help="folder for similarity.csv and similarity.html (default: ./similarity)")
    parser.add_argument("--threshold", type=similarity_threshold, default=DEFAULT_THRESHOLD,
                        help=f"show the copied code of pairs above this similarity in the HTML report (default: {DEFAULT_THRESHOLD})")


def similarity_threshold(text):
    """``--threshold``: a number from 0 to 1."""
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a similarity threshold is between 0 and 1, got {text}")
    return value


def run(args):
    """Compare the submissions of ``args`` and print the pairs above the threshold; exit status 1 on an error."""
    try:
        pairs = find_similar_pairs(AssignmentLayout.in_repository(args.root, args.assignment), args.submissions, args.out,
                                   threshold=args.threshold)
    except (SimilarityError, ManifestError) as exc:
        print(f"similarity: {exc}", file=sys.stderr)
        return 1
    flagged = [pair for pair in pairs if pair.max_similarity > args.threshold]
    print(f"{len(pairs)} pairs compared, {len(flagged)} above {args.threshold:g}:")
    for pair in flagged:
        print(f"  {pair.max_similarity:6.1%}  {pair.file}  {pair.student_a} / {pair.student_b}")
    print(f"written: {args.out / 'similarity.csv'}, {args.out / 'similarity.html'}")
    return 0


def main(argv=None):
    """``python -m autograder.similarity``; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m autograder.similarity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root; default: the engine's parent folder")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
