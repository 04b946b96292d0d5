"""The loop a sandboxed worker runs: it answers the grader's requests about the submission.

Started by ``autograder.sandbox`` as ``python -I -c ...`` in a fresh folder holding only the
submission's files, with the channel's file descriptors as arguments and whether to install the system-call
filter (``syscall_filter``) before the first request. Requests:

- ``{"op": "import", "module": name}``: import a submitted module; answers its handle.
- ``{"op": "getattr", "target": id, "name": attr}``; ``{"op": "setattr", "target": id, "name": attr, "value": v}``.
- ``{"op": "call", "target": id, "args": [...], "kwargs": {...}}``.
- ``{"op": "introspect", "helper": name, "args": [...]}``: run a helper of ``introspect``.

Answers are ``{"ok": value}`` or ``{"error": {"type", "message", "traceback"}}``, with the request's
``id``. Results that are not plain data stay here and travel as handles.
"""

import importlib
import os
import random
import sys
import traceback

import numpy as np

from . import introspect, protocol, syscall_filter

MAX_TRACEBACK_CHARS = 4000


class ObjectTable:
    """The worker's objects that the grader holds handles to."""

    def __init__(self):
        self.objects = {}

    def handle(self, value):
        """Store ``value`` and return a ``protocol.Handle`` for it."""
        self.objects[len(self.objects) + 1] = value
        kind = type(value)
        return protocol.Handle(len(self.objects), f"{kind.__module__}.{kind.__qualname__}")

    def get(self, handle):
        """The object behind a handle sent back by the grader."""
        if handle.id not in self.objects:
            raise protocol.ProtocolError(f"unknown handle {handle.id}")
        return self.objects[handle.id]


def to_tensor(array):
    """A torch tensor sharing memory with ``array`` (torch is imported on first use)."""
    import torch

    return torch.from_numpy(array.copy() if not array.flags.writeable else array)


def to_data(value):
    """Plain data for values the grader can read; torch tensors become numpy arrays."""
    module = type(value).__module__
    if module.startswith("torch") and type(value).__name__ in ("Tensor", "Parameter"):
        return value.detach().cpu().numpy()
    return value


def prepare(value, table, depth=0):
    """Replace tensors (at any depth of lists, tuples, dicts) by arrays before encoding."""
    if depth > protocol.MAX_DEPTH:
        return value
    value = to_data(value)
    if type(value) in (list, tuple):
        return type(value)(prepare(item, table, depth + 1) for item in value)
    if type(value) is dict:
        return {key: prepare(item, table, depth + 1) for key, item in value.items()}
    return value


def student_traceback(exc):
    """The traceback of ``exc`` without the worker's own frames, with paths relative to the
    submission folder, trimmed to a readable size."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if "grader_worker" not in frame.filename]
    text = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(exc), exc))
    return text.replace(os.getcwd() + os.sep, "")[-MAX_TRACEBACK_CHARS:]


def handle_request(header, blobs, table):
    """Carry out one request; returns the value to send back (may raise)."""
    args = protocol.decode(header.get("args", []), blobs, table.get, to_tensor)
    kwargs = protocol.decode(header.get("kwargs", {"$dict": []}), blobs, table.get, to_tensor)
    op = header.get("op")
    if op == "import":
        return importlib.import_module(header["module"])
    if op == "getattr":
        return getattr(table.get(protocol.Handle(header["target"], "")), header["name"])
    if op == "setattr":
        value = protocol.decode(header["value"], blobs, table.get, to_tensor)
        setattr(table.get(protocol.Handle(header["target"], "")), header["name"], value)
        return None
    if op == "call":
        return table.get(protocol.Handle(header["target"], ""))(*args, **kwargs)
    if op == "introspect":
        helper = introspect.HELPERS.get(header.get("helper"))
        if helper is None:
            raise protocol.ProtocolError(f"no introspection helper named {header.get('helper')!r}")
        return helper(*args)
    raise protocol.ProtocolError(f"unknown request {op!r}")


def answer(header, blobs, table):
    """The response frame (header, blobs) for one request."""
    out_blobs = []
    try:
        value = handle_request(header, blobs, table)
        return {"ok": protocol.encode(prepare(value, table), out_blobs, table.handle)}, out_blobs
    except BaseException as exc:  # the student's code may raise anything, SystemExit included
        if isinstance(exc, KeyboardInterrupt):
            raise
        error = {"type": type(exc).__name__, "message": str(exc)[:MAX_TRACEBACK_CHARS], "traceback": student_traceback(exc)}
        return {"error": error}, []


def seed_global_generators(seed=0):
    """Seed Python's and numpy's global random generators, so that a submission that uses them unseeded
    behaves the same each time it is graded (torch's are seeded by the suites that train)."""
    random.seed(seed)
    np.random.seed(seed)


def serve(read_fd, write_fd, submission_dir):
    """Answer requests until the grader closes the channel.

    Inputs:
    - read_fd, write_fd: the channel's file descriptors.
    - submission_dir: folder of the submitted files, put first on ``sys.path``.
    """
    reader = os.fdopen(read_fd, "rb", buffering=0)
    writer = os.fdopen(write_fd, "wb")
    sys.path.insert(0, submission_dir)
    seed_global_generators()
    table = ObjectTable()
    while True:
        try:
            header, blobs = protocol.read_frame(reader.read)
        except EOFError:
            return
        response, out_blobs = answer(header, blobs, table)
        protocol.write_frame(writer, dict(response, id=header.get("id")), out_blobs)


def main(argv):
    """Entry point; ``argv`` is [read_fd, write_fd, submission_dir, "filter" or "no-filter"]."""
    if argv[3] == "filter":
        syscall_filter.install()
    serve(int(argv[0]), int(argv[1]), argv[2])
