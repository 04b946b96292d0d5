"""The sandbox: student code runs in a limited worker process and every failure becomes a clear SubmissionError."""

import errno
import io
import os
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder import isolation, sandbox
from autograder.sandbox import REPO_ROOT, StudentError, SubmissionError, UnreadableReply, WorkerCrashed
from autograder.worker.protocol import Tensor

PROBE = """
import os
import subprocess
import sys
import time

import numpy as np


def double(x):
    return x * 2


def identity():
    return {"pid": os.getpid(), "uid": os.getuid(), "cwd": os.getcwd(), "path": sys.path, "env": dict(os.environ)}


def fail():
    raise ValueError("the student's own error")


def spin():
    while True:
        pass


def die():
    os._exit(3)


def allocate(megabytes):
    return len(bytearray(megabytes * 2**20))


def shout(count):
    for _ in range(count):
        print("x" * 100)
    return count


def spawn_sleeper(marker):
    return subprocess.Popen(["sleep", marker]).pid


def tensor_info(t):
    return type(t).__module__ + "." + type(t).__name__, t * 2


class Model:
    def __init__(self, n):
        self.W = np.ones((n, 2))
"""


def test_student_code_runs_in_another_process_in_its_own_folder(sandboxed):
    calc = sandboxed({"calc.py": PROBE}).module("calc")
    info = calc.identity()
    assert info["pid"] != os.getpid(), "expected the student's code to run in a worker process, got the grader's pid"
    assert not info["cwd"].startswith(str(REPO_ROOT)), f"expected a fresh folder outside the repository, got {info['cwd']}"
    secret_places = [str(REPO_ROOT), str(REPO_ROOT / "tests"), str(REPO_ROOT / "solutions")]
    assert not set(info["path"]) & set(secret_places), f"expected no grader folder on the worker's sys.path, got {info['path']}"
    allowed = {"PATH", "HOME", "TMPDIR", "USER", "LOGNAME", "MPLBACKEND", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE", "LANG", "PWD",
               *sandbox.NUMERICAL_ENVIRONMENT}
    assert "AUTOGRADER_DATA" not in info["env"] and set(info["env"]) <= allowed, f"unexpected environment {sorted(info['env'])}"


@pytest.mark.skipif(os.geteuid() != 0, reason="the grader drops privileges only when it runs as root")
def test_a_root_grader_runs_student_code_as_an_unprivileged_user(sandboxed):
    uid = sandboxed({"calc.py": PROBE}).module("calc").identity()["uid"]
    assert uid != 0, f"expected the worker to run as an unprivileged user, got uid {uid}"


def test_arrays_and_objects_cross_as_data_and_proxies(sandboxed):
    calc = sandboxed({"calc.py": PROBE}).module("calc")
    assert np.array_equal(calc.double(np.arange(3)), [0, 2, 4])
    model = calc.Model(3)
    assert model.W.shape == (3, 2), f"expected W of shape (3, 2), got {model.W.shape}"
    model.W = np.zeros(4)
    assert np.array_equal(model.W, np.zeros(4)), f"expected the written W back, got {model.W}"


def test_tensors_arrive_as_torch_tensors_and_return_as_arrays(sandboxed):
    kind, doubled = sandboxed({"calc.py": PROBE}).module("calc").tensor_info(Tensor(np.ones(3, dtype=np.float32)))
    assert kind == "torch.Tensor", f"expected the worker to receive a torch.Tensor, got {kind}"
    assert isinstance(doubled, np.ndarray) and doubled.dtype == np.float32, f"expected a float32 array back, got {doubled!r}"


def test_an_exception_in_student_code_names_its_type_message_and_line(sandboxed):
    calc = sandboxed({"calc.py": PROBE}).module("calc")
    with pytest.raises(StudentError) as caught:
        calc.fail()
    message = str(caught.value)
    line = PROBE.splitlines().index('    raise ValueError("the student\'s own error")') + 1
    assert "ValueError: the student's own error" in message and f'"calc.py", line {line}' in message, message


def test_a_worker_that_exits_is_reported_with_its_status(sandboxed):
    submission = sandboxed({"calc.py": PROBE})
    with pytest.raises(WorkerCrashed, match="exited with status 3"):
        submission.module("calc").die()
    assert submission.module("calc").double(1) == 2


def test_memory_beyond_the_limit_is_refused(sandboxed):
    calc = sandboxed({"calc.py": PROBE}).module("calc")
    with pytest.raises(SubmissionError, match="MemoryError|killed"):
        calc.allocate(8192)


SYSTEM_V_PROBE = """
import ctypes

libc = ctypes.CDLL(None, use_errno=True)


def create_each():
    outcomes = {}
    for name, arguments in (("shmget", (0, 2**20, 0o600)), ("msgget", (0, 0o600)), ("semget", (0, 1, 0o600))):
        created = getattr(libc, name)(*arguments)
        outcomes[name] = ctypes.get_errno() if created == -1 else "created"
    return outcomes
"""


@pytest.mark.skipif(bool(isolation.syscall_filter_problem()), reason=f"skipped: the system-call filter cannot load here ({isolation.syscall_filter_problem()})")
def test_a_worker_cannot_create_system_v_shared_memory_message_queues_or_semaphores(sandboxed):
    outcomes = sandboxed({"calc.py": SYSTEM_V_PROBE}).module("calc").create_each()
    assert outcomes == {"shmget": errno.EPERM, "msgget": errno.EPERM, "semget": errno.EPERM}, (
        f"expected each System V object refused with EPERM ({errno.EPERM}), got {outcomes}")


def test_output_floods_are_cut_to_the_limit(sandboxed):
    submission = sandboxed({"calc.py": PROBE})
    assert submission.module("calc").shout(10000) == 10000
    submission.worker.close()
    output = submission.worker.output()
    assert len(output) < 4 * 1024 + 200 and "more bytes of output cut" in output, f"expected output cut near 4 KB, got {len(output)} characters"


def processes_running(marker):
    """PIDs of the live processes of this machine whose command line holds ``marker`` (pids inside a worker's PID
    namespace mean nothing out here, so student processes are found by what they run)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if marker.encode() in (entry / "cmdline").read_bytes() and sandbox.running(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def unique_marker():
    """A sleep duration no other process on this machine runs with."""
    return f"86400.{os.getpid()}{random.randrange(10**6):06d}"


def test_processes_started_by_student_code_end_with_the_worker(sandboxed):
    submission = sandboxed({"calc.py": PROBE})
    marker = unique_marker()
    submission.module("calc").spawn_sleeper(marker)
    deadline = time.monotonic() + 10  # the sleeper's exec may still be under way when the call returns
    while not processes_running(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_running(marker), "expected the student's sleeper to run before the worker is closed"
    submission.close()
    time.sleep(0.2)
    left = processes_running(marker)
    for pid in left:
        os.kill(pid, 9)
    assert not left, f"expected the student's background process to be killed with the worker, found {left}"


def test_a_missing_file_is_named(sandboxed):
    with pytest.raises(SubmissionError, match="calc.py was not submitted"):
        sandboxed({"other.py": "x = 1\n"}).module("calc")


def test_a_forbidden_import_stops_the_file_before_it_runs(sandboxed):
    with pytest.raises(SubmissionError, match="calc.py imports torch, which this assignment does not allow"):
        sandboxed({"calc.py": "import torch\n"}).module("calc")


def test_a_file_that_imports_a_forbidden_submitted_file_is_stopped_too(sandboxed):
    submission = sandboxed({"calc.py": "import torch\n", "other.py": "import calc\n"})
    with pytest.raises(SubmissionError, match="other.py depends on calc.py: calc.py imports torch"):
        submission.module("other")


def test_an_import_error_of_the_submission_is_reported(sandboxed):
    with pytest.raises(StudentError, match="importing calc.py raised ZeroDivisionError"):
        sandboxed({"calc.py": "x = 1 / 0\n"}).module("calc")


FILE_WRITER = """
import numpy as np
import torch


def save_arrays():
    np.savez("arrays.npz", W0=np.arange(6.0).reshape(2, 3), activations=np.array(["ReLU", "Identity"]))
    np.savez("objects.npz", W0=np.array([{"a": 1}], dtype=object))


def linear_and_weights():
    torch.manual_seed(0)
    saved = torch.nn.Linear(3, 2)
    torch.save(saved.state_dict(), "state.pt")
    torch.save(saved, "whole_model.pt")
    torch.manual_seed(1)
    return torch.nn.Linear(3, 2), saved.weight.detach().numpy()
"""


def test_submitted_arrays_are_read_in_the_worker_without_pickle(sandboxed):
    submission = sandboxed({"other.py": FILE_WRITER})
    submission.module("other").save_arrays()
    arrays = submission.introspect("npz_arrays", "arrays.npz")
    assert np.array_equal(arrays["W0"], np.arange(6.0).reshape(2, 3)) and arrays["activations"].tolist() == ["ReLU", "Identity"], arrays
    with pytest.raises(StudentError, match="allow_pickle=False"):
        submission.introspect("npz_arrays", "objects.npz")


def test_a_state_dict_loads_into_a_model_and_a_pickled_model_is_refused(sandboxed):
    submission = sandboxed({"other.py": FILE_WRITER})
    model, saved_weight = submission.module("other").linear_and_weights()
    assert submission.introspect("load_weights", model, "state.pt") == 2
    assert np.array_equal(submission.introspect("state_dict", model)["weight"], saved_weight)
    with pytest.raises(StudentError, match="weights_only=True"):
        submission.introspect("load_weights", model, "whole_model.pt")


GRADER_THAT_DIES = """
import sys

from autograder.manifest import load_manifest
from autograder.sandbox import Submission, make_runtime_dir

submission = Submission(sys.argv[1], load_manifest(sys.argv[2]), make_runtime_dir())
calc = submission.module("calc")
print(submission.worker.process.pid, flush=True)
calc.spin()
"""


def test_a_worker_busy_in_student_code_dies_with_a_grading_process_that_is_killed(toy_root, make_submission, tmp_path):
    folder = make_submission({"calc.py": PROBE})
    script = tmp_path / "grader.py"
    script.write_text(GRADER_THAT_DIES)
    temp = Path(sandbox.tempfile.mkdtemp(prefix="autograder-test-grader-"))
    temp.chmod(0o711)  # the grading process's temporary folder: its worker's user id must reach its folder there
    try:
        grader = subprocess.Popen([sys.executable, str(script), str(folder), str(toy_root / "assignments" / "toy" / "assignment.toml")],
                                  cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "TMPDIR": str(temp)},
                                  stdout=subprocess.PIPE, text=True)
        worker_pid = int(grader.stdout.readline())
        time.sleep(0.5)
        grader.kill()
        grader.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and sandbox.running(worker_pid):
            time.sleep(0.05)
        alive = sandbox.running(worker_pid)
        if alive:
            os.kill(worker_pid, 9)
        assert not alive, f"expected the worker {worker_pid} to die with its killed grading process, it is still running"
        if isolation.bwrap_available():
            left = [path.name for path in temp.glob("autograder-worker-*")]
            assert not left, f"expected no worker folder in the grader's temporary folder with bubblewrap, got {left}"
    finally:
        sandbox.remove_tree(temp)


@pytest.mark.skipif(os.geteuid() != 0, reason="workers get user ids and namespaces of their own only when grading as root")
def test_each_worker_runs_as_a_user_of_its_own_and_sees_no_secret_folder(sandboxed):
    probe = "import os\n\ndef who():\n    return os.getuid()\n\ndef listing(path):\n    return sorted(os.listdir(path)) if os.path.isdir(path) else None\n"
    first, second = sandboxed({"calc.py": probe}), sandboxed({"calc.py": probe})
    first_uid, second_uid = first.module("calc").who(), second.module("calc").who()
    assert first_uid != second_uid and 0 not in (first_uid, second_uid), f"expected two distinct unprivileged user ids, got {first_uid} and {second_uid}"
    hidden = isolation.secret_paths()
    assert REPO_ROOT / "tests" in hidden and REPO_ROOT / "solutions" in hidden, f"expected the suites and solutions among the hidden folders, got {hidden}"
    seen = first.module("calc").listing(str(REPO_ROOT / "tests"))
    assert seen in ([], None), f"expected the worker to see no tests folder or an empty one, got {seen}"


FORGER = r'''
import os
import sys

import numpy as np


def frame(header, *blobs):
    parts = [len(header).to_bytes(8, "little"), header]
    for blob in blobs:
        parts += [len(blob).to_bytes(8, "little"), blob]
    return b"".join(parts)


def npy_header_only(shape):
    text = "{'descr': '<f8', 'fortran_order': False, 'shape': %r, }" % (shape,)
    text += " " * (63 - (10 + len(text)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1")


FORGED = {
    "deep": frame(b'{"blobs":0,"ok":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    "huge_array": frame(b'{"blobs":1,"ok":{"$array":0}}', npy_header_only((2**40,))),
    "error_5": frame(b'{"blobs":0,"error":5}'),
    "huge_length": b"\xff" * 8,
    "not_json": frame(b"\x1b[2J not json"),
    "huge_int": frame(b'{"blobs":0,"ok":1' + b"0" * 400 + b"}"),
    "bad_tuple": frame(b'{"blobs":0,"ok":{"$tuple":5}}'),
    "no_id": frame(b'{"blobs":0,"ok":5}'),
}


def forge(kind):
    """Write a forged frame to the worker's reply channel (sys.argv[3]), then return normally."""
    os.write(int(sys.argv[3]), FORGED[kind])
    return "the honest answer"


def forge_in_turn():
    """Write a well-formed reply numbered as the request being served (read from the worker's own frames)."""
    frame_ = sys._getframe()
    while frame_.f_code.co_name != "serve":
        frame_ = frame_.f_back
    request = frame_.f_locals["header"]["id"]
    os.write(int(sys.argv[3]), frame(b'{"blobs":0,"ok":5,"id":%d}' % request))
    return "the honest answer"


def double(x):
    return x * 2


def huge_integer():
    return 10**400


def shout_in_escapes():
    raise ValueError("\x1b[2J\x1b[H\x1b]0;owned\x07TOTAL 6/6 \ud800")

'''

FORGED_REPLIES = {
    "deep": "a header nested too deeply",
    "huge_array": "an unreadable array: its header declares shape (1099511627776,) of float64 (8796093022208 bytes) but 0 bytes follow",
    "error_5": 'a reply that is neither a value nor an error: {"error":5}',
    "huge_length": "a header of 18446744073709551615 bytes, over the 16777216 bytes allowed",
    "not_json": "an unreadable header (JSONDecodeError",
    "huge_int": "an integer of about 400 digits, too large to cross the sandbox",
    "bad_tuple": 'a value with an unknown tag or of the wrong shape: {"$tuple":5}',
    "no_id": "a reply numbered null to request 3 (a frame written to the reply channel, or the reply it displaced)",
}


@pytest.mark.parametrize("kind", sorted(FORGED_REPLIES))
def test_a_forged_reply_is_the_submissions_failure_saying_what_came_back(sandboxed, kind):
    submission = sandboxed({"calc.py": FORGER})
    with pytest.raises(SubmissionError) as caught:
        submission.module("calc").forge(kind)
    expected = f"calc.forge(): the worker sent a reply the grader cannot read: {FORGED_REPLIES[kind]}"
    assert isinstance(caught.value, UnreadableReply), f"expected an UnreadableReply, got {type(caught.value).__name__}: {caught.value}"
    assert str(caught.value).startswith(expected), f"expected the message to start with {expected!r}, got {str(caught.value)[:300]!r}"
    assert "\x1b" not in str(caught.value), f"expected no escape character in the message, got {str(caught.value)!r}"
    doubled = submission.module("calc").double(2)
    assert doubled == 4, f"expected a fresh worker to answer double(2) with 4 after the forged reply, got {doubled!r}"


def test_a_forged_reply_in_turn_is_the_answer_and_the_reply_it_displaced_is_refused(sandboxed):
    submission = sandboxed({"calc.py": FORGER})
    calc = submission.module("calc")
    answer = calc.forge_in_turn()
    assert answer == 5, f"expected the forged reply, well formed and in turn, to be taken as the answer, got {answer!r}"
    with pytest.raises(UnreadableReply, match="calc.double: the worker sent a reply the grader cannot read: a reply numbered 3 to request 4"):
        calc.double(2)
    doubled = submission.module("calc").double(2)
    assert doubled == 4, f"expected a fresh worker to answer double(2) with 4, got {doubled!r}"


def test_returning_an_integer_too_large_for_64_bits_is_the_submissions_failure(sandboxed):
    with pytest.raises(SubmissionError) as caught:
        sandboxed({"calc.py": FORGER}).module("calc").huge_integer()
    expected = "an integer of about 400 digits, too large to cross the sandbox (integers must fit in 64 bits)"
    assert expected in str(caught.value), f"expected the message to say {expected!r}, got {str(caught.value)!r}"


def test_an_exception_message_comes_back_as_plain_text(sandboxed):
    with pytest.raises(StudentError) as caught:
        sandboxed({"calc.py": FORGER}).module("calc").shout_in_escapes()
    message = caught.value.message
    assert message == "TOTAL 6/6 \ufffd", f"expected escapes removed and the lone surrogate replaced, got {message!r}"
    assert str(caught.value).encode("utf-8"), "expected the whole error to encode as UTF-8"


def test_a_submitted_file_whose_parse_raises_memory_error_is_the_submissions_failure(sandboxed):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**40,)})
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as bundle:
        bundle.writestr("W0.npy", header.getvalue())
    writer = f"BOMB = {bomb.getvalue()!r}\n\n\ndef write_bomb():\n    with open('bomb.npz', 'wb') as stream:\n        stream.write(BOMB)\n"
    submission = sandboxed({"calc.py": writer})
    submission.module("calc").write_bomb()
    with pytest.raises(SubmissionError) as caught:
        submission.introspect("npz_arrays", "bomb.npz")
    assert "raised MemoryError" in str(caught.value), f"expected the worker's MemoryError as the submission's failure, got {caught.value}"


def test_a_module_that_puts_another_object_in_sys_modules_is_the_submissions_failure(sandboxed):
    submission = sandboxed({"calc.py": "import sys\n\nsys.modules[__name__] = 5\n"})
    with pytest.raises(UnreadableReply, match=r"importing calc.py: the worker sent 5 \(of type int\) instead of the module"):
        submission.module("calc")


VIEW_PROBE = """
import os


def look(paths):
    return {path: sorted(os.listdir(path)) if os.path.isdir(path) else os.path.exists(path) for path in paths}


def writable(path):
    try:
        with open(os.path.join(path, "probe.txt"), "w") as stream:
            stream.write("x")
        return True
    except OSError:
        return False


def sizes(paths):
    return {path: os.statvfs(path).f_blocks * os.statvfs(path).f_frsize for path in paths}


def facts():
    return {"cwd": os.getcwd(), "pids": sorted(int(name) for name in os.listdir("/proc") if name.isdigit()),
            "hostname": os.uname().nodename, "root": sorted(os.listdir("/"))}
"""


@pytest.mark.skipif(not isolation.bwrap_available(), reason="needs bubblewrap sandboxes")
def test_a_bubblewrap_worker_sees_only_the_interpreter_its_runtime_and_its_private_scratch(sandboxed):
    copy = Path(sandbox.tempfile.mkdtemp(prefix="autograder-test-course-copy-"))
    try:
        (copy / "secret.txt").write_text("hidden suite\n")
        copy.chmod(0o755)
        (copy / "secret.txt").chmod(0o644)
        calc = sandboxed({"calc.py": VIEW_PROBE}).module("calc")
        venv = os.path.realpath(sys.prefix)
        seen = calc.look([str(copy), str(REPO_ROOT), "/home", "/root", "/var/log", "/etc/passwd", venv, "/usr/share/datasets"])
        # The repository shows only as the way to the environment when the environment lives inside it (./.venv).
        repository = [Path(venv).relative_to(REPO_ROOT).parts[0]] if Path(venv).is_relative_to(REPO_ROOT) else False
        assert seen[str(copy)] is False and seen[str(REPO_ROOT)] == repository, (
            f"expected no course copy and nothing of the repository but the way to the environment ({repository}), got {seen}"
        )
        assert not seen["/home"] and not seen["/root"] and not seen["/var/log"] and seen["/etc/passwd"] is False, f"expected none of /home, /root, /var/log, /etc/passwd, got {seen}"
        assert seen[venv] and seen["/usr/share/datasets"] in ([], False), f"expected the environment and no data set, got {seen}"
        assert not calc.writable(venv) and not calc.writable("/usr/lib"), "expected the interpreter's folders to be read-only"
        assert calc.writable(".") and calc.writable("/tmp") and calc.writable("/dev/shm"), "expected the submission folder, /tmp and /dev/shm to be writable"
        scratch = 512 * 2**20  # the toy manifest's scratch_mb (the default)
        assert calc.sizes(["/tmp", "/dev/shm"]) == {"/tmp": scratch, "/dev/shm": scratch}, f"expected /tmp and /dev/shm of 512 MB each, got {calc.sizes(['/tmp', '/dev/shm'])}"
        facts = calc.facts()
        assert facts["cwd"] == sandbox.SANDBOX_SUBMISSION and facts["hostname"] == "sandbox" and max(facts["pids"]) < 20, f"unexpected sandbox facts {facts}"
    finally:
        sandbox.remove_tree(copy)
