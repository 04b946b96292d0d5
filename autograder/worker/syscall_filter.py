"""The worker's system-call filter: kernel objects that would escape its limits cannot be created.

A worker's memory is capped by its address space (RLIMIT_AS) and its scratch folders by their size, but a System
V shared-memory segment, message queue or semaphore set is kernel memory that no process has to map: a worker
can create segments, touch them, detach them and hold gigabytes outside every limit until its IPC namespace ends.
The filter (seccomp, through libseccomp) makes ``shmget``, ``msgget`` and ``semget`` fail with EPERM, so no such
object can be created; numpy, torch and Python's multiprocessing use POSIX shared memory (files in the worker's
size-capped ``/dev/shm``) and are unaffected. A system call of another architecture's ABI (32-bit calls from a
64-bit process) kills the process, so the filter cannot be bypassed through a second system-call table.

The worker installs the filter before it reads its first request, so it binds all student code, every thread and
every child: a seccomp filter is inherited and cannot be removed. Run as a script, this module installs the filter
and checks that ``shmget`` is refused: the grader's probe of whether the filter works on this machine.
"""

import errno

DENIED_CALLS = ("shmget", "msgget", "semget")


def install():
    """Load the filter into this process (ImportError or OSError when libseccomp cannot be used here)."""
    import pyseccomp

    rules = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    for name in DENIED_CALLS:
        rules.add_rule(pyseccomp.ERRNO(errno.EPERM), name)
    rules.load()


def probe():
    """Install the filter, then check that creating a System V segment fails with EPERM; raise OSError if not."""
    import ctypes

    install()
    libc = ctypes.CDLL(None, use_errno=True)
    segment = libc.shmget(0, 4096, 0o600)  # key 0: IPC_PRIVATE
    if segment != -1:
        libc.shmctl(segment, 0, None)  # IPC_RMID
    if segment != -1 or ctypes.get_errno() != errno.EPERM:
        raise OSError("the filter is loaded but shmget still creates segments")


if __name__ == "__main__":
    probe()
