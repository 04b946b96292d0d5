"""The boundary between the grader and student code.

Student code runs only in a worker process (``autograder.worker.server``) under resource limits, kept from the
machine as ``autograder.isolation`` describes. Tests hold ``RemoteObject`` proxies: attribute reads, writes and calls travel as
messages; values come back as data (JSON-able values and numpy arrays, never pickles) or as
further proxies.

Any failure on the student's side surfaces as a ``SubmissionError``: the test that caused it
fails with the message, and the next call starts a fresh worker. That includes whatever comes back
that the wire format rejects (``UnreadableReply``): the worker runs the student's code, which can
write anything to the reply channel. Text that comes back (exception messages, tracebacks, captured
output) is made ``plain_text`` as it arrives.
"""

import contextlib
import os
import reprlib
import resource
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder import static_checks
from autograder.budget import GradingBudget, call_key
from autograder.cputime import CpuGroup, WorkerClock, cpu_groups_available
from autograder.isolation import (ENGINE_ROOT, LIBC, REPO_ROOT, SANDBOX_RUNTIME, SANDBOX_SUBMISSION, SANDBOX_TMP, bwrap_command,
                                  drop_privileges, enter_namespaces, kill_user, machine_isolation, worker_python)
from autograder.plain_text import plain_text
from autograder.worker import protocol

MAX_RESPONSE_BYTES = 512 * 2**20
EXIT_WAIT_SECONDS = 2  # how long a worker whose channel closed may take to end by itself before it is killed
POLL_SECONDS = 0.25  # how often the CPU time of a call that has not answered yet is read
# The variables that set how many compute threads OpenMP (hence torch), MKL and OpenBLAS use in a worker.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from grader_worker.server import main; main(sys.argv[2:])"
PR_SET_PDEATHSIG = 1  # prctl option: the signal the kernel sends the worker when its parent dies
# Variables that choose the numerical path of numpy, OpenBLAS, MKL, oneDNN and torch (kernels, instruction sets,
# thread counts): a worker computes as the grader's machine is set up to, and the engine's tests can simulate
# another CPU (see tests/engine/test_numerical_paths.py). Nothing else of the grader's environment reaches it.
NUMERICAL_ENVIRONMENT = (
    "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS", "MKL_CBWR", "NPY_DISABLE_CPU_FEATURES",
    "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
)


class SubmissionError(Exception):
    """A failure caused by the submission; the test fails with this message."""


class StudentError(SubmissionError):
    """Student code raised an exception.

    Attributes: type_name, message, traceback (the student's frames only).
    """

    def __init__(self, where, type_name, message, traceback):
        self.type_name = type_name
        self.message = message
        self.traceback = traceback
        super().__init__(f"{where} raised {type_name}: {message}\n{traceback}".rstrip())


class SubmissionTimeout(SubmissionError):
    """A call into student code ran out of time, or was not run because the time it needed is spent.

    A call stopped by ``Worker.request`` (its worker killed) says which limit struck: ``struck`` is "cpu" (its CPU
    time reached ``cpu_limit``) or "wall" (its wall-clock time reached ``wall_limit``); ``cpu_used`` and
    ``wall_used`` are the seconds it ran. Otherwise these are None.
    """

    def __init__(self, message, struck=None, cpu_used=None, wall_used=None, cpu_limit=None, wall_limit=None):
        super().__init__(message)
        self.struck, self.cpu_used, self.wall_used, self.cpu_limit, self.wall_limit = struck, cpu_used, wall_used, cpu_limit, wall_limit


class WorkerCrashed(SubmissionError):
    """The worker process ended while the grader waited for an answer."""


class UnreadableReply(SubmissionError):
    """The worker sent what the wire format rejects (a malformed or forged frame, a header too large or
    nested too deeply, an array of another size than its bytes, a reply of the wrong shape or to another
    request, an integer over 64 bits) or something else than a module for an import.

    Only student code can make the worker do so: the worker is stopped and the message says what came back.
    """


class SandboxError(RuntimeError):
    """The sandbox itself could not be set up: a problem of the grading machine, not of the submission."""


class OutputCapture:
    """Reads a worker's stdout or stderr in a thread, keeping the first ``limit`` bytes."""

    def __init__(self, stream, limit):
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0
        self.thread = threading.Thread(target=self.drain, args=(stream,), daemon=True)
        self.thread.start()

    def drain(self, stream):
        """Read until the stream closes."""
        for chunk in iter(lambda: stream.read1(65536), b""):
            room = self.limit - len(self.kept)
            self.kept += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)
        stream.close()

    def text(self):
        """What was kept, as plain text, with a note of how much was cut."""
        text = plain_text(bytes(self.kept))
        return text + (f"\n[... {self.dropped} more bytes of output cut]" if self.dropped else "")


def make_runtime_dir():
    """A world-readable folder holding the worker's code (``grader_worker``) and the course's ``utils``.

    Only these travel: the grader's tests and the reference solutions are never on the worker's path.
    """
    runtime = Path(tempfile.mkdtemp(prefix="autograder-runtime-"))
    shutil.copytree(ENGINE_ROOT / "worker", runtime / "grader_worker", ignore=shutil.ignore_patterns("__pycache__"))
    if (REPO_ROOT / "utils").is_dir():
        shutil.copytree(REPO_ROOT / "utils", runtime / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    for path in [runtime, *runtime.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return runtime


def enter_sandbox(limits, isolation, file_bytes=0, group=None):
    """Run in the worker's process before exec: its CPU-accounting ``group`` (a CpuGroup, or None), namespaces
    (without bubblewrap), then its user id, then limits.

    PR_SET_PDEATHSIG asks the kernel to kill the worker (with bubblewrap: bwrap, whose sandbox then ends)
    when the grading process dies, even by SIGKILL, so that no student code outlives a killed grader (set
    after the user id changes, which would clear it). With bubblewrap the file size limit is at least
    ``file_bytes``, the largest submitted file, which bwrap copies into the sandbox under that limit.
    """
    if group is not None:
        group.join()
    if isolation.namespaces:
        enter_namespaces(isolation.hidden)
    if isolation.uid is not None:
        drop_privileges(isolation.uid, isolation.gid)
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    megabyte = 2**20
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * megabyte,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (max(limits.file_size_mb * megabyte, file_bytes),) * 2)
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def memory_file(name, content):
    """A file descriptor of an anonymous in-memory file holding ``content``, positioned at its start."""
    fd = os.memfd_create(name)
    view = memoryview(content)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def remove_tree(path):
    """Remove the folder ``path`` whatever it holds: trees too deep for shutil.rmtree (its recursion, its open
    folders, paths over PATH_MAX) are left to ``rm -rf``, which walks them without such limits."""
    with contextlib.suppress(RecursionError):
        shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        subprocess.run(["rm", "-rf", "--one-file-system", "--", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def child_pids(parent):
    """PIDs (ints) of the processes whose parent is ``parent``, read from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields_after_name = stat.read_text().rpartition(")")[2].split()
            if int(fields_after_name[1]) == parent:
                children.append(int(stat.parent.name))
    return children


def running(pid):
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@dataclass
class Call:
    """The limits of the call a worker is serving: CPU seconds (``cpu_limit``) and wall-clock seconds (``wall_limit``)
    from ``started`` (``time.monotonic()``); ``cpu_start`` is the worker's CPU time when it began, ``cpu_used`` what it
    has used so far."""

    cpu_limit: float
    wall_limit: float
    cpu_start: float
    started: float = field(default_factory=time.monotonic)
    cpu_used: float = 0.0


class Worker:
    """One sandboxed worker process and its message channel.

    Inputs:
    - files: {filename: bytes} of the submission, copied into the worker's fresh folder.
    - limits: ``autograder.manifest.Limits``.
    - runtime_dir: folder from ``make_runtime_dir``.

    With bubblewrap, the worker's folder exists only in its sandbox (SANDBOX_SUBMISSION, in its private /tmp)
    and ``folder`` is None; without it, ``folder`` is a fresh folder of the shared temporary folder. Where
    control groups can be created, the worker runs in a CPU-accounting group of its own (``cpu_group``), else
    ``cpu_group`` is None and its CPU time is read from /proc (``autograder.cputime``).
    """

    def __init__(self, files, limits, runtime_dir):
        self.limits = limits
        self.requests = 0
        self.isolation = machine_isolation()
        self.folder = None
        self.cpu_group = CpuGroup.create() if cpu_groups_available() else None
        to_worker_read, self.to_worker = os.pipe()
        self.from_worker, from_worker_write = os.pipe()
        env = {"PATH": "/usr/bin:/bin", "USER": "student", "LOGNAME": "student",
               "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8",
               **{name: str(limits.threads) for name in THREAD_VARIABLES},
               **{name: os.environ[name] for name in NUMERICAL_ENVIRONMENT if name in os.environ}}
        try:
            if self.isolation.bwrap:
                self.process = self.start_in_bwrap(files, runtime_dir, to_worker_read, from_worker_write,
                                                   {**env, "HOME": SANDBOX_SUBMISSION, "TMPDIR": SANDBOX_TMP})
            else:
                self.folder = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
                for name, content in files.items():
                    (self.folder / name).write_bytes(content)
                if self.isolation.uid is not None:
                    for path in [self.folder, *self.folder.iterdir()]:
                        os.chown(path, self.isolation.uid, self.isolation.gid)
                self.process = self.start(runtime_dir, to_worker_read, from_worker_write, {**env, "HOME": str(self.folder), "TMPDIR": str(self.folder)})
        except BaseException:
            for fd in (self.to_worker, self.from_worker):
                os.close(fd)
            if self.folder is not None:
                remove_tree(self.folder)
            if self.cpu_group is not None:
                self.cpu_group.remove()
            raise
        finally:
            os.close(to_worker_read)
            os.close(from_worker_write)
        self.stdout = OutputCapture(self.process.stdout, limits.output_kb * 1024)
        self.stderr = OutputCapture(self.process.stderr, limits.output_kb * 1024)
        self.clock = WorkerClock(self.process.pid, None if self.isolation.bwrap else self.isolation.uid, self.cpu_group)
        self.call = None

    def popen(self, command, pass_fds, cwd, env, file_bytes=0):
        """Start ``command`` with the worker's limits and user id; SandboxError when the machine does not allow it."""
        try:
            return subprocess.Popen(
                command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=pass_fds, start_new_session=True,
                preexec_fn=lambda: enter_sandbox(self.limits, self.isolation, file_bytes, self.cpu_group),
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise SandboxError(
                f"cannot start a sandboxed worker with {worker_python()} ({self.isolation.describe()}): {exc}. "
                "The Python environment must be readable by every user (make setup builds it from the system Python)."
            ) from exc

    def start(self, runtime_dir, read_fd, write_fd, env):
        """Start the worker process in its folder of the shared temporary folder (no bubblewrap)."""
        return self.popen([worker_python(), "-I", "-c", BOOT, str(runtime_dir), str(read_fd), str(write_fd), str(self.folder), self.filter_argument],
                          (read_fd, write_fd), self.folder, env)

    def start_in_bwrap(self, files, runtime_dir, read_fd, write_fd, env):
        """Start the worker process in a bubblewrap sandbox; the submitted files travel as in-memory files that bwrap
        copies into the sandbox's private /tmp."""
        file_fds = [(memory_file(name, content), name) for name, content in files.items()]
        try:
            command = bwrap_command(self.isolation.bwrap, runtime_dir, self.limits.scratch_mb, self.isolation.hidden, file_fds)
            command += [worker_python(), "-I", "-c", BOOT, SANDBOX_RUNTIME, str(read_fd), str(write_fd), SANDBOX_SUBMISSION, self.filter_argument]
            largest = max((len(content) for content in files.values()), default=0)
            return self.popen(command, (read_fd, write_fd, *(fd for fd, _ in file_fds)), "/", env, largest)
        finally:
            for fd, _ in file_fds:
                os.close(fd)

    @property
    def filter_argument(self):
        """The worker's last argument: whether it installs the system-call filter."""
        return "filter" if self.isolation.syscall_filter else "no-filter"

    @property
    def alive(self):
        """Whether the process is still running."""
        return self.process.poll() is None

    def request(self, header, blobs, cpu_limit, wall_limit):
        """Send one request, numbered ``self.requests``, and wait for what comes back; returns (header, blobs).

        The call may use ``cpu_limit`` seconds of CPU time (all the worker's processes and threads, read every
        POLL_SECONDS while no answer has come) and ``wall_limit`` seconds of wall-clock time; ``self.call.cpu_used``
        is the CPU time it used. Raises SubmissionTimeout (the worker stopped) when a limit strikes, WorkerCrashed
        when the process ends and protocol.ProtocolError (the worker stopped) when what comes back is not a frame.
        """
        self.requests += 1
        self.call = Call(cpu_limit, wall_limit, self.clock.known())
        try:
            self.send(protocol.pack_frame(dict(header, id=self.requests), blobs))
            return protocol.read_frame(self.receive, MAX_RESPONSE_BYTES)
        except (EOFError, BrokenPipeError):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=EXIT_WAIT_SECONDS)  # bwrap reports the worker's own exit status once it ends
            self.close()
            raise WorkerCrashed(self.crash_message()) from None
        except protocol.ProtocolError:
            self.close()
            raise
        finally:
            if self.to_worker != -1:
                self.call.cpu_used = max(self.call.cpu_used, self.clock.known() - self.call.cpu_start)

    def send(self, data):
        """Write ``data`` to the worker within the call's limits."""
        view = memoryview(data)
        while view:
            self.wait_ready(self.to_worker, write=True)
            written = os.write(self.to_worker, view[:1 << 20])
            view = view[written:]

    def receive(self, size):
        """Read up to ``size`` bytes from the worker within the call's limits."""
        self.wait_ready(self.from_worker, write=False)
        return os.read(self.from_worker, min(size, 1 << 20))

    def wait_ready(self, fd, write):
        """Block until ``fd`` is ready; every POLL_SECONDS meanwhile, stop the worker when the call is past a limit."""
        call = self.call
        while True:
            timeout = min(POLL_SECONDS, max(call.started + call.wall_limit - time.monotonic(), 0))
            ready = select.select([], [fd], [], timeout)[1] if write else select.select([fd], [], [], timeout)[0]
            if ready:
                return
            call.cpu_used = max(call.cpu_used, self.clock.total() - call.cpu_start)
            struck = "cpu" if call.cpu_used >= call.cpu_limit else "wall" if time.monotonic() - call.started >= call.wall_limit else None
            if struck:
                wall = time.monotonic() - call.started
                self.close()
                raise SubmissionTimeout(f"used {call.cpu_used:.1f} s of CPU time in {wall:.1f} s (the worker was stopped)",
                                        struck, call.cpu_used, wall, call.cpu_limit, call.wall_limit)

    def crash_message(self):
        """Why the worker ended, in words."""
        code = self.process.wait()
        if self.isolation.bwrap and 128 < code < 128 + signal.NSIG:
            code = 128 - code  # bwrap exits with 128 + the signal that ended the worker
        if code < 0:
            name = signal.Signals(-code).name
            reason = {"SIGXCPU": "it used up its CPU-time limit", "SIGKILL": "it was killed (out of memory or a limit)",
                      "SIGSEGV": "it crashed (segmentation fault)", "SIGXFSZ": "it wrote a file over the size limit"}.get(name, name)
            return f"the worker process ended: {reason}"
        return f"the worker process exited with status {code}"

    def close(self):
        """Kill the worker and everything it started, and release its folder.

        With bubblewrap, killing bwrap ends its sandbox: the sandbox's first process dies with bwrap
        (PR_SET_PDEATHSIG) and the kernel kills every process of its PID namespace with it; its /tmp, /dev/shm
        and shared memory go with its namespaces. Then, as a backstop, every process of the worker's user id is
        killed (when the grader is root), and the worker's folder in the shared temporary folder (without
        bubblewrap) is removed.
        """
        # The sandbox's first process, to wait for its PID namespace's end; looked up only while bwrap's pid is still
        # this worker's (not yet reaped, so not reused).
        sandbox_init = child_pids(self.process.pid) if self.isolation.bwrap and self.process.returncode is None else []
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        if self.isolation.uid is not None:
            kill_user(self.isolation.uid, self.isolation.gid)
        deadline = time.monotonic() + 5
        while any(running(pid) for pid in sandbox_init) and time.monotonic() < deadline:
            time.sleep(0.01)
        for fd in (self.to_worker, self.from_worker):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.to_worker = self.from_worker = -1
        self.stdout.thread.join(timeout=5)
        self.stderr.thread.join(timeout=5)
        if self.folder is not None:
            remove_tree(self.folder)
        if self.cpu_group is not None:
            self.cpu_group.remove()

    def output(self):
        """The captured stdout and stderr of the worker."""
        return "\n".join(part for part in (self.stdout.text(), self.stderr.text()) if part)


class RemoteObject:
    """A proxy for an object in the worker: attribute reads, writes and calls become requests.

    ``_path`` is the object's dotted path from its module ("numpy_ann.NumpyANN") when it was reached by attribute
    reads only, else None: a call of such an object with the same arguments computes the same in a fresh worker.
    """

    __slots__ = ("_submission", "_worker", "_id", "_type", "_label", "_path")

    def __init__(self, submission, worker, handle, label, path=None):
        object.__setattr__(self, "_submission", submission)
        object.__setattr__(self, "_worker", worker)
        object.__setattr__(self, "_id", handle.id)
        object.__setattr__(self, "_type", handle.type_name)
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._submission.request(self, {"op": "getattr", "target": self._id, "name": name}, f"{self._label}.{name}",
                                        path=f"{self._path}.{name}" if self._path else None)

    def __setattr__(self, name, value):
        self._submission.request(self, {"op": "setattr", "target": self._id, "name": name, "value": value}, f"setting {self._label}.{name}")

    def __call__(self, *args, **kwargs):
        return self._submission.request(self, {"op": "call", "target": self._id, "args": list(args), "kwargs": kwargs}, f"{self._label}()",
                                        callable_path=self._path)

    def __repr__(self):
        return f"<{self._type} in the submission: {self._label}>"


class Submission:
    """A submission as tests see it: its modules, run in a sandboxed worker started on demand.

    Inputs:
    - folder: the unpacked submission.
    - manifest: ``autograder.manifest.Manifest``.
    - runtime_dir: folder from ``make_runtime_dir`` (shared by all workers of a grading run).
    - budget: the ``autograder.budget.GradingBudget`` shared by every Submission of one grading (default: a budget
      of its own from the manifest's limits, without reference timing).

    Each call may use the manifest's ``call_seconds`` of CPU time (see ``time_limit``), within what is left of the budget.
    """

    def __init__(self, folder, manifest, runtime_dir, budget=None):
        self.folder = Path(folder)
        self.manifest = manifest
        self.runtime_dir = runtime_dir
        self.timeout = manifest.limits.call_seconds
        self.budget = budget if budget is not None else GradingBudget.for_grading(manifest.limits)
        self.worker = None
        self.files = {name: (self.folder / name).read_bytes() for name in manifest.files if (self.folder / name).is_file()}

    def require_file(self, filename):
        """Raise SubmissionError when the submitted (data) file ``filename`` is missing: "p1_model.npz was not submitted"."""
        if filename not in self.files:
            raise SubmissionError(f"{filename} was not submitted")

    @contextlib.contextmanager
    def time_limit(self, seconds):
        """Calls inside the block may use ``seconds`` of CPU time each (and the manifest's ``wall_factor`` times that
        of wall-clock time)."""
        previous, self.timeout = self.timeout, seconds
        try:
            yield
        finally:
            self.timeout = previous

    def module(self, name):
        """The submitted module ``name`` (e.g. "numpy_ann"), imported in the worker.

        Raises SubmissionError when the file is missing, fails its static checks (syntax,
        forbidden imports, also of submitted files it imports) or fails to import.
        """
        filename = self.manifest.module_file(name)
        if filename is None:
            raise SubmissionError(f"{name} is not a file of this assignment")
        problems = self.static_problems(filename, seen=set())
        if problems:
            raise SubmissionError("; ".join(problems))
        worker = self.current_worker()
        module = self.send(worker, {"op": "import", "module": name}, f"importing {filename}", label=name, path=name, key=f"import {name}")
        if not isinstance(module, RemoteObject):
            worker.close()
            raise UnreadableReply(f"importing {filename}: the worker sent {reprlib.repr(module)} (of type {type(module).__name__}) "
                                  "instead of the module, as when the file puts another object in sys.modules")
        return module

    def static_problems(self, filename, seen):
        """Problems of ``filename`` and of the submitted files it imports, found without running anything."""
        if filename in seen:
            return []
        seen.add(filename)
        if filename not in self.files:
            return [f"{filename} was not submitted"]
        try:
            source = self.files[filename].decode("utf-8")
        except UnicodeDecodeError as exc:
            return [f"{filename} is not UTF-8 text (byte {self.files[filename][exc.start]:#04x} at offset {exc.start}); save it with UTF-8 encoding"]
        problems = static_checks.check_source(source, filename, self.manifest.allowed_imports(filename))
        if problems:
            return problems
        for module in sorted(static_checks.analyse(source, filename).imports):
            dependency = self.manifest.module_file(module)
            if dependency and dependency != filename:
                problems += [f"{filename} depends on {dependency}: {p}" for p in self.static_problems(dependency, seen)]
        return problems

    def introspect(self, helper, *args):
        """Run the trusted helper ``autograder.worker.introspect.<helper>`` on ``args`` in the worker."""
        return self.send(self.current_worker(), {"op": "introspect", "helper": helper, "args": list(args)}, f"describing with {helper}")

    def request(self, remote, header, label, path=None, callable_path=None):
        """Send a request about ``remote``, whose worker must still be the current one.

        ``path``: the dotted path a proxy answered gets; ``callable_path``: the path of the object a call calls.
        """
        if remote._worker is not self.worker or not remote._worker.alive:
            raise WorkerCrashed(f"{remote._label} is gone: the worker holding it ended after an earlier timeout or crash")
        return self.send(remote._worker, header, label, label=label, path=path, callable_path=callable_path)

    def send(self, worker, header, where, label=None, path=None, key=None, callable_path=None):
        """Encode ``header``'s values, send it within the call's limits, and decode the answer into data or proxies.

        ``key`` names the request for the budget's memory of calls that ran out of time (an import); a call of
        ``callable_path`` gets one from its arguments (``budget.call_key``). A request remembered there is not sent.
        """
        blobs = []
        header = dict(header)
        for key_name in ("args", "kwargs", "value"):
            if key_name in header:
                header[key_name] = protocol.encode(header[key_name], blobs, to_handle=self.handle_of)
        if callable_path is not None:
            key = call_key(callable_path, header, blobs)
        earlier = self.budget.earlier(key, self.timeout)
        if earlier is not None:
            raise SubmissionTimeout(earlier)
        refusal = self.budget.refusal()
        if refusal:
            raise SubmissionTimeout(f"{where} was not run: {refusal}")
        try:
            response, response_blobs = worker.request(header, blobs, *self.budget.call_limits(self.timeout))
            kind, content = protocol.read_reply(response, response_blobs, worker.requests,
                                                lambda handle: RemoteObject(self, worker, handle, label or where, path))
        except SubmissionTimeout as stop:
            message, own_limit = self.budget.explain(where, stop, self.timeout)
            if own_limit:
                self.budget.remember(key, self.timeout, message)
            raise SubmissionTimeout(message, stop.struck, stop.cpu_used, stop.wall_used, stop.cpu_limit, stop.wall_limit) from None
        except protocol.ProtocolError as exc:
            worker.close()
            raise UnreadableReply(f"{where}: the worker sent a reply the grader cannot read: {plain_text(str(exc))}") from None
        finally:
            if worker.call is not None:
                self.budget.charge(worker.call.cpu_used, self.timeout)
                worker.call = None
        if kind == "ok":
            return content
        type_name, message, trace = content
        raise StudentError(where, plain_text(type_name, one_line=True), plain_text(message), plain_text(trace))

    def handle_of(self, value):
        """A RemoteObject passed as an argument travels as its handle."""
        if isinstance(value, RemoteObject):
            return protocol.Handle(value._id, value._type)
        raise protocol.ProtocolError(f"a value of type {type(value).__name__} cannot be sent to the submission")

    def current_worker(self):
        """The live worker, starting a fresh one if there is none or the last one ended."""
        if self.worker is None or not self.worker.alive:
            if self.worker is not None:
                self.worker.close()
            self.worker = Worker(self.files, self.manifest.limits, self.runtime_dir)
        return self.worker

    def output(self):
        """Captured output of the current worker (empty when none ran)."""
        return self.worker.output() if self.worker is not None else ""

    def close(self):
        """Stop the worker, if any."""
        if self.worker is not None:
            self.worker.close()
            self.worker = None
