"""Grade the hostile-submission corpus and check every guarantee it probes (``make redteam``).

Each entry of corpus.toml is graded twice with the real engine (``grade_submission``), as a course's
grader would. An entry passes when both gradings give its expected score and the same per-test
outcomes, the expected message appears, results.json is valid and plain text, no test is a grader
error (the corpus's suites are right: every failure is the submission's), the report a grader prints
(``format_report``: table, messages, top-level message) is plain text whose only TOTAL line is the
table's true total, the grading ended within the time budget plus 10 s, and afterwards no process of
any worker is alive, no connection reached the machine's loopback listener, the canary file and the
course's source are unchanged, and nothing was written where a zip-slip entry pointed.

Prints a table (submission, what it tries, expected and received score, wall time, leftover
processes) and exits 1 on any mismatch. ``run.py NAME ...`` grades only the entries named. Attacks
know the exact paths they aim at: the repository, the output file, the canary, the listener's port.
"""

import hashlib
import json
import os
import resource
import shutil
import socket
import stat
import sys
import tempfile
import threading
import time
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT))

from autograder.grading import AssignmentLayout, grade_submission  # noqa: E402
from autograder.manifest import load_manifest  # noqa: E402
from autograder.results import format_report, validation_problems  # noqa: E402
from autograder.sandbox import ISSUED_UIDS, machine_isolation, processes_of_workers  # noqa: E402

SECRET_ENV = "REDTEAM_GRADER_SECRET"
CANARY = Path(tempfile.gettempdir()) / f"autograder-redteam-canary-{os.getpid()}"
SLIP_TARGET = Path(tempfile.gettempdir()) / f"autograder-redteam-slip-{os.getpid()}"
DAEMON_LOG = Path(tempfile.gettempdir()) / f"autograder-redteam-daemon-{os.getpid()}.log"
GUARDED = ("autograder", "utils", "tests/redteam")
HUGE_BYTES = 500 * 2**20
SLACK_SECONDS = 10


def hidden_token():
    """The token the hidden suite keeps (read from its source, as the grader's own file)."""
    source = (HERE / "hidden" / "test_calc_hidden.py").read_text()
    return source.split('TOKEN = "', 1)[1].split('"', 1)[0]


class Listener:
    """A TCP listener on loopback that counts the connections it gets."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        """Count connections until the socket closes."""
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


def tree_digest():
    """A digest of every file under the GUARDED folders (names, modes and contents)."""
    digest = hashlib.sha256()
    for folder in GUARDED:
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(REPO_ROOT)}:{path.stat().st_mode:o}".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def attack_source(name, places):
    """calc.py of an attack: the honest answer followed by the attack, with its targets filled in."""
    text = (HERE / "submissions" / "honest.py").read_text() + "\n\n" + (HERE / "submissions" / f"{name}.py").read_text()
    for key, value in places.items():
        text = text.replace(f"@{key}@", str(value))
    return text


def write_zip(path, entries):
    """A zip at ``path`` with ``entries``: [(ZipInfo or name, bytes)]."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for info, content in entries:
            bundle.writestr(info, content)
    return path


def symlink_info(name, target):
    """A zip entry that unpacks (with ``unzip``) to a symbolic link ``name`` -> ``target``."""
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def huge_zip(path, honest):
    """A zip with calc.py and a 500 MB file of zeros (deflated to about half a megabyte)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("calc.py", honest)
        with bundle.open("weights.bin", "w", force_zip64=True) as stream:
            block = bytes(2**20)
            for _ in range(HUGE_BYTES // len(block)):
                stream.write(block)
    return path


def build(name, folder, honest):
    """The submission of a "build" entry, made in ``folder``; returns its path."""
    hidden_suite = HERE / "hidden" / "test_calc_hidden.py"
    folder.mkdir(parents=True)
    if name == "shadow_numpy":
        (folder / "calc.py").write_text(honest)
        (folder / "numpy.py").write_text("raise SystemExit('a shadowing numpy was imported')\n")
        (folder / "torch.py").write_text("import os\nos._exit(0)\n")
        return folder
    if name == "not_a_zip":
        (folder / "submission.zip").write_text("this is not a zip file\n")
        return folder / "submission.zip"
    if name == "empty_zip":
        return write_zip(folder / "submission.zip", [])
    if name == "zip_slip":
        return write_zip(folder / "submission.zip", [("../calc.py", honest), ("../../calc.py", honest), (str(SLIP_TARGET / "calc.py"), honest)])
    if name == "zip_symlink":
        return write_zip(folder / "submission.zip", [symlink_info("calc.py", str(hidden_suite))])
    if name == "symlink_outside":
        (folder / "calc.py").symlink_to(hidden_suite)
        return folder
    if name == "nested_folder":
        return write_zip(folder / "submission.zip", [("Homework 3/redteam/calc.py", honest), ("Homework 3/__MACOSX/._calc.py", b"\0\1")])
    if name == "wrong_name":
        (folder / "Calc.py").write_text(honest)
        return folder
    if name == "wrong_encoding":
        (folder / "calc.py").write_bytes(honest.encode("utf-16"))
        return folder
    if name == "huge_file":
        with open(folder / "calc.py", "wb") as stream:
            stream.truncate(HUGE_BYTES)
        return folder
    if name == "huge_zip_entry":
        return huge_zip(folder / "submission.zip", honest)
    raise ValueError(f"corpus.toml names build entry {name!r}, which run.py cannot build")


@dataclass
class Outcome:
    """What grading one entry gave."""

    name: str
    tries: str
    expected: float
    received: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    leftover: int = 0
    problems: list = field(default_factory=list)
    skipped: str = ""


def outcomes_of(results):
    """(name, status, score) of every test of a results document."""
    return [(test["name"], test.get("status"), test["score"]) for test in results["tests"]]


def control_characters(text):
    """The control characters in ``text`` (newline and tab excepted) and lone surrogates, as sorted code points."""
    return sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"})


def strings_of(document):
    """Every string of a JSON document (keys included), joined by newlines."""
    if isinstance(document, str):
        return document
    if isinstance(document, dict):
        return "\n".join(strings_of(key) + "\n" + strings_of(value) for key, value in document.items())
    if isinstance(document, list):
        return "\n".join(strings_of(item) for item in document)
    return ""


def text_problems(results, written):
    """What is wrong with the text of a grading: control characters in results.json or in the printed report,
    a TOTAL line in the report other than the table's true total, a grader error."""
    problems = []
    if written is not None and control_characters(strings_of(written)):
        problems.append(f"results.json holds control characters {control_characters(strings_of(written))}")
    report = format_report(results)
    if control_characters(report):
        problems.append(f"the printed report holds control characters {control_characters(report)}")
    true_total = f"{results['score']:g}/{sum(test['max_score'] for test in results['tests']):g}"
    totals = [line.split()[-1] for line in report.splitlines() if line.lstrip().startswith("TOTAL")]
    if totals != [true_total]:
        problems.append(f"the printed report's TOTAL lines show {totals}, expected only the table's {true_total}")
    problems += [f"grader error in {test['number']} {test['name']}: {test['output'][:200]!r}"
                 for test in results["tests"] if test["extra_data"]["grader_error"]]
    return problems


def grade_entry(entry, layout, budget, listener, places_base, scratch):
    """Grade one corpus entry twice and check everything it must leave true."""
    outcome = Outcome(entry["name"], entry["tries"], float(entry["expected"]))
    honest = (HERE / "submissions" / "honest.py").read_text()
    runs = []
    for attempt in (1, 2):
        work = Path(tempfile.mkdtemp(prefix=f"redteam-{entry['name']}-", dir=scratch))
        out = work / "results" / "results.json"
        places = {**places_base, "OUT": out}
        if entry.get("form") == "build":
            source = build(entry["name"], work / "submission", honest)
        else:
            (work / "submission").mkdir()
            (work / "submission" / "calc.py").write_text(attack_source(entry["name"], places))
            source = work / "submission"
        connections = listener.connections
        issued = len(ISSUED_UIDS)
        started = time.monotonic()
        results = grade_submission(layout, source, out=out)
        outcome.seconds.append(time.monotonic() - started)
        time.sleep(0.3)
        leftover = processes_of_workers(ISSUED_UIDS[issued:])
        outcome.leftover = max(outcome.leftover, len(leftover))
        for pid in leftover:
            kill_leftover(pid)
        written = json.loads(out.read_text()) if out.is_file() else None
        outcome.received.append(written["score"] if written else None)
        if written != results:
            outcome.problems.append(f"run {attempt}: results.json on disk differs from what the grader returned")
        outcome.problems += [f"run {attempt}: results.json: {problem}" for problem in validation_problems(results)]
        if outcome.seconds[-1] > budget + SLACK_SECONDS:
            outcome.problems.append(f"run {attempt}: took {outcome.seconds[-1]:.1f} s, over the {budget:g} s budget plus {SLACK_SECONDS} s")
        if listener.connections != connections:
            outcome.problems.append(f"run {attempt}: {listener.connections - connections} connection(s) reached the loopback listener")
        outcome.problems += [f"run {attempt}: {problem}" for problem in text_problems(results, written)]
        if "message" in entry:
            text = results["output"] + "\n".join(test["output"] for test in results["tests"])
            if entry["message"] not in text:
                outcome.problems.append(f"run {attempt}: expected the message {entry['message']!r} in the results")
        runs.append(outcomes_of(results))
    if any(score != outcome.expected for score in outcome.received):
        outcome.problems.append(f"expected a score of {outcome.expected:g}, got {outcome.received}")
    if runs[0] != runs[1]:
        outcome.problems.append(f"the two gradings differ: {runs[0]} then {runs[1]}")
    return outcome


def kill_leftover(pid):
    """Kill a leftover process (it has been counted), ignoring one that is already gone."""
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass


def check_machine(canary_text, digest_before):
    """Problems left on the machine: a changed canary or source tree, a zip-slip file, a daemon's log still growing."""
    problems = []
    if not CANARY.is_file() or CANARY.read_text() != canary_text or stat.S_IMODE(CANARY.stat().st_mode) != 0o644:
        problems.append(f"the canary {CANARY} was changed or removed")
    if tree_digest() != digest_before:
        problems.append(f"files under {', '.join(GUARDED)} changed")
    if SLIP_TARGET.exists():
        problems.append(f"a zip entry was written to {SLIP_TARGET}")
    if DAEMON_LOG.exists():
        size = DAEMON_LOG.stat().st_size
        time.sleep(1)
        if DAEMON_LOG.stat().st_size != size:
            problems.append(f"{DAEMON_LOG} keeps growing: a daemon outlived its grading")
    return problems


def format_table(outcomes):
    """The report: one row per entry."""
    rows = [f"{'submission':<20} {'tries':<60} {'expected':>8} {'received':>9} {'wall s':>7} {'leftover':>8}  result"]
    for outcome in outcomes:
        tries = outcome.tries if len(outcome.tries) <= 60 else outcome.tries[:57] + "..."
        if outcome.skipped:
            rows.append(f"{outcome.name:<20} {tries:<60} {outcome.expected:>8g} {'-':>9} {'-':>7} {'-':>8}  skipped: {outcome.skipped}")
            continue
        received = "/".join("?" if score is None else f"{score:g}" for score in outcome.received)
        rows.append(f"{outcome.name:<20} {tries:<60} {outcome.expected:>8g} {received:>9} {max(outcome.seconds):>7.1f} "
                    f"{outcome.leftover:>8}  {'ok' if not outcome.problems else 'MISMATCH'}")
    return "\n".join(rows)


def main(names):
    """Grade the corpus (or the entries named) and print the report; returns the exit status."""
    token = hidden_token()
    if os.environ.get(SECRET_ENV) != token:
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, SECRET_ENV: token})
    corpus = tomllib.loads((HERE / "corpus.toml").read_text())["entry"]
    unknown = sorted(set(names) - {entry["name"] for entry in corpus})
    if unknown:
        print(f"redteam: corpus.toml has no entry named {', '.join(unknown)}")
        return 2
    entries = [entry for entry in corpus if not names or entry["name"] in names]
    manifest_path = HERE / "assignment.toml"
    layout = AssignmentLayout(manifest_path, (HERE / "public", HERE / "hidden"))
    budget = load_manifest(manifest_path).limits.grading_seconds
    root = os.geteuid() == 0
    print(f"isolation: {machine_isolation().describe()}")
    canary_text = f"canary {time.time()}\n"
    CANARY.write_text(canary_text)
    CANARY.chmod(0o644)
    listener = Listener()
    digest = tree_digest()
    places = {"REPO_ROOT": REPO_ROOT, "CANARY": CANARY, "PORT": listener.port, "DAEMON_LOG": DAEMON_LOG}
    outcomes = []
    scratch = tempfile.mkdtemp(prefix="redteam-")
    try:
        for entry in entries:
            if entry.get("needs_root") and not root:
                outcomes.append(Outcome(entry["name"], entry["tries"], float(entry["expected"]), skipped="needs grading as root"))
                continue
            outcome = grade_entry(entry, layout, budget, listener, places, scratch)
            outcome.problems += check_machine(canary_text, digest)
            outcomes.append(outcome)
            print(format_table([outcome]).splitlines()[1], flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(SLIP_TARGET, ignore_errors=True)
        for path in (CANARY, DAEMON_LOG):
            path.unlink(missing_ok=True)
    graded = [outcome for outcome in outcomes if not outcome.skipped]
    failed = [outcome for outcome in graded if outcome.problems]
    print("\n" + format_table(outcomes))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for outcome in failed:
        print(f"\nMISMATCH {outcome.name}:\n  " + "\n  ".join(outcome.problems))
    longest = max((max(outcome.seconds) for outcome in graded), default=0.0)
    print(f"\nredteam: {len(graded) - len(failed)} of {len(graded)} graded as expected ({len(outcomes) - len(graded)} skipped); "
          f"leftover processes: {sum(outcome.leftover for outcome in graded)}; longest grading {longest:.1f} s "
          f"(budget {budget:g} s + {SLACK_SECONDS} s); grader's peak memory {peak:.0f} MB")
    return 1 if failed or not graded else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
