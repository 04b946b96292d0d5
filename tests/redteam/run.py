"""Grade the hostile-submission corpus and check every guarantee it probes (``make redteam``).

Each entry of corpus.toml is graded twice with the real engine (``grade_submission``), as a course's
grader would. An entry passes when both gradings give its expected score and the same per-test
outcomes, the expected message appears, results.json is valid and plain text, no test is a grader
error (the corpus's suites are right: every failure is the submission's), the report a grader prints
(``format_report``: table, messages, top-level message) is plain text whose only TOTAL line is the
table's true total, the grading's workers used no more CPU time than its budget and it ended within its
wall-clock backstop plus 10 s, an entry's ``timeouts`` calls ran out of time and no more (the workers' CPU
time staying under one call limit more than that), and afterwards no process of
any worker is alive (nor any process running the corpus's marker command), no connection reached the
machine's loopback listener, the canary file and the course's source are unchanged, nothing was written
where a zip-slip entry pointed, and nothing an attack put in the shared temporary folder, /dev/shm or
System V shared memory is left.

A "lookup" entry grades, once, the files of a real assignment that lookup_attack.ATTACKED names: its references
with train doing nothing and predict (or the model's forward) answering from a table of the test set the suites use
here, written into the source. It passes when each of its accuracy tests scores 0 with its messages (the accuracy
is the weights', the labels are not), there is no grader error, results.json is valid and plain text and no
process of a worker is left; the report names the tests caught. Without that test set it is skipped, saying so.

A "scripted" entry is run by a function of this file instead: ``killed_grader`` stops a grading
process while its worker runs student code, once with SIGKILL and once as a batch task past its
budget, and passes when no process of the worker and no worker folder is left.

Prints a table (submission, what it tries, expected and received score, wall time, leftover
processes) and exits 1 on any mismatch. ``run.py NAME ...`` grades only the entries named. Attacks
know the exact paths they aim at: the repository, the output file, the canary, the listener's port,
a copy of the course under the temporary folder.
"""

import contextlib
import ctypes
import hashlib
import json
import os
import resource
import shutil
import socket
import stat
import subprocess
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
sys.path[:0] = [str(REPO_ROOT), str(HERE)]

from autograder.budget import GradingBudget  # noqa: E402
from autograder.grading import AssignmentLayout, grade_submission  # noqa: E402
from autograder.manifest import load_manifest  # noqa: E402
from autograder.results import format_report, validation_problems  # noqa: E402
from autograder.isolation import ISSUED_UIDS, machine_isolation, processes_of_workers  # noqa: E402
from autograder.sandbox import remove_tree, running  # noqa: E402
from utils.data import DatasetNotFound  # noqa: E402

SECRET_ENV = "REDTEAM_GRADER_SECRET"
TEMP = Path(tempfile.gettempdir())
CANARY = TEMP / f"autograder-redteam-canary-{os.getpid()}"
SLIP_TARGET = TEMP / f"autograder-redteam-slip-{os.getpid()}"
DAEMON_LOG = TEMP / f"autograder-redteam-daemon-{os.getpid()}.log"
# Another copy of the course, world-readable under the temporary folder, and the log of an earlier grading run.
COURSE_COPY = TEMP / f"autograder-redteam-course-{os.getpid()}"
GRADING_LOG = TEMP / f"autograder-redteam-grading-{os.getpid()}.log"
# The command line of processes that attacks leave behind (`sleep MARKER`), unique to this run.
MARKER = f"86400.{os.getpid()}{int(time.time() * 1000) % 10**6:06d}"
# Names of the files attacks put in /dev/shm and the shared temporary folder, and the first System V key they use.
SHM_PREFIX = f"autograder-redteam-shm-{os.getpid()}-"
FILL_PREFIX = f"autograder-redteam-fill-{os.getpid()}-"
SHM_KEY = 0x7ED00000 + (os.getpid() % 4096) * 16
SHM_SEGMENTS = 8
GUARDED = ("autograder", "utils", "tests/redteam")
HUGE_BYTES = 500 * 2**20
SLACK_SECONDS = 10
# What a test's message says when a limit of one call stopped it (not the grading's budget, not a call not run again).
CALL_LIMIT_STRUCK = ("the limit for one call is", "the wall-clock backstop of one call is")
NOT_RUN_AGAIN = "[not run again"


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


def base_places(listener_port):
    """{placeholder: value} every attack may use, besides OUT (the results file of its grading)."""
    return {"REPO_ROOT": REPO_ROOT, "CANARY": CANARY, "PORT": listener_port, "DAEMON_LOG": DAEMON_LOG, "COURSE_COPY": COURSE_COPY,
            "GRADING_LOG": GRADING_LOG, "MARKER": MARKER, "SHM_PREFIX": SHM_PREFIX, "SHM_KEY": SHM_KEY, "FILL_PREFIX": FILL_PREFIX}


@contextlib.contextmanager
def course_copy():
    """Another copy of the course under the temporary folder (the hidden suite, world-readable) and a grading log
    that quotes the hidden suite's token, as careless staff might leave them; removed afterwards."""
    hidden = COURSE_COPY / "tests" / "redteam" / "hidden"
    hidden.mkdir(parents=True)
    shutil.copyfile(HERE / "hidden" / "test_calc_hidden.py", hidden / "test_calc_hidden.py")
    GRADING_LOG.write_text(f"grading redteam: test_leak_returns_nothing_secret expected {hidden_token()!r}\n")
    for path in [COURSE_COPY, *COURSE_COPY.rglob("*"), GRADING_LOG]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    try:
        yield
    finally:
        shutil.rmtree(COURSE_COPY, ignore_errors=True)
        GRADING_LOG.unlink(missing_ok=True)


def processes_running(marker):
    """PIDs of the live processes of this machine whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError):
            if marker.encode() in (entry / "cmdline").read_bytes() and running(int(entry.name)):
                found.append(int(entry.name))
    return found


def shm_segments(first_key, count):
    """{key: shmid} of the System V shared-memory segments of this IPC namespace whose key is in [first_key, first_key + count)."""
    found = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]:
            key, shmid = int(line.split()[0]), int(line.split()[1])
            if first_key <= key < first_key + count:
                found[key] = shmid
    return found


def remove_segments(segments):
    """Remove the System V shared-memory segments ``segments`` ({key: shmid})."""
    libc = ctypes.CDLL(None, use_errno=True)
    for shmid in segments.values():
        libc.shmctl(shmid, 0, None)  # IPC_RMID


def leftovers():
    """What attacks left on the machine, removed here: [(what, how many)] for processes running MARKER, files in
    /dev/shm and in the temporary folder named by the attacks, and their System V segments."""
    found = []
    processes = processes_running(MARKER)
    for pid in processes:
        kill_leftover(pid)
    shm_files = list(Path("/dev/shm").glob(SHM_PREFIX + "*"))
    for path in shm_files:
        path.unlink(missing_ok=True)
    fill = list(TEMP.glob(FILL_PREFIX + "*"))
    for path in fill:
        remove_tree(path)
    segments = shm_segments(SHM_KEY, SHM_SEGMENTS)
    remove_segments(segments)
    for what, items in (("process(es) running the attacks' marker command", processes), ("file(s) in /dev/shm", shm_files),
                        ("System V shared-memory segment(s)", segments), ("file(s) or folder(s) in the shared temporary folder", fill)):
        if items:
            found.append((what, len(items)))
    return found


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
    if name == "big_literal":
        (folder / "calc.py").write_text(honest + "\nTABLE = [" + "12345, " * 600_000 + "]\n")
        return folder
    raise ValueError(f"corpus.toml names build entry {name!r}, which run.py cannot build")


@dataclass
class Outcome:
    """What grading one entry gave (a scripted entry has no expected score: None)."""

    name: str
    tries: str
    expected: float
    received: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    leftover: int = 0
    problems: list = field(default_factory=list)
    skipped: str = ""
    caught: list = field(default_factory=list)


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


def timing_problems(entry, results, timing, limits, budget):
    """What is wrong with the time a grading took: its workers' CPU time over the budget, another number of calls
    stopped by a limit of one call than the entry's ``timeouts``, or more CPU time than those calls allow."""
    problems = []
    if timing["worker_cpu_seconds"] > budget.cpu_seconds + 1:
        problems.append(f"its workers used {timing['worker_cpu_seconds']:g} s of CPU time, over the {budget.cpu_seconds:g} s budget")
    if "timeouts" in entry:
        struck = [test["name"] for test in results["tests"]
                  if any(text in test["output"] for text in CALL_LIMIT_STRUCK) and NOT_RUN_AGAIN not in test["output"]]
        if len(struck) != entry["timeouts"]:
            problems.append(f"expected {entry['timeouts']} call(s) stopped by a limit of one call, got {len(struck)}: {struck}")
        allowed = (entry["timeouts"] + 1) * limits.call_seconds
        if timing["worker_cpu_seconds"] >= allowed:
            problems.append(f"its workers used {timing['worker_cpu_seconds']:g} s of CPU time, not under {allowed:g} s: a call ran out of time more than once")
    return problems


def checked_grading(outcome, grade, out, label):
    """Run ``grade()`` (a grading that writes ``out``) and add to ``outcome`` its wall time, the processes of its workers
    left afterwards (killed) and what is wrong with results.json and the report's text; returns (results, results.json)."""
    issued = len(ISSUED_UIDS)
    started = time.monotonic()
    results = grade()
    outcome.seconds.append(time.monotonic() - started)
    time.sleep(0.3)
    leftover = processes_of_workers(ISSUED_UIDS[issued:])
    outcome.leftover = max(outcome.leftover, len(leftover))
    for pid in leftover:
        kill_leftover(pid)
    written = json.loads(out.read_text()) if out.is_file() else None
    if written != results:
        outcome.problems.append(f"{label}: results.json on disk differs from what the grader returned")
    outcome.problems += [f"{label}: results.json: {problem}" for problem in validation_problems(results)]
    outcome.problems += [f"{label}: {problem}" for problem in text_problems(results, written)]
    return results, written


def grade_lookup(entry, scratch):
    """Grade a "lookup" entry once: each of its accuracy tests must score 0 with each of its messages."""
    from lookup_attack import attacked_submission  # torch and the data sets: loaded only where a lookup entry is graded

    outcome = Outcome(entry["name"], entry["tries"], 0.0)
    work = Path(tempfile.mkdtemp(prefix=f"redteam-{entry['name']}-", dir=scratch))
    out = work / "results" / "results.json"
    try:
        with attacked_submission(entry["assignment"], entry.get("attack", "exact"), work / "submission") as files:
            layout = AssignmentLayout.in_repository(REPO_ROOT, entry["assignment"])
            results, _ = checked_grading(outcome, lambda: grade_submission(layout, work / "submission", out=out, files=files), out, "grading")
    except DatasetNotFound as exc:
        outcome.skipped = f"{exc} (the attack's table is of that test set)"
        return outcome
    tests = {test["name"]: test for test in results["tests"]}
    for name in entry["accuracy_tests"]:
        test = tests.get(name)
        if test is None:
            outcome.problems.append(f"expected the accuracy test {name!r} in the results, which hold only {sorted(tests)}")
            continue
        missing = [message for message in entry["messages"] if message not in test["output"]]
        if test["score"] != 0 or missing:
            outcome.problems.append(f"{test['number']} {name}: expected 0 points and the message(s) {missing or entry['messages']}, "
                                    f"got {test['score']:g} points and {test['output'][:400]!r}")
        else:
            outcome.caught.append(f"{test['number']} {name}")
    outcome.received.append(sum(tests[name]["score"] for name in entry["accuracy_tests"] if name in tests))
    return outcome


def grade_entry(entry, layout, limits, budget, listener, places_base, scratch):
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
        timing = {}
        results, written = checked_grading(outcome, lambda: grade_submission(layout, source, out=out, timing=timing), out, f"run {attempt}")
        outcome.received.append(written["score"] if written else None)
        if outcome.seconds[-1] > budget.wall_seconds + SLACK_SECONDS:
            outcome.problems.append(f"run {attempt}: took {outcome.seconds[-1]:.1f} s, over the {budget.wall_seconds:g} s backstop plus {SLACK_SECONDS} s")
        outcome.problems += [f"run {attempt}: {problem}" for problem in timing_problems(entry, results, timing, limits, budget)]
        if listener.connections != connections:
            outcome.problems.append(f"run {attempt}: {listener.connections - connections} connection(s) reached the loopback listener")
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


def killed_grader(how, places, bwrap=True):
    """Stop a grading process while its worker runs student code that cleared its PR_SET_PDEATHSIG, started a
    child in a new session and a non-daemon thread (submissions/orphans.py, then killed_grader.py).

    Inputs: how: "SIGKILL" (the grading process is killed) or "batch" (``autograder.batch.kill_grading_process``
    stops it, as when a batch task runs past its budget); places: the attacks' placeholders; bwrap: False switches
    bubblewrap off in the grading process (a control).

    Returns (processes of the worker or running MARKER still alive 5 s after the stop, names of worker folders
    left in the grading process's temporary folder). The processes found are killed.
    """
    temp = Path(tempfile.mkdtemp(prefix="redteam-grader-"))
    temp.chmod(0o711)  # the grading process's temporary folder: its workers' user ids must reach their folders there
    try:
        submission = temp / "submission"
        submission.mkdir()
        (submission / "calc.py").write_text(attack_source("orphans", places) + "\n\n" + (HERE / "submissions" / "killed_grader.py").read_text())
        command = [sys.executable, str(HERE / "dying_grader.py"), str(submission)] + ([] if bwrap else ["--no-bwrap"])
        grader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "TMPDIR": str(temp)})
        deadline = time.monotonic() + 60
        while not processes_running(places["MARKER"]) and grader.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        if how == "batch":
            from autograder.batch import kill_grading_process

            kill_grading_process(grader.pid, str(temp))
        else:
            grader.kill()
        grader.wait()
        uids = [json.loads(line)["uid"] for line in grader.stdout if line.startswith("{")]
        uids = [uid for uid in uids if uid is not None]
        deadline = time.monotonic() + 5
        while (processes_running(places["MARKER"]) or processes_of_workers(uids)) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = set(processes_running(places["MARKER"])) | set(processes_of_workers(uids))
        for pid in left:
            kill_leftover(pid)
        folders = sorted(path.name for path in temp.glob("autograder-worker-*")) if temp.exists() else []
        return len(left), folders
    finally:
        remove_tree(temp)


def run_scripted(entry, places):
    """Run a scripted entry (only killed_grader): once with SIGKILL, once as a stopped batch task."""
    if entry["name"] != "killed_grader":
        raise ValueError(f"corpus.toml names scripted entry {entry['name']!r}, which run.py cannot run")
    outcome = Outcome(entry["name"], entry["tries"], None)
    for how in ("SIGKILL", "batch"):
        started = time.monotonic()
        left, folders = killed_grader(how, places)
        outcome.seconds.append(time.monotonic() - started)
        outcome.leftover = max(outcome.leftover, left)
        if left:
            outcome.problems.append(f"{how}: {left} process(es) of the worker outlived its grading process")
        if folders:
            outcome.problems.append(f"{how}: worker folder(s) left in the temporary folder: {', '.join(folders)}")
    return outcome


def check_machine(canary_text, digest_before):
    """Problems left on the machine: a changed canary or source tree, a zip-slip file, a daemon's log still growing,
    what attacks left in the shared temporary folder, /dev/shm or shared memory, processes running MARKER."""
    problems = [f"{count} {what} left after grading (removed now)" for what, count in leftovers()]
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
        expected = "-" if outcome.expected is None else f"{outcome.expected:g}"
        if outcome.skipped:
            rows.append(f"{outcome.name:<20} {tries:<60} {expected:>8} {'-':>9} {'-':>7} {'-':>8}  skipped: {outcome.skipped}")
            continue
        received = "/".join("?" if score is None else f"{score:g}" for score in outcome.received) or "-"
        rows.append(f"{outcome.name:<20} {tries:<60} {expected:>8} {received:>9} {max(outcome.seconds):>7.1f} "
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
    limits = load_manifest(manifest_path).limits
    budget = GradingBudget.for_grading(limits)
    root = os.geteuid() == 0
    isolation = machine_isolation()
    print(f"isolation: {isolation.describe()}")
    canary_text = f"canary {time.time()}\n"
    CANARY.write_text(canary_text)
    CANARY.chmod(0o644)
    listener = Listener()
    digest = tree_digest()
    places = base_places(listener.port)
    outcomes = []
    scratch = tempfile.mkdtemp(prefix="redteam-")
    try:
        with course_copy():
            for entry in entries:
                expected = float(entry["expected"]) if "expected" in entry else None
                if entry.get("needs_root") and not root:
                    outcomes.append(Outcome(entry["name"], entry["tries"], expected, skipped="needs grading as root"))
                    continue
                if entry.get("needs_bwrap") and not isolation.bwrap:
                    outcomes.append(Outcome(entry["name"], entry["tries"], expected, skipped="needs bubblewrap"))
                    continue
                if entry.get("form") == "scripted":
                    outcome = run_scripted(entry, places)
                elif entry.get("form") == "lookup":
                    outcome = grade_lookup(entry, scratch)
                else:
                    outcome = grade_entry(entry, layout, limits, budget, listener, places, scratch)
                outcome.problems += check_machine(canary_text, digest)
                outcomes.append(outcome)
                print(format_table([outcome]).splitlines()[1], flush=True)
    finally:
        remove_tree(scratch)
        shutil.rmtree(SLIP_TARGET, ignore_errors=True)
        for path in (CANARY, DAEMON_LOG):
            path.unlink(missing_ok=True)
        leftovers()
    graded = [outcome for outcome in outcomes if not outcome.skipped]
    failed = [outcome for outcome in graded if outcome.problems]
    print("\n" + format_table(outcomes))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for outcome in graded:
        if outcome.caught:
            print(f"\n{outcome.name}: accuracy tests that scored 0 on the weights, their messages saying why:\n  " + "\n  ".join(outcome.caught))
    for outcome in failed:
        print(f"\nMISMATCH {outcome.name}:\n  " + "\n  ".join(outcome.problems))
    lookups = {entry["name"] for entry in entries if entry.get("form") == "lookup"}
    longest = max((max(outcome.seconds) for outcome in graded if outcome.expected is not None and outcome.name not in lookups), default=0.0)
    print(f"\nredteam: {len(graded) - len(failed)} of {len(graded)} graded as expected ({len(outcomes) - len(graded)} skipped); "
          f"leftover processes: {sum(outcome.leftover for outcome in graded)}; longest grading {longest:.1f} s "
          f"(wall-clock backstop {budget.wall_seconds:g} s + {SLACK_SECONDS} s); grader's peak memory {peak:.0f} MB")
    return 1 if failed or not graded else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
