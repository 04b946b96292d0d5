"""What one grading may spend: CPU time, which measures the submission, with wall-clock backstops for the rest.

- A call into student code may use the manifest's ``call_seconds`` of CPU time (``training_seconds`` inside
  ``Submission.time_limit``), counted over every process and thread of its worker (``autograder.cputime``), so a
  busy machine slows a call down without making it fail. A call that sleeps or waits uses no CPU time: it is
  stopped by a wall-clock backstop of ``wall_factor`` times its CPU-time limit.
- All calls of one grading together may use ``grading_seconds`` of CPU time. Unless the manifest sets it, that is
  ``REFERENCE_MULTIPLE`` times what the reference's grading used, as ``validate`` measured it and recorded it in
  ``reference_timing.json`` beside the suites (``DEFAULT_GRADING_SECONDS`` when there is none). The grading's
  wall-clock backstop is ``wall_factor`` times that, at most ``WALL_CEILING_SECONDS``, under Gradescope's
  largest timeout: past it no call runs, and results.json is written.
- A call that ran out of time is not run again in the same grading: the same module import, or the same callable
  reached from a module by attribute reads (a function, a class) with the same arguments and no larger limit,
  fails at once with the first message. A fresh worker would run it the same way (workers are seeded). Once such
  a callable has run out of time with STRIKES different sets of arguments, it fails at once with any arguments
  under no larger limit: a constructor that loops whatever it is given costs two call limits, not one per test.
"""

import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

REFERENCE_TIMING = "reference_timing.json"
REFERENCE_MULTIPLE = 3
DEFAULT_GRADING_SECONDS = 1800.0
MIN_GRADING_SECONDS = 120.0  # with it, a grading's backstop fits Gradescope's default timeout of 10 minutes
GRADESCOPE_MAX_TIMEOUT_SECONDS = 40 * 60  # the largest autograder timeout Gradescope allows (its default is 10 minutes)
GRADESCOPE_MARGIN_SECONDS = 3 * 60  # the image's start, the grader's own work after the last call, writing results.json
WALL_CEILING_SECONDS = GRADESCOPE_MAX_TIMEOUT_SECONDS - GRADESCOPE_MARGIN_SECONDS
STRIKES = 2  # a callable that ran out of time with this many sets of arguments is not run again with others
TIMING_TOLERANCE = 1.5  # a recorded reference timing is kept while new measures stay within this factor of it


def read_reference_timing(folder):
    """The reference timing recorded in ``folder`` (a dict, see ``measured_timing``), or None when there is none."""
    try:
        return json.loads((Path(folder) / REFERENCE_TIMING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_reference_timing(folder, timing):
    """Record ``timing`` in ``folder``/reference_timing.json."""
    (Path(folder) / REFERENCE_TIMING).write_text(json.dumps(timing, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def timing_is_stale(stored, measured):
    """Whether ``measured`` (a reference timing) should replace ``stored``: none is recorded, or the reference's workers
    used more than TIMING_TOLERANCE times, or less than 1 / TIMING_TOLERANCE times, the CPU time recorded."""
    if not stored or not stored.get("worker_cpu_seconds"):
        return True
    ratio = measured["worker_cpu_seconds"] / stored["worker_cpu_seconds"]
    return not 1 / TIMING_TOLERANCE <= ratio <= TIMING_TOLERANCE


def timing_problems(limits, timing):
    """Why the limits leave the reference (its measured ``timing``) less than twice the CPU time it used: a call over half
    its limit, or the whole grading over half its budget. [] when the reference has that margin everywhere."""
    problems = [f"one call used {seconds:g} s of CPU time, over half its limit of {limit} s (raise [limits] call_seconds or training_seconds)"
                for limit, seconds in timing["longest_call_cpu_seconds"].items() if seconds > float(limit) / 2]
    budget = grading_seconds(limits, timing)
    if timing["worker_cpu_seconds"] > budget / 2:
        problems.append(f"its calls used {timing['worker_cpu_seconds']:g} s of CPU time, over half the grading's budget of {budget:g} s "
                        "(raise [limits] grading_seconds or leave it to the reference timing)")
    return problems


def grading_seconds(limits, timing):
    """CPU seconds all calls of one grading may use: the manifest's ``grading_seconds`` when it sets one, else
    REFERENCE_MULTIPLE times the reference's ``worker_cpu_seconds`` of ``timing`` (rounded up to 10 s, at least
    MIN_GRADING_SECONDS), else DEFAULT_GRADING_SECONDS."""
    if limits.grading_seconds is not None:
        return float(limits.grading_seconds)
    if not timing or "worker_cpu_seconds" not in timing:
        return DEFAULT_GRADING_SECONDS
    return max(MIN_GRADING_SECONDS, 10.0 * math.ceil(REFERENCE_MULTIPLE * timing["worker_cpu_seconds"] / 10))


def grading_wall_seconds(limits, cpu_seconds):
    """The grading's wall-clock backstop for a CPU budget of ``cpu_seconds``: ``wall_factor`` times it, at most WALL_CEILING_SECONDS."""
    return min(limits.wall_factor * cpu_seconds, WALL_CEILING_SECONDS)


def gradescope_timeout_minutes(wall_seconds):
    """The autograder timeout to set on Gradescope for a grading whose backstop is ``wall_seconds``: whole minutes, with the margin."""
    return math.ceil((wall_seconds + GRADESCOPE_MARGIN_SECONDS) / 60)


def call_key(path, header, blobs):
    """The key under which a call of the callable at attribute ``path`` with the encoded arguments of ``header`` and
    ``blobs`` is remembered: (path, digest of the arguments), or None when it cannot be repeated (no path, or an
    argument is an object of the worker)."""
    arguments = json.dumps([header.get("args"), header.get("kwargs")], sort_keys=True, default=str)
    if path is None or '"$handle"' in arguments:
        return None
    digest = hashlib.sha256(arguments.encode("utf-8"))
    for blob in blobs:
        digest.update(len(blob).to_bytes(8, "little") + bytes(blob))
    return path, digest.hexdigest()


@dataclass
class GradingBudget:
    """The time one grading's calls into student code share, and the calls that ran out of it.

    - cpu_seconds: CPU seconds all calls may use together.
    - wall_seconds: the grading's wall-clock backstop, counted from ``started``.
    - wall_factor: a call's wall-clock backstop, in multiples of its CPU-time limit.
    - spent: CPU seconds the calls used so far.
    - longest: {call limit: the most CPU seconds one call under that limit used}, for ``validate``.
    - timed_out: {call key: (the call's limit, its message)} of the calls stopped by their own limits (an import's
      key is a string, a call's is (callable path, digest of its arguments) from ``call_key``).
    """

    cpu_seconds: float
    wall_seconds: float
    wall_factor: float
    started: float = field(default_factory=time.monotonic)
    spent: float = 0.0
    longest: dict = field(default_factory=dict)
    timed_out: dict = field(default_factory=dict)

    @classmethod
    def for_grading(cls, limits, timing=None):
        """The budget of a grading starting now under the manifest's ``limits`` and the reference ``timing``."""
        cpu = grading_seconds(limits, timing)
        return cls(cpu, grading_wall_seconds(limits, cpu), limits.wall_factor)

    def refusal(self):
        """Why no further call may run (the budget or the backstop is spent), or "" when calls may run."""
        if self.spent >= self.cpu_seconds:
            return f"the grading's CPU-time budget of {self.cpu_seconds:g} s for this submission is spent"
        if time.monotonic() - self.started >= self.wall_seconds:
            return f"the grading's wall-clock backstop of {self.wall_seconds:g} s is reached"
        return ""

    def call_limits(self, seconds):
        """(CPU seconds, wall-clock seconds) a call limited to ``seconds`` of CPU time may run now: its own limits,
        cut to what is left of the grading's."""
        wall_left = self.wall_seconds - (time.monotonic() - self.started)
        return min(seconds, self.cpu_seconds - self.spent), min(self.wall_factor * seconds, wall_left)

    def charge(self, seconds, limit):
        """Count ``seconds`` of CPU time used by a call limited to ``limit``."""
        self.spent += seconds
        self.longest[limit] = max(self.longest.get(limit, 0.0), seconds)

    def explain(self, where, stop, seconds):
        """(message, whether the call's own limit struck) for a call ``where`` limited to ``seconds`` of CPU time that
        ``stop`` (a SubmissionTimeout from ``Worker.request``) ended; otherwise the grading's budget or backstop struck."""
        if stop.struck == "cpu" and stop.cpu_limit < seconds:
            return f"{where} was stopped: the grading's CPU-time budget of {self.cpu_seconds:g} s for this submission is spent", False
        if stop.struck == "wall" and stop.wall_limit < self.wall_factor * seconds:
            return f"{where} was stopped: the grading's wall-clock backstop of {self.wall_seconds:g} s is reached", False
        if stop.struck == "cpu":
            return f"{where} used {stop.cpu_used:.1f} s of CPU time, the limit for one call is {seconds:g} s (the worker was stopped)", True
        return (f"{where} ran for {stop.wall_used:.0f} s of wall-clock time using only {stop.cpu_used:.1f} s of CPU time, as when it "
                f"sleeps or waits: the wall-clock backstop of one call is {self.wall_factor:g} times its CPU-time limit of {seconds:g} s "
                "(the worker was stopped)"), True

    def remember(self, key, seconds, message):
        """Remember that the call ``key`` limited to ``seconds`` ran out of time with ``message``."""
        if key is not None:
            self.timed_out[key] = (seconds, message)

    def earlier(self, key, seconds):
        """Why call ``key`` is not run again under a limit of ``seconds`` (None when it may run): the same call, or
        its callable with STRIKES other sets of arguments, ran out of a limit of at least ``seconds`` earlier."""
        limit, message = self.timed_out.get(key, (None, None))
        if limit is not None and seconds <= limit:
            return f"{message} [not run again: the same call ran out of time earlier in this grading]"
        if not isinstance(key, tuple):
            return None
        strikes = [message for other, (limit, message) in self.timed_out.items()
                   if isinstance(other, tuple) and other[0] == key[0] and seconds <= limit]
        if len(strikes) < STRIKES:
            return None
        return f"{strikes[0]} [not run again: {key[0]} ran out of time with {len(strikes)} other sets of arguments earlier in this grading]"
