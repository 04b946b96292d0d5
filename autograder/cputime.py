"""CPU time of a worker: every process and thread it runs, counted by the kernel or read from /proc.

Where the grader may create control groups (root on most Linux machines, not an unprivileged container), each
worker runs in a group of its own (``CpuGroup``), under the grader's group of the cgroup v2 hierarchy or of cgroup
v1's cpuacct hierarchy: the kernel counts the CPU time of every process that was ever in it, ended ones included,
whoever reaped them, and a process cannot leave it.

Elsewhere the time is read from /proc. A worker's processes are its first process (bwrap, or the worker's
interpreter without bubblewrap) and all its descendants; when it runs as a user id of its own outside bubblewrap,
also every process of that user id (a process that left the tree by a double fork is reparented to the machine's
init, outside the tree). In a bubblewrap sandbox every process of the worker's PID namespace descends from bwrap,
whose child is that namespace's init.

A process's CPU time is ``utime + stime`` of ``/proc/<pid>/stat`` (all its threads, ended ones included) plus
``cutime + cstime`` (its ended children that were waited for). Summed over the live processes this counts each
of the worker's processes once, ended ones included: the time of a child that ends moves into the ``cutime``
of the process that waits for it, which is in the tree (its parent, or the sandbox's init for an orphan).

Not counted from /proc: a child whose parent ignores SIGCHLD once it has ended (the kernel reaps it without
adding its time to anyone), and, without bubblewrap, an orphan once it has ended (the machine's init reaps it).
A call whose time escapes this way is still stopped by its wall-clock backstop (``autograder.budget``).
"""

import functools
import itertools
import os
import subprocess
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
GROUP_PREFIX = "dl-autograder-worker-"  # a worker's group is named GROUP_PREFIX<grader's pid>-<number>
GROUP_NUMBERS = itertools.count()
REMOVE_ATTEMPTS = 100  # a group is removed once its last process is reaped: retried every 10 ms, for up to a second


def accounting_hierarchies():
    """[(folder of this process's own group, usage file, seconds per unit)] of the hierarchies that count CPU time:
    cgroup v2 (``cpu.stat``'s usage_usec, in every group) first, then cgroup v1's cpuacct (``cpuacct.usage``, ns)."""
    own = {}  # controllers ("" for v2) -> this process's group path
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            own[controller] = path
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        root, mount_point = fields[3], fields[4]
        fstype, options = fields[fields.index("-") + 1], fields[-1].split(",")
        controller = "" if fstype == "cgroup2" else "cpuacct" if fstype == "cgroup" and "cpuacct" in options else None
        if controller is None or controller not in own or os.path.relpath(own[controller], root).startswith(".."):
            continue
        folder = Path(mount_point) / os.path.relpath(own[controller], root)
        found.append((folder, "cpu.stat", 1e-6) if fstype == "cgroup2" else (folder, "cpuacct.usage", 1e-9))
    return sorted(found, key=lambda entry: entry[1] != "cpu.stat")


class CpuGroup:
    """A control group that holds one worker; the kernel counts the CPU time of every process ever in it.

    ``CpuGroup.create()`` makes one (None where no hierarchy lets this process create groups); the worker's process
    calls ``join`` before it runs anything; ``seconds()`` is the group's CPU time; ``remove()`` deletes the group
    once its processes have ended.
    """

    def __init__(self, folder, usage_file, unit):
        self.folder, self.usage_file, self.unit = folder, usage_file, unit

    @classmethod
    def create(cls):
        """A new, empty group, or None when no hierarchy allows one here. Groups left by graders that died are removed."""
        for parent, usage_file, unit in accounting_hierarchies():
            remove_abandoned_groups(parent)
            folder = parent / f"{GROUP_PREFIX}{os.getpid()}-{next(GROUP_NUMBERS)}"
            try:
                folder.mkdir()
            except OSError:
                continue
            return cls(folder, usage_file, unit)
        return None

    def join(self):
        """Move the calling process into the group (in a worker's process before exec: only os calls)."""
        fd = os.open(self.folder / "cgroup.procs", os.O_WRONLY)
        try:
            os.write(fd, b"0")
        finally:
            os.close(fd)

    def seconds(self):
        """CPU seconds of every process that was ever in the group."""
        text = (self.folder / self.usage_file).read_text()
        value = text.split()[1] if self.usage_file == "cpu.stat" else text  # cpu.stat's first line: "usage_usec N"
        return int(value) * self.unit

    def remove(self):
        """Delete the group, waiting up to a second for the kernel to let go of its last ended process."""
        for _ in range(REMOVE_ATTEMPTS):
            try:
                self.folder.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.01)


def remove_abandoned_groups(parent):
    """Remove the empty worker groups under ``parent`` whose grader process is gone."""
    for folder in parent.glob(GROUP_PREFIX + "*"):
        grader = folder.name[len(GROUP_PREFIX):].partition("-")[0]
        if grader.isdigit() and read_stat(int(grader)) is None:
            try:
                folder.rmdir()
            except OSError:
                pass


@functools.lru_cache(maxsize=1)
def cpu_groups_available():
    """Whether workers can run in CPU-accounting groups here: a group is created and a process joins it (probed once)."""
    group = CpuGroup.create()
    if group is None:
        return False
    try:
        subprocess.run(["/bin/true"], preexec_fn=group.join, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return group.seconds() > 0
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return False
    finally:
        group.remove()


def read_stat(pid):
    """(parent pid, start time in ticks, CPU seconds with waited-for children) of process ``pid``, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            fields = stream.read().rpartition(b")")[2].split()
    except OSError:
        return None
    # After the command name: state, ppid, ... utime (12th), stime, cutime, cstime, ... starttime (20th).
    return int(fields[1]), int(fields[19]), sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def owner(pid):
    """The user id owning /proc/<pid> (the process's effective user id), or None when it is gone."""
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


class WorkerClock:
    """The CPU seconds a worker's processes have used.

    Inputs:
    - pid: the worker's first process.
    - uid: the worker's own user id when processes outside its tree may belong to it (no bubblewrap), else None.
    - group: the worker's CpuGroup, when it runs in one: then both readings are the group's count.

    ``total()`` scans /proc for every process of the worker; ``known()`` reads only the processes the last scan
    found, still alive (a few files: cheap enough for every call into student code). Both are sums over live
    processes: they grow as the worker computes, and drop only when uncounted time is lost (see the module's
    docstring), so callers keep the largest reading.
    """

    def __init__(self, pid, uid=None, group=None):
        self.pid = pid
        self.uid = uid
        self.group = group
        self.members = {}  # pid -> start time, as found by the last scan
        stat = read_stat(pid)
        if stat is not None:
            self.members[pid] = stat[1]

    def total(self):
        """CPU seconds of every live process of the worker (a scan of /proc); remembers them for ``known``."""
        if self.group is not None:
            return self.group.seconds()
        table = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                stat = read_stat(int(entry.name))
                if stat is not None:
                    table[int(entry.name)] = stat
        children = {}
        for pid, (parent, _, _) in table.items():
            children.setdefault(parent, []).append(pid)
        found, pending = set(), [self.pid] if self.pid in table else []
        while pending:
            pid = pending.pop()
            if pid not in found:
                found.add(pid)
                pending += children.get(pid, [])
        if self.uid is not None:
            found |= {pid for pid in table if pid not in found and owner(pid) == self.uid}
        self.members = {pid: table[pid][1] for pid in found}
        return sum(table[pid][2] for pid in found)

    def known(self):
        """CPU seconds of the processes the last scan found that still run (the same process: same start time)."""
        if self.group is not None:
            return self.group.seconds()
        seconds = 0.0
        for pid, started in self.members.items():
            stat = read_stat(pid)
            if stat is not None and stat[1] == started:
                seconds += stat[2]
        return seconds
