"""CPU time of a worker: every process and thread it runs, read from /proc.

A worker's processes are its first process (bwrap, or the worker's interpreter without bubblewrap) and all
its descendants; when it runs as a user id of its own outside bubblewrap, also every process of that user id
(a process that left the tree by a double fork is reparented to the machine's init, outside the tree). In a
bubblewrap sandbox every process of the worker's PID namespace descends from bwrap, whose child is that
namespace's init.

A process's CPU time is ``utime + stime`` of ``/proc/<pid>/stat`` (all its threads, ended ones included) plus
``cutime + cstime`` (its ended children that were waited for). Summed over the live processes this counts each
of the worker's processes once, ended ones included: the time of a child that ends moves into the ``cutime``
of the process that waits for it, which is in the tree (its parent, or the sandbox's init for an orphan).

Not counted: a child whose parent ignores SIGCHLD once it has ended (the kernel reaps it without adding its
time to anyone), and, without bubblewrap, an orphan once it has ended (the machine's init reaps it). A call
whose time escapes this way is still stopped by its wall-clock backstop (``autograder.budget``).
"""

import os

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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

    ``total()`` scans /proc for every process of the worker; ``known()`` reads only the processes the last scan
    found, still alive (a few files: cheap enough for every call into student code). Both are sums over live
    processes: they grow as the worker computes, and drop only when uncounted time is lost (see the module's
    docstring), so callers keep the largest reading.
    """

    def __init__(self, pid, uid=None):
        self.pid = pid
        self.uid = uid
        self.members = {}  # pid -> start time, as found by the last scan
        stat = read_stat(pid)
        if stat is not None:
            self.members[pid] = stat[1]

    def total(self):
        """CPU seconds of every live process of the worker (a scan of /proc); remembers them for ``known``."""
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
        seconds = 0.0
        for pid, started in self.members.items():
            stat = read_stat(pid)
            if stat is not None and stat[1] == started:
                seconds += stat[2]
        return seconds
