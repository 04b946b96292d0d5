"""Batch grading: every submission of a folder, graded in parallel on a Dask distributed cluster.

``grade_batch`` writes the batch layout that ``autograder.gradebook`` and ``autograder.feedback`` read::

    OUTDIR/submissions/<student>/results.json    Gradescope results.json (always valid)
    OUTDIR/submissions/<student>/metadata.json   student, name, sid, email, source, fingerprint,
                                                 graded_at, seconds, assignment, error
    OUTDIR/submissions/<student>/artifacts/      optional artifacts the student submitted

A submission is a folder, a ``.zip`` or a notebook (``.ipynb``) in SUBMISSIONS_DIR; ``<student>`` is its
name (without ``.zip`` or ``.ipynb``). A Gradescope "export submissions" folder (``submission_metadata.yml`` and folders
``submission_<id>``) is read the same way, with the names, student ids and emails of its YAML.

Each submission is graded by ``autograder.grading.grade_submission`` inside one Dask task, in a
Dask worker process (one grading at a time per process: pytest and the suites' modules are
process-wide); the student code still runs only in the sandboxed worker processes that
``grade_submission`` starts. Nothing a submission does stops the batch: a task that raises, a
worker process that dies, or a task that runs past its wall-clock budget is recorded with a valid
results.json (score 0, an explanatory message) and ``error`` set in metadata.json. A timed-out
task's worker process is killed by its Dask nanny, with the task's sandboxed processes and
temporary folders, and the nanny starts a fresh one.

Gradings must not starve each other of CPU: each worker computes with the manifest's ``[limits] threads``
threads (or the thread variables of the batch's environment, see ``grading_threads``), so a local cluster runs
at most one grading per that many CPU cores (``concurrent_gradings``). Time limits count CPU time, so a busy
machine slows gradings down without failing them; a grading stops itself at its wall-clock backstop, and the
batch's budget for one task (``default_task_seconds``) lies beyond it.

A re-run skips a submission whose results.json exists and whose content fingerprint (see
``fingerprint``) and assignment equal those of its metadata.json, unless that grading ended with
an error or left tests that could not run because the course's data was missing; the summary says
how many were skipped. ``only`` regrades the students it names, changed or not, and leaves the
others as they are. ``grade`` run into ``OUTDIR/submissions/<student>/results.json`` writes the
same folder as a batch grading (``record_single_grading``), so ``gradebook OUTDIR`` records it.
"""

import contextlib
import difflib
import hashlib
import json
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml
from dask.distributed import Client, LocalCluster, wait
from tqdm import tqdm

from autograder.budget import GradingBudget, read_reference_timing
from autograder.grading import AssignmentLayout, grade_submission
from autograder.manifest import load_manifest
from autograder.results import build_results, not_run_of, write_results
from autograder.sandbox import child_pids, remove_tree

GRADESCOPE_METADATA = "submission_metadata.yml"
SUBMISSIONS_FOLDER = "submissions"
IGNORED_NAMES = ("__MACOSX",)
SUBMISSION_SUFFIXES = (".zip", ".ipynb")
POLL_SECONDS = 0.5
WORKER_WAIT_SECONDS = 60
TASK_MARGIN_SECONDS = 120  # a task's budget beyond its grading's wall-clock backstop: start, collection, writing results

# In a Dask worker process: {task key: (scratch folder, time.monotonic() at its start)} of the grading
# running there (at most one, since GRADING_LOCK lets one grading run at a time in a process).
ACTIVE_GRADINGS = {}
GRADING_LOCK = threading.Lock()


@dataclass(frozen=True)
class BatchEntry:
    """One submission of the batch.

    student: str, its name in SUBMISSIONS_DIR (a folder name, or a zip's or notebook's name without its suffix).
    source: Path of the folder or zip, as given (SUBMISSIONS_DIR / entry name).
    name, sid, email: str or None, from a Gradescope export's YAML (group members joined by ", ").
    """

    student: str
    source: Path
    name: str = None
    sid: str = None
    email: str = None


@dataclass(frozen=True)
class GradingOutcome:
    """What grading one submission produced: results (dict, valid results.json), error (str or None), seconds (float)."""

    results: dict
    error: str
    seconds: float


@dataclass
class BatchSummary:
    """What ``grade_batch`` did.

    - graded: int, submissions graded in this run without a batch error.
    - skipped: int, unchanged submissions whose earlier results were kept.
    - failed: int, submissions whose grading crashed or timed out (results.json says so, score 0).
    - scores: {student: float}, the score in results.json of every submission (graded, failed or skipped).
    - errors: {student: str}, the batch error of each failed submission.
    - ignored: {entry name: str}, entries of SUBMISSIONS_DIR that are not submissions, and why.
    - notes: [str], problems met that did not stop the batch (an unreadable Gradescope YAML).
    - seconds: float, wall time of the whole batch.
    """

    graded: int = 0
    skipped: int = 0
    failed: int = 0
    scores: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    ignored: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    seconds: float = 0.0

    def describe(self):
        """A few lines for people: the counts, the wall time, each failure, ignored entries and notes."""
        lines = [f"graded {self.graded}, failed {self.failed}, skipped {self.skipped} (unchanged since the last grading) "
                 f"in {self.seconds:.1f} s"]
        lines += [f"  failed: {student}: {error}" for student, error in sorted(self.errors.items())]
        lines += [f"  ignored: {name} ({why})" for name, why in sorted(self.ignored.items())]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def grade_batch(layout, submissions_dir, out_dir, *, workers=None, scheduler=None, progress=True, task_seconds=None, only=None):
    """Grade every submission in ``submissions_dir`` into the batch layout under ``out_dir``.

    Inputs:
    - layout: autograder.grading.AssignmentLayout of the assignment.
    - submissions_dir: folder of submissions (folders, .zip files or notebooks, one per student), or a
      Gradescope "export submissions" folder.
    - out_dir: the batch's output folder (created); see the module docstring for its layout.
    - workers: int or None, Dask worker processes of the local cluster (default and most: ``concurrent_gradings``,
      at most one per submission to grade); each has one thread. More than the most is cut, with a note.
    - scheduler: str or None, address of an existing Dask scheduler to use instead of a local
      cluster. Its workers must import ``autograder`` and see the same paths, and run under a
      nanny (dask-worker's default) for timed-out gradings to be killed; one thread each is
      enough, since a worker process grades one submission at a time.
    - progress: whether to show a progress bar (done, failed and running counts, ETA) on stderr.
    - task_seconds: float or None, wall-clock budget of one submission's grading, after which it is
      recorded as timed out (default: ``default_task_seconds``).
    - only: None (every submission), or the students (iterable of str, names of entries of
      ``submissions_dir``) to regrade, changed or not; the others are neither graded nor counted.

    Returns a BatchSummary. Raises ManifestError when the assignment's manifest cannot be read, and
    ValueError when both ``workers`` and ``scheduler`` are given or ``only`` names a student who has no
    submission in ``submissions_dir``.
    """
    if workers is not None and scheduler is not None:
        raise ValueError("give either workers (a local cluster) or scheduler (an existing cluster), not both")
    started = time.monotonic()
    manifest = load_manifest(layout.manifest_path)
    budget = task_seconds if task_seconds is not None else default_task_seconds(manifest, layout)
    out_dir = Path(out_dir)
    summary = BatchSummary()
    entries, summary.ignored, summary.notes = find_submissions(Path(submissions_dir))
    if only is not None:
        entries = chosen_entries(entries, only, submissions_dir)
    to_grade = []
    for entry in entries:
        folder = student_folder(out_dir, entry.student)
        content = fingerprint(entry.source)
        kept_score = None if only is not None else unchanged_score(folder, content, manifest.name)
        if kept_score is None:
            to_grade.append((entry, content))
        else:
            summary.skipped += 1
            summary.scores[entry.student] = kept_score
    most = concurrent_gradings(grading_threads(manifest))
    if workers is not None and workers > most:
        summary.notes.append(f"{workers} workers asked, {most} used: each grading computes with {grading_threads(manifest)} thread(s) "
                             f"and this machine has {available_cpus()} CPU(s)")
    if to_grade:
        with batch_client(min(workers or most, most, len(to_grade)), scheduler) as client:
            run_gradings(client, absolute_layout(layout), to_grade, out_dir, manifest.name, budget, summary, progress)
    summary.seconds = time.monotonic() - started
    return summary


def chosen_entries(entries, students, submissions_dir):
    """The entries ([BatchEntry]) of ``students`` (iterable of str), in ``entries``' order.

    Raises ValueError naming each student without a submission in ``submissions_dir``, with the close names.
    """
    known = {entry.student: entry for entry in entries}
    unknown = [student for student in dict.fromkeys(students) if student not in known]
    if unknown:
        hints = [f"{student} (close: {', '.join(close)})" if (close := difflib.get_close_matches(student, known, n=3)) else student
                 for student in unknown]
        raise ValueError(f"no submission in {submissions_dir} for: {'; '.join(hints)}")
    return [entry for entry in entries if entry.student in set(students)]


def default_task_seconds(manifest, layout):
    """Wall-clock budget of one grading task (float seconds): the grading's own wall-clock backstop
    (``autograder.budget``, from the manifest and the reference timing) plus TASK_MARGIN_SECONDS."""
    return GradingBudget.for_grading(manifest.limits, read_reference_timing(layout.timing_folder)).wall_seconds + TASK_MARGIN_SECONDS


def available_cpus():
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0))


def grading_threads(manifest):
    """Compute threads each worker of a grading uses: OMP_NUM_THREADS of this environment when set (it reaches the
    workers, see ``autograder.sandbox.NUMERICAL_ENVIRONMENT``), else the manifest's ``[limits] threads``."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else manifest.limits.threads


def concurrent_gradings(threads):
    """How many gradings may run at once here: threads per grading times gradings at most the CPU cores, at least one."""
    return max(1, available_cpus() // threads)


def find_submissions(submissions_dir):
    """The submissions in ``submissions_dir``, sorted by student.

    Returns (entries: [BatchEntry], ignored: {entry name: why}, notes: [str]). Folders, .zip files and
    notebooks (.ipynb) are submissions; hidden entries, ``__MACOSX`` and other files are ignored; a Gradescope export's
    ``submission_metadata.yml`` supplies names, ids and emails.
    """
    if not submissions_dir.is_dir():
        raise FileNotFoundError(f"no folder of submissions at {submissions_dir}")
    identities, notes = {}, []
    if (submissions_dir / GRADESCOPE_METADATA).is_file():
        try:
            identities = read_gradescope_metadata(submissions_dir / GRADESCOPE_METADATA)
        except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
            notes.append(f"{GRADESCOPE_METADATA} could not be read ({exc}); names, ids and emails are left empty")
    entries, ignored = {}, {}
    for path in sorted(submissions_dir.iterdir()):
        if path.name == GRADESCOPE_METADATA:
            continue
        if path.name.startswith(".") or path.name in IGNORED_NAMES:
            ignored[path.name] = "hidden or system entry"
            continue
        if path.is_dir():
            student = path.name
        elif path.is_file() and path.suffix.lower() in SUBMISSION_SUFFIXES:
            student = path.stem
        else:
            ignored[path.name] = "neither a folder, a .zip file nor a notebook"
            continue
        if student in entries:
            ignored[path.name] = f"{entries[student].source.name} is already the submission of {student}"
            continue
        entries[student] = BatchEntry(student, path, *identities.get(student, (None, None, None)))
    return [entries[student] for student in sorted(entries)], ignored, notes


def read_gradescope_metadata(path):
    """{submission folder name: (name, sid, email)} from a Gradescope export's ``submission_metadata.yml``.

    The YAML maps ``submission_<id>`` to a record whose ``:submitters:`` list holds ``:name:``,
    ``:sid:`` and ``:email:`` (Ruby symbols: keys are read with or without their colons). A group
    submission's members are joined by ", "; a missing value is None. Raises yaml.YAMLError or
    ValueError when the file is not such a mapping.
    """
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"expected a mapping of submission folders, got {type(document).__name__}")
    identities = {}
    for folder, record in document.items():
        submitters = plain_keys(record).get("submitters") if isinstance(record, dict) else None
        people = [plain_keys(person) for person in submitters or () if isinstance(person, dict)]
        identities[str(folder)] = tuple(joined(person.get(key) for person in people) for key in ("name", "sid", "email"))
    return identities


def plain_keys(mapping):
    """``mapping`` with its keys as strings without Ruby's colons (":name:" and ":name" -> "name")."""
    return {str(key).strip(":"): value for key, value in mapping.items()}


def joined(values):
    """The non-empty values as one string joined by ", ", or None when there is none."""
    present = [str(value) for value in values if value not in (None, "")]
    return ", ".join(present) or None


def fingerprint(source):
    """sha256 hex digest of a submission's content.

    A zip (or any file): its bytes. A folder: for each regular file under it, in the order of the
    sorted relative POSIX paths, the path (UTF-8), a NUL byte, the size (8 bytes, big-endian) and
    the bytes; links are not followed. Equal content gives an equal fingerprint whatever the
    files' times. A file that cannot be read counts as the word "unreadable" (grading then says why).
    """
    source = Path(source)
    digest = hashlib.sha256()
    if not source.is_dir():
        digest.update(content_or_mark(source))
        return digest.hexdigest()
    files = []
    for folder, subfolders, names in os.walk(source):
        subfolders[:] = [name for name in subfolders if not os.path.islink(os.path.join(folder, name))]
        files += [Path(folder, name) for name in names if Path(folder, name).is_file() and not Path(folder, name).is_symlink()]
    for path in sorted(files, key=lambda path: path.relative_to(source).as_posix()):
        content = content_or_mark(path)
        digest.update(path.relative_to(source).as_posix().encode("utf-8") + b"\0" + len(content).to_bytes(8, "big"))
        digest.update(content)
    return digest.hexdigest()


def content_or_mark(path):
    """The bytes of the file at ``path``, or b"unreadable" when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError:
        return b"unreadable"


def student_folder(out_dir, student):
    """OUTDIR/submissions/<student> (Path)."""
    return out_dir / SUBMISSIONS_FOLDER / student


def unchanged_score(folder, content, assignment):
    """The score of the kept results in ``folder`` when they can be reused, else None.

    Reusable: results.json and metadata.json are readable, metadata.json has the same fingerprint
    ``content`` and ``assignment``, that grading had no batch error and every test ran (none was left
    out because the course's data was missing).
    """
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        unchanged = (metadata["fingerprint"], metadata["assignment"], metadata["error"]) == (content, assignment, None)
        complete = not any(not_run_of(test) for test in results["tests"])
        return float(results["score"]) if unchanged and complete else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def absolute_layout(layout):
    """``layout`` with absolute paths, valid in worker processes whatever their working folder."""
    return AssignmentLayout(Path(layout.manifest_path).resolve(), tuple(Path(suite).resolve() for suite in layout.suites))


def local_cluster(n_workers):
    """A LocalCluster of ``n_workers`` processes with one thread each, quiet below errors.

    Its scheduler's HTTP server takes a free port (":0"), so that clusters started together do not
    compete for Dask's default port 8787.
    """
    return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                        silence_logs=logging.ERROR)


@contextlib.contextmanager
def batch_client(n_workers, scheduler):
    """A Dask Client for the batch: on the cluster at ``scheduler``, or on a local cluster of ``n_workers`` (closed afterwards)."""
    if scheduler is not None:
        with Client(scheduler) as client:
            client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
            yield client
        return
    with local_cluster(n_workers) as cluster, Client(cluster) as client:
        yield client


def run_gradings(client, layout, to_grade, out_dir, assignment, budget, summary, progress):
    """Grade ``to_grade`` ([(BatchEntry, fingerprint)]) on ``client``'s cluster, writing each outcome as it comes.

    Every task is submitted at once and Dask schedules them. Every POLL_SECONDS the workers report
    the gradings they are running (``running_gradings``): a task's ``budget`` seconds count from
    its actual start, not from its wait in a queue, and one past it is stopped (``stop_gradings``).
    Updates ``summary`` in place. When the batch itself is interrupted (Ctrl-C), the running
    gradings are stopped with their sandboxed processes before the exception goes on.
    """
    futures = {submit_grading(client, layout, out_dir, entry): (entry, content) for entry, content in to_grade}
    running = {}  # task key -> RunningGrading, as last reported
    with tqdm(total=len(to_grade), desc=f"grading {assignment}", unit="submission", disable=not progress) as bar:
        try:
            while futures:
                with contextlib.suppress(TimeoutError):
                    wait(list(futures), timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
                running = poll_running(client)
                for future, (entry, content) in list(futures.items()):
                    grading = running.get(future.key)
                    if future.done():
                        outcome = future_outcome(future, grading.seconds if grading else 0.0)
                    elif grading is not None and grading.seconds > budget:
                        stop_gradings(client, [future], [grading])
                        outcome = failure_outcome(f"timed out after {budget:g} s",
                                                  f"Grading ran past the batch's time budget of {budget:g} s and was stopped.", grading.seconds)
                    else:
                        continue
                    del futures[future]
                    running.pop(future.key, None)
                    record_outcome(out_dir, entry, content, assignment, outcome, summary)
                    show_counts(bar, summary, len(running), refresh=False)
                    bar.update(1)
                show_counts(bar, summary, len(running))
        except BaseException:
            with contextlib.suppress(Exception):
                stop_gradings(client, list(futures), list(running.values()))
            raise


@dataclass(frozen=True)
class RunningGrading:
    """A grading running in a Dask worker: address (str) of the worker, pid (int) of its process,
    scratch (str) folder of the task's temporary files, seconds (float) since the grading started."""

    address: str
    pid: int
    scratch: str
    seconds: float


def poll_running(client):
    """{task key: RunningGrading} of the gradings that the cluster's workers are running now."""
    reports = client.run(running_gradings, on_error="ignore")
    return {key: RunningGrading(address, *report) for address, gradings in reports.items() for key, report in gradings.items()}


def submit_grading(client, layout, out_dir, entry):
    """Submit the Dask task grading ``entry`` (its artifacts folder emptied first); returns its future."""
    artifacts_dir = student_folder(out_dir, entry.student) / "artifacts"
    shutil.rmtree(artifacts_dir, ignore_errors=True)
    key = f"grade-{entry.student}-{uuid.uuid4().hex}"
    return client.submit(grade_in_worker, layout, Path(entry.source).resolve(), artifacts_dir.resolve(), key, key=key, pure=False)


def record_outcome(out_dir, entry, content, assignment, outcome, summary):
    """Write ``outcome`` into the layout and count it in ``summary``."""
    write_outcome(out_dir, entry, content, assignment, outcome)
    summary.scores[entry.student] = outcome.results["score"]
    if outcome.error is None:
        summary.graded += 1
    else:
        summary.failed += 1
        summary.errors[entry.student] = outcome.error


def show_counts(bar, summary, running, refresh=True):
    """Show the done, failed and running counts in the progress bar's postfix."""
    bar.set_postfix(done=summary.graded + summary.failed, failed=summary.failed, running=running, refresh=refresh)


def future_outcome(future, seconds):
    """The GradingOutcome of a task that ended; one that failed on Dask's side (its worker died) becomes an error outcome after ``seconds``."""
    if future.status == "finished":
        return future.result()
    if future.status == "error":
        exc = future.exception()
        reason = f"{type(exc).__name__}: {exc}"
    else:
        reason = f"the Dask task ended as {future.status}"
    return failure_outcome(f"grading crashed: {reason}", "Grading stopped because of an error in the grading system.", seconds)


def stop_gradings(client, futures, gradings):
    """Cancel the tasks of ``futures`` and kill the worker processes that run ``gradings`` ([RunningGrading]).

    Each kill is done by the worker's nanny (``kill_grading_process``), which then starts a fresh
    worker process; a worker started without a nanny keeps running its task until it ends.
    """
    client.cancel(futures, force=True)
    for grading in gradings:
        client.run(kill_grading_process, grading.pid, grading.scratch, workers=[grading.address], nanny=True, on_error="ignore")


def failure_outcome(error, what_happened, seconds):
    """A GradingOutcome for a grading that did not finish: score 0, ``what_happened`` told to the student, ``error`` recorded."""
    message = f"{what_happened} The submission scored 0 for now; this is not a verdict on your work, and a grader will look at it."
    return GradingOutcome(build_results([], output=message, execution_time=seconds), error, seconds)


def grade_in_worker(layout, source, artifacts_dir, key):
    """Dask task: grade the submission at ``source`` in this worker process; returns a GradingOutcome, never raises.

    Inputs: layout (AssignmentLayout, absolute paths), source (Path of the folder or zip),
    artifacts_dir (Path where optional artifacts are kept), key (str, the task's key).
    Gradings in one process run one at a time; a running one is registered in ACTIVE_GRADINGS
    under ``key`` with its start. Its temporary folders (the unpacked submission, the sandbox's
    runtime and worker folders) are made in a scratch folder, which ``kill_grading_process``
    removes when the task is stopped.
    """
    with GRADING_LOCK:
        started = time.monotonic()
        scratch = tempfile.mkdtemp(prefix="autograder-batch-")
        os.chmod(scratch, 0o711)  # the sandbox user must reach its worker folder inside
        ACTIVE_GRADINGS[key] = (scratch, started)
        previous_tempdir, tempfile.tempdir = tempfile.tempdir, scratch
        try:
            results = grade_submission(layout, source, artifacts_dir=artifacts_dir)
            return GradingOutcome(results, None, time.monotonic() - started)
        except Exception as exc:
            return failure_outcome(f"grading crashed: {type(exc).__name__}: {exc}",
                                   f"Grading stopped because of an error in the grading system ({type(exc).__name__}: {exc}).",
                                   time.monotonic() - started)
        finally:
            tempfile.tempdir = previous_tempdir
            ACTIVE_GRADINGS.pop(key, None)
            remove_tree(scratch)


def running_gradings():
    """Run by ``client.run`` in every worker: {task key: (pid, scratch folder, seconds running)} of this process's gradings."""
    now = time.monotonic()
    return {key: (os.getpid(), scratch, now - started) for key, (scratch, started) in ACTIVE_GRADINGS.items()}


def kill_grading_process(pid, scratch):
    """Run by ``client.run`` in a worker's nanny: kill the worker process ``pid`` and what its grading left.

    The worker is stopped first (SIGSTOP), so that its grading thread can start no new sandboxed
    worker; then the process group of each of its children (the sandboxed workers lead their own
    groups; a bubblewrap sandbox ends with its bwrap, and everything in its PID namespace with it)
    is killed, the worker is killed and the task's ``scratch`` folder removed. The nanny sees its
    worker die and starts a fresh one.
    """
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGSTOP)
        for child in child_pids(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if os.getpgid(child) == child:
                    os.killpg(child, signal.SIGKILL)
                else:
                    os.kill(child, signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)
    remove_tree(scratch)


def record_single_grading(layout, assignment, source, out_dir, student):
    """Grade ``source`` into ``OUTDIR/submissions/<student>/`` as a batch grading does: results.json, metadata.json
    (a new ``graded_at``; name, sid and email kept from the earlier metadata.json) and the artifacts, so that
    ``gradebook OUTDIR`` records it as a new run.

    Inputs: layout (AssignmentLayout), assignment (str, its name), source (Path of the folder or zip), out_dir
    (Path of the batch folder), student (str). Returns the results (dict).
    """
    folder = student_folder(Path(out_dir), student)
    try:
        earlier = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        earlier = {}
    identity = {key: earlier.get(key) for key in ("name", "sid", "email")} if isinstance(earlier, dict) else {}
    shutil.rmtree(folder / "artifacts", ignore_errors=True)
    started = time.monotonic()
    results = grade_submission(layout, source, artifacts_dir=folder / "artifacts")
    write_outcome(Path(out_dir), BatchEntry(student, Path(source), **identity), fingerprint(source), assignment,
                  GradingOutcome(results, None, time.monotonic() - started))
    return results


def write_outcome(out_dir, entry, content, assignment, outcome):
    """Write results.json, then metadata.json (both atomically) into the student's folder of ``out_dir``."""
    folder = student_folder(out_dir, entry.student)
    write_results(outcome.results, folder / "results.json")
    metadata = {
        "student": entry.student, "name": entry.name, "sid": entry.sid, "email": entry.email,
        "source": str(entry.source), "fingerprint": content,
        "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(outcome.seconds, 2), "assignment": assignment, "error": outcome.error,
    }
    partial = folder / "metadata.json.partial"
    partial.write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    partial.replace(folder / "metadata.json")
