"""The wire format between the grader and a sandboxed worker.

A message is one frame: an 8-byte little-endian length and a JSON header, followed by
the binary blobs the header refers to, each with its own 8-byte length. Values are
encoded as plain JSON with tagged objects for what JSON cannot say:

- ``{"$tuple": [...]}`` a tuple; ``{"$dict": [[key, value], ...]}`` a dict with str keys;
- ``{"$array": i}`` the numpy array stored in blob ``i`` (``np.save`` format, no pickles);
- ``{"$tensor": i}`` an array the worker turns into a torch tensor (grader to worker only);
- ``{"$handle": id, "type": name}`` an object that stays in the worker.

Nothing is ever unpickled: arrays are read with ``allow_pickle=False`` and object arrays
are refused. This module runs on both sides and imports only the standard library and numpy.
"""

import io
import json
import math
import struct

import numpy as np

LENGTH = struct.Struct("<Q")
MAX_DEPTH = 64


class ProtocolError(Exception):
    """A frame or a value that does not follow the wire format."""


class Tensor:
    """An array the worker should receive as a ``torch.Tensor`` (``torch.from_numpy``).

    Inputs:
    - array: numpy array of any shape and a numeric dtype.
    """

    def __init__(self, array):
        self.array = np.ascontiguousarray(array)


class Handle:
    """A reference to an object that lives in the worker.

    Inputs:
    - id: the worker's number for the object.
    - type_name: the object's qualified type name, for messages.
    """

    def __init__(self, id, type_name):
        self.id = id
        self.type_name = type_name


def array_to_bytes(array):
    """Serialise a numpy array in ``.npy`` format, refusing object dtypes."""
    if array.dtype.hasobject:
        raise ProtocolError(f"arrays of dtype {array.dtype} cannot cross the sandbox")
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def bytes_to_array(data):
    """Read an array written by ``array_to_bytes``; pickled content is rejected."""
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as exc:
        raise ProtocolError(f"unreadable array: {exc}") from exc


def encode(value, blobs, to_handle=None, depth=0):
    """Turn ``value`` into JSON-able data, appending array bytes to ``blobs``.

    Inputs:
    - value: the value to send.
    - blobs: list of bytes, extended with one entry per array.
    - to_handle: called with a value that is not data; returns a ``Handle``. When None, such a
      value raises ProtocolError.

    Returns the JSON-able encoding.
    """
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply to cross the sandbox")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, np.generic) and not isinstance(value, np.object_):
        return encode(value.item(), blobs, to_handle, depth + 1)
    if isinstance(value, np.ndarray) and not value.dtype.hasobject:
        blobs.append(array_to_bytes(value))
        return {"$array": len(blobs) - 1}
    if isinstance(value, Tensor):
        blobs.append(array_to_bytes(value.array))
        return {"$tensor": len(blobs) - 1}
    if isinstance(value, Handle):
        return {"$handle": value.id, "type": value.type_name}
    if type(value) is list:
        return [encode(item, blobs, to_handle, depth + 1) for item in value]
    if type(value) is tuple:
        return {"$tuple": [encode(item, blobs, to_handle, depth + 1) for item in value]}
    if type(value) is dict and all(type(key) is str for key in value):
        return {"$dict": [[key, encode(item, blobs, to_handle, depth + 1)] for key, item in value.items()]}
    if to_handle is None:
        raise ProtocolError(f"a value of type {type(value).__name__} cannot cross the sandbox")
    return encode(to_handle(value), blobs, to_handle, depth + 1)


def decode(data, blobs, from_handle, from_tensor=None, depth=0):
    """Inverse of ``encode``.

    Inputs:
    - data: JSON-decoded value.
    - blobs: the frame's list of bytes.
    - from_handle: called with a ``Handle``; returns what the receiving side uses for it.
    - from_tensor: called with a numpy array sent as ``Tensor``; None refuses tensors.
    """
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(item, blobs, from_handle, from_tensor, depth + 1) for item in data]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise ProtocolError(f"unexpected value in message: {str(data)[:80]}")
    if "$tuple" in data:
        return tuple(decode(item, blobs, from_handle, from_tensor, depth + 1) for item in data["$tuple"])
    if "$dict" in data:
        pairs = data["$dict"]
        if not all(isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) for pair in pairs):
            raise ProtocolError("malformed dict in message")
        return {key: decode(item, blobs, from_handle, from_tensor, depth + 1) for key, item in pairs}
    if "$array" in data:
        return bytes_to_array(blob_at(blobs, data["$array"]))
    if "$tensor" in data:
        if from_tensor is None:
            raise ProtocolError("tensors are only sent to the worker")
        return from_tensor(bytes_to_array(blob_at(blobs, data["$tensor"])))
    if "$handle" in data:
        if not isinstance(data["$handle"], int) or not isinstance(data.get("type"), str):
            raise ProtocolError("malformed handle in message")
        return from_handle(Handle(data["$handle"], data["type"]))
    raise ProtocolError(f"unknown tag in message: {sorted(data)}")


def blob_at(blobs, index):
    """The blob numbered ``index``, or ProtocolError."""
    if not isinstance(index, int) or not 0 <= index < len(blobs):
        raise ProtocolError(f"message refers to a missing blob {index!r}")
    return blobs[index]


def json_dumps(header):
    """JSON text of a header; NaN and infinities are allowed (both sides are Python)."""
    return json.dumps(header, allow_nan=True, separators=(",", ":"))


def pack_frame(header, blobs):
    """The bytes of one frame: a header dict and its blobs."""
    text = json_dumps(dict(header, blobs=len(blobs))).encode("utf-8")
    parts = [LENGTH.pack(len(text)), text]
    for blob in blobs:
        parts += [LENGTH.pack(len(blob)), blob]
    return b"".join(parts)


def write_frame(stream, header, blobs):
    """Write one frame to a binary stream and flush it."""
    stream.write(pack_frame(header, blobs))
    stream.flush()


def read_exact(read, size):
    """Read exactly ``size`` bytes with ``read(n)``; ProtocolError on a closed stream."""
    chunks = []
    while size:
        chunk = read(size)
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(read, max_bytes=math.inf):
    """Read one frame with ``read(n)``; returns (header dict, list of blobs).

    ``max_bytes`` bounds the total size accepted, so a flood cannot exhaust memory.
    """
    total = 0

    def read_sized():
        nonlocal total
        (size,) = LENGTH.unpack(read_exact(read, LENGTH.size))
        total += size
        if total > max_bytes:
            raise ProtocolError(f"message larger than the {max_bytes} bytes allowed")
        return read_exact(read, size)

    try:
        header = json.loads(read_sized().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"unreadable message header: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(header.get("blobs"), int) or header["blobs"] < 0:
        raise ProtocolError("message header is not a frame")
    blobs = [read_sized() for _ in range(header["blobs"])]
    return header, blobs
