"""How workers are kept from the machine: their user ids, their view of the file system, their namespaces.

Where bubblewrap (``bwrap``) can run, each worker runs in a default-deny sandbox (``bwrap_command``): its file
system holds only the interpreter and its packages, the worker runtime (read-only), its submission in a private
size-capped ``/tmp`` and a private ``/dev/shm``; it has PID, IPC, network, UTS, mount and user namespaces of its
own, and everything in it dies with the worker, with its grader and at the end of the worker (the PID namespace
ends with its first process). When the grader runs as root, each worker also runs as a user id of its own (no
other process, other workers included, shares it), and every process of that user id is killed when the worker
ends (``kill_user``). Without bubblewrap, a root grader gives workers mount and network namespaces where the
course's secrets (suites, solutions, built zips, results, data sets) are covered by empty read-only folders.
Wherever libseccomp works, a system-call filter (``autograder.worker.syscall_filter``) keeps workers from
creating System V IPC objects, kernel memory outside their limits. ``machine_isolation()`` probes what this
machine allows, once, and ``Isolation.describe`` says which applies.
"""

import contextlib
import ctypes
import functools
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ENGINE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = ENGINE_ROOT.parent
LIBC = ctypes.CDLL(None, use_errno=True)
# Workers run as user (and group) ids drawn from this range, which no account uses; each worker has one of its own.
SANDBOX_UID_BASE = 1_900_000_000
SANDBOX_UID_SPAN = 100_000_000
KILL_ALL = "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept ProcessLookupError:\n    pass"
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 0x1, 0x2, 0x4, 0x8, 0x4000, 0x40000
# Folders of the course tree that student code must not see: the suites, the solutions, built zips, grading output.
SECRET_FOLDERS = ("tests", "solutions", "dist", "out")
ISSUED_UIDS = []  # every worker user id this process has handed out, in order
# Inside a bubblewrap sandbox: where the worker runtime is mounted (read-only), the private scratch folder
# (a tmpfs of the manifest's scratch_mb) and the submission's folder in it.
SANDBOX_RUNTIME = "/autograder-runtime"
SANDBOX_TMP = "/tmp"
SANDBOX_SUBMISSION = "/tmp/submission"
# The host's top-level system folders: a link (usr-merged systems) is recreated as a link, a folder is bound read-only.
SYSTEM_FOLDERS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# What the interpreter and its packages read outside /usr and the environment: the dynamic loader's cache and
# configuration, fontconfig's configuration and cache (matplotlib, Pillow), the time zone, the CPU topology
# (torch, OpenMP). Each is bound read-only when it exists.
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/fonts",
                "/etc/localtime", "/var/cache/fontconfig", "/sys/devices/system/cpu")


@dataclass(frozen=True)
class Isolation:
    """How workers are kept apart from the grader on this machine.

    - uid, gid: the worker's user and group ids (fresh ones per worker), or None when the grader is not
      root and workers run as the grader's user.
    - bwrap: the bubblewrap program when workers run in its default-deny sandbox (see ``bwrap_command``),
      else None.
    - namespaces: without bubblewrap, whether workers get mount and network namespaces of their own (root
      with CAP_SYS_ADMIN).
    - hidden: folders covered by an empty read-only folder in the worker's view: with bubblewrap, the
      secret folders that lie inside a folder the sandbox shows (data sets under /usr or in the
      environment); without it, every secret folder (``secret_paths``).
    - note: why bubblewrap is not used, when it is not.
    - syscall_filter: whether workers install the system-call filter (``autograder.worker.syscall_filter``).
    - filter_note: why they do not, when they do not.
    """

    uid: int = None
    gid: int = None
    namespaces: bool = False
    hidden: tuple = ()
    bwrap: str = None
    note: str = ""
    syscall_filter: bool = False
    filter_note: str = ""

    def describe(self):
        """One line for the staff: what this machine's workers are kept from."""
        return self.describe_view() + ("; System V shared memory, message queues and semaphores cannot be created (seccomp)"
                                       if self.syscall_filter else f"; no system-call filter ({self.filter_note})")

    def describe_view(self):
        """What this machine's workers are kept from by their user ids, namespaces and view of the file system."""
        if self.bwrap:
            who = "users of their own" if self.uid is not None else "the grader's own user (grade as root for a user id per worker)"
            hidden = f"; hidden inside it: {', '.join(map(str, self.hidden))}" if self.hidden else ""
            return (f"workers run as {who} in bubblewrap sandboxes: a default-deny view (interpreter, packages and worker "
                    f"runtime read-only, the submission in a private size-capped /tmp, a private /dev/shm){hidden}; "
                    "PID, IPC, network and UTS namespaces of their own; nothing of a worker outlives it or its grader")
        fallback = f"bubblewrap is not used ({self.note}); " if self.note else ""
        if self.uid is None:
            return fallback + "workers run as the grader's own user: no secrecy, network or process-cleanup guarantees (grade as root)"
        if not self.namespaces:
            return fallback + ("workers run as users of their own, but this machine allows no mount or network namespaces: "
                               "world-readable files (data sets, suites) are visible to them and they can reach the network")
        return fallback + f"workers run as users of their own without network; hidden from them: {', '.join(map(str, self.hidden))}"


def secret_paths():
    """The existing folders hidden from workers: the course tree's ``SECRET_FOLDERS`` and every data set location.

    A folder holding the interpreter or the worker's runtime is never hidden.
    """
    candidates = [REPO_ROOT / name for name in SECRET_FOLDERS] + [Path("/autograder/results")]
    with contextlib.suppress(ImportError):
        from utils.data import data_locations

        candidates += data_locations()
    needed = [Path(os.path.realpath(sys.prefix)), Path(tempfile.gettempdir()).resolve()]
    hidden = []
    for path in candidates:
        path = path.resolve()
        if path.is_dir() and path not in hidden and not any(path == n or path in n.parents for n in needed):
            hidden.append(path)
    return tuple(hidden)


def interpreter_folders():
    """The folders the worker's interpreter and its packages live in (real paths): the environment's and its base Python's."""
    folders = []
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        folder = Path(os.path.realpath(prefix))
        if folder not in folders:
            folders.append(folder)
    return folders


def visible_folders():
    """Host folders a bubblewrap sandbox shows read-only (real paths): /usr, the system folders that are not links, the
    interpreter's folders outside /usr."""
    shown = [Path("/usr")] + [Path(folder) for folder in SYSTEM_FOLDERS if os.path.isdir(folder) and not os.path.islink(folder)]
    for folder in interpreter_folders():
        if not any(folder == s or s in folder.parents for s in shown):
            shown.append(folder)
    return shown


def sandbox_hidden_paths():
    """The secret folders (``secret_paths``) that lie inside a folder a bubblewrap sandbox shows: they are covered there."""
    shown = visible_folders()
    return tuple(path for path in secret_paths() if any(path == s or s in path.parents for s in shown))


def bwrap_command(bwrap, runtime_dir, scratch_mb, hidden=(), files=()):
    """The bubblewrap command line (up to its ``--``) of a worker's default-deny sandbox.

    Inputs:
    - bwrap: the bubblewrap program.
    - runtime_dir: folder from ``make_runtime_dir``, shown read-only at SANDBOX_RUNTIME (None: none).
    - scratch_mb: size cap of the private /tmp (which holds the submission's folder) and of the private /dev/shm.
    - hidden: folders inside the view covered by an empty read-only tmpfs.
    - files: [(file descriptor, filename)] copied into SANDBOX_SUBMISSION (the descriptors must be passed to bwrap).

    The view: /usr, the system folders (links recreated), the interpreter's folders and the SYSTEM_FILES that
    exist, all read-only; a fresh /proc and /dev; tmpfs /tmp and /dev/shm of ``scratch_mb`` each. Namespaces: all
    (user, PID, IPC, network, UTS, mount, cgroup), with no further user namespace allowed inside; the sandbox
    dies with its parent (the grader), and its command runs in a new session.
    """
    size = str(scratch_mb * 2**20)
    # The private /tmp comes first, so that an interpreter that lives under the host's /tmp is bound over it, not hidden by it.
    command = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
               "--hostname", "sandbox", "--proc", "/proc", "--dev", "/dev",
               "--size", size, "--perms", "1777", "--tmpfs", SANDBOX_TMP, "--size", size, "--perms", "1777", "--tmpfs", "/dev/shm",
               "--ro-bind", "/usr", "/usr"]
    for folder in SYSTEM_FOLDERS:
        if os.path.islink(folder):
            command += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            command += ["--ro-bind", folder, folder]
    for folder in visible_folders():
        if folder != Path("/usr") and str(folder) not in SYSTEM_FOLDERS:
            command += ["--ro-bind", str(folder), str(folder)]
    for path in SYSTEM_FILES:
        if os.path.exists(path):
            command += ["--ro-bind", path, path]
    for path in hidden:
        command += ["--size", "4096", "--perms", "0555", "--tmpfs", str(path), "--remount-ro", str(path)]
    if runtime_dir is not None:
        command += ["--ro-bind", str(runtime_dir), SANDBOX_RUNTIME]
    command += ["--perms", "0700", "--dir", SANDBOX_SUBMISSION]
    for fd, name in files:
        command += ["--perms", "0644", "--file", str(fd), f"{SANDBOX_SUBMISSION}/{name}"]
    return command + ["--chdir", SANDBOX_SUBMISSION, "--"]


def drop_privileges(uid, gid):
    """Become user ``uid`` and group ``gid`` with no supplementary groups (real, effective and saved ids)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def fresh_uid():
    """A user (and group) id of the sandbox range that this process has not handed out yet."""
    while True:
        uid = SANDBOX_UID_BASE + random.SystemRandom().randrange(SANDBOX_UID_SPAN)
        if uid not in ISSUED_UIDS:
            return uid


@functools.lru_cache(maxsize=1)
def bwrap_problem():
    """Why workers cannot run in a bubblewrap sandbox here ("" when they can); probed once.

    The probe starts the worker's interpreter in the sandbox (as a sandbox user id when the grader is root) and
    imports numpy, so that a view missing something the interpreter needs is found here rather than in a grading.
    """
    bwrap = shutil.which("bwrap") or shutil.which("bwrap", path="/usr/bin:/bin:/usr/local/bin")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    uid = fresh_uid() if os.geteuid() == 0 else None
    command = bwrap_command(bwrap, None, 16, sandbox_hidden_paths()) + [worker_python(), "-I", "-c", "import numpy"]
    return probe_problem(command, "bwrap cannot run here", (lambda: drop_privileges(uid, uid)) if uid is not None else None)


@functools.lru_cache(maxsize=1)
def syscall_filter_problem():
    """Why workers cannot install the system-call filter here ("" when they can); probed once, in a process of its own."""
    return probe_problem([worker_python(), "-I", str(ENGINE_ROOT / "worker" / "syscall_filter.py")], "seccomp cannot be used here")


def probe_problem(command, failure, preexec_fn=None):
    """"" when the probe ``command`` exits with status 0, else ``failure`` followed by why (its last line of stderr)."""
    try:
        probe = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={},
                               preexec_fn=preexec_fn, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{failure}: the probe could not be started: {exc}"
    if probe.returncode != 0:
        error = probe.stderr.decode(errors="replace").strip().splitlines()
        return f"{failure}: {error[-1] if error else f'exit status {probe.returncode}'}"
    return ""


def bwrap_available():
    """The bubblewrap program when workers can run in its sandbox here, else None."""
    return None if bwrap_problem() else shutil.which("bwrap") or shutil.which("bwrap", path="/usr/bin:/bin:/usr/local/bin")


@functools.lru_cache(maxsize=1)
def namespaces_available():
    """Whether this process may give a child its own mount and network namespaces (probed once)."""
    if os.geteuid() != 0:
        return False
    try:
        subprocess.run(["/bin/true"], preexec_fn=lambda: enter_namespaces(()), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (subprocess.SubprocessError, OSError):
        return False
    return True


def machine_isolation():
    """The Isolation workers get here, with a fresh user id when the grader is root."""
    uid = None
    if os.geteuid() == 0:
        uid = fresh_uid()
        ISSUED_UIDS.append(uid)
    filter_note = syscall_filter_problem()
    syscall_filter = {"syscall_filter": not filter_note, "filter_note": filter_note}
    bwrap = bwrap_available()
    if bwrap:
        return Isolation(uid=uid, gid=uid, bwrap=bwrap, hidden=sandbox_hidden_paths(), **syscall_filter)
    note = bwrap_problem() or "switched off"
    if uid is None:
        return Isolation(note=note, **syscall_filter)
    namespaces = namespaces_available()
    return Isolation(uid=uid, gid=uid, namespaces=namespaces, hidden=secret_paths() if namespaces else (), note=note, **syscall_filter)


def checked(result, what):
    """Raise OSError with errno's message when a libc call returned -1."""
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def enter_namespaces(hidden):
    """Move this process into new mount and network namespaces and cover each of ``hidden`` with an empty
    read-only tmpfs. Mounts stay private to the new namespace."""
    checked(LIBC.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    checked(LIBC.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "making mounts private")
    for path in hidden:
        checked(LIBC.mount(b"tmpfs", os.fsencode(path), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k,mode=0555"),
                f"hiding {path}")


def live_processes():
    """{pid: real user id} of the processes on this machine that are alive (zombies left out)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, KeyError, ValueError):
                status = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
                if not status["State"].strip().startswith("Z"):
                    found[int(entry.name)] = int(status["Uid"].split()[0])
    return found


def processes_of(uid):
    """Process ids of the live processes whose real user id is ``uid``."""
    return [pid for pid, owner in live_processes().items() if owner == uid]


def processes_of_workers(uids):
    """{pid: uid} of the live processes running as one of the worker user ids ``uids`` (see ``ISSUED_UIDS``)."""
    wanted = set(uids)
    return {pid: uid for pid, uid in live_processes().items() if uid in wanted}


def kill_user(uid, gid, attempts=50):
    """Kill every process of user ``uid``, even those that left the worker's process group.

    A process running as ``uid`` sends SIGKILL to all processes it may signal (``kill(-1)``), which are
    exactly that user's; repeated until none is left, so that a forking loop cannot outrun it.
    Returns the number of processes still alive (0 unless ``attempts`` ran out).
    """
    for _ in range(attempts):
        if not processes_of(uid):
            return 0
        subprocess.run([worker_python(), "-I", "-S", "-c", KILL_ALL], user=uid, group=gid, extra_groups=[],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={})
        time.sleep(0.02)
    return len(processes_of(uid))


def worker_python():
    """The interpreter of this environment, reached through the environment's real folder.

    A virtual environment reached through a symbolic link in a private folder (Gradescope-like test
    layouts) would be out of the sandbox user's reach: the link's target is used instead.
    """
    executable = Path(sys.executable)
    return str(Path(os.path.realpath(sys.prefix)) / executable.relative_to(sys.prefix)) if executable.is_relative_to(sys.prefix) else sys.executable
