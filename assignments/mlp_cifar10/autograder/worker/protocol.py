"""The wire format between the grader and a sandboxed worker.

A message is one frame: an 8-byte little-endian length and a JSON header, followed by
the binary blobs the header refers to, each with its own 8-byte length. Values are
encoded as plain JSON with tagged objects for what JSON cannot say:

- ``{"$tuple": [...]}`` a tuple; ``{"$dict": [[key, value], ...]}`` a dict with str keys;
- ``{"$array": i}`` the numpy array stored in blob ``i`` (``np.save`` format, no pickles);
- ``{"$tensor": i}`` an array the worker turns into a torch tensor (grader to worker only);
- ``{"$handle": id, "type": name}`` an object that stays in the worker.

Nothing is ever unpickled: arrays are read with ``allow_pickle=False`` and object arrays
are refused. The reader bounds what it accepts before allocating for it: the frame's size, the
header's size and nesting depth, integers (64 bits) and each array's declared size (it must be the
size of its blob). This module runs on both sides and imports only the standard library and numpy.

A worker answers ``{"ok": value}`` or ``{"error": {"type": str, "message": str, "traceback": str}}``
with the ``id`` of the request it answers (``read_reply`` checks both).
"""

import io
import json
import math
import re
import struct

import numpy as np

LENGTH = struct.Struct("<Q")
MAX_DEPTH = 64
# A header holds values of at most MAX_DEPTH levels, each level at most 3 of JSON ({"$dict": [[key, value]]}).
MAX_HEADER_DEPTH = 4 * MAX_DEPTH
MAX_HEADER_BYTES = 16 * 2**20
MIN_INT, MAX_INT = -2**63, 2**64 - 1  # integers cross when an int64 or a uint64 can hold them
ERROR_FIELDS = ("type", "message", "traceback")
NPY_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
OPENING, CLOSING = np.frombuffer(b"[{", dtype=np.uint8), np.frombuffer(b"]}", dtype=np.uint8)


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
    """Read an array written by ``array_to_bytes``; pickled content is rejected.

    The ``.npy`` header is read first: an array whose declared shape and dtype do not match the
    bytes that follow (an array of 2**40 floats in a small blob) is refused before anything is allocated.
    """
    try:
        stream = io.BytesIO(data)
        read_header = NPY_HEADER_READERS.get(np.lib.format.read_magic(stream))
        if read_header is None:
            raise ValueError("a .npy format version other than 1.0 and 2.0")
        shape, _, dtype = read_header(stream)
        if dtype.hasobject:
            raise ValueError(f"dtype {dtype} holds pickled objects, which are refused")
        declared = math.prod(shape) * dtype.itemsize
        if declared != len(data) - stream.tell():
            raise ValueError(f"its header declares shape {shape} of {dtype} ({declared} bytes) but {len(data) - stream.tell()} bytes follow")
        return np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, TypeError, OverflowError, MemoryError, RecursionError) as exc:
        raise ProtocolError(f"an unreadable array: {exc}") from None


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
        return checked_int(value)
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
    """Inverse of ``encode``; ProtocolError for anything ``encode`` cannot have written.

    Inputs:
    - data: JSON-decoded value.
    - blobs: the frame's list of bytes.
    - from_handle: called with a ``Handle``; returns what the receiving side uses for it.
    - from_tensor: called with a numpy array sent as ``Tensor``; None refuses tensors.
    """
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if isinstance(data, int) and not isinstance(data, bool):
        return checked_int(data)
    if data is None or isinstance(data, (bool, float, str)):
        return data
    if isinstance(data, list):
        return [decode(item, blobs, from_handle, from_tensor, depth + 1) for item in data]
    if isinstance(data, dict) and len(data) == 1:
        (tag, content), = data.items()
        if tag == "$tuple" and isinstance(content, list):
            return tuple(decode(item, blobs, from_handle, from_tensor, depth + 1) for item in content)
        if tag == "$dict" and isinstance(content, list):
            if not all(isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) for pair in content):
                raise ProtocolError(f"a malformed dict: {excerpt(data)}")
            return {key: decode(item, blobs, from_handle, from_tensor, depth + 1) for key, item in content}
        if tag == "$array":
            return bytes_to_array(blob_at(blobs, content))
        if tag == "$tensor" and from_tensor is not None:
            return from_tensor(bytes_to_array(blob_at(blobs, content)))
    if isinstance(data, dict) and set(data) == {"$handle", "type"} and type(data["$handle"]) is int and isinstance(data["type"], str):
        return from_handle(Handle(checked_int(data["$handle"]), data["type"]))
    raise ProtocolError(f"a value with an unknown tag or of the wrong shape: {excerpt(data)}")


def checked_int(value):
    """``value`` (an int) when 64 bits can hold it, else ProtocolError."""
    if not MIN_INT <= value <= MAX_INT:
        digits = round(value.bit_length() * math.log10(2))
        raise ProtocolError(f"an integer of about {digits} digits, too large to cross the sandbox (integers must fit in 64 bits)")
    return value


def excerpt(data, limit=80):
    """The start of ``data``'s JSON text, for messages."""
    text = json_dumps(data)
    return text if len(text) <= limit else text[:limit] + "..."


def blob_at(blobs, index):
    """The blob numbered ``index``, or ProtocolError."""
    if type(index) is not int or not 0 <= index < len(blobs):
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

    ``max_bytes`` bounds the total size accepted, so a flood cannot exhaust memory. The header is
    refused before it is parsed when it is over MAX_HEADER_BYTES or nested over MAX_HEADER_DEPTH
    levels; ProtocolError says why.
    """
    total = 0

    def read_sized(limit=math.inf):
        nonlocal total
        (size,) = LENGTH.unpack(read_exact(read, LENGTH.size))
        if size > limit:
            raise ProtocolError(f"a header of {size} bytes, over the {limit} bytes allowed")
        total += size
        if total > max_bytes:
            raise ProtocolError(f"a message of over {total} bytes, larger than the {max_bytes} bytes allowed")
        return read_exact(read, size)

    text = read_sized(MAX_HEADER_BYTES)
    if nesting_depth(text) > MAX_HEADER_DEPTH:
        raise ProtocolError(f"a header nested too deeply (over {MAX_HEADER_DEPTH} levels)")
    try:
        header = json.loads(text.decode("utf-8"))
    except (ValueError, RecursionError, MemoryError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ProtocolError(f"an unreadable header ({type(exc).__name__}: {str(exc)[:200]})") from None
    if not isinstance(header, dict) or type(header.get("blobs")) is not int or header["blobs"] < 0:
        raise ProtocolError(f"a header that is not a frame's: {excerpt(header)}")
    blobs = [read_sized() for _ in range(header["blobs"])]
    return header, blobs


def nesting_depth(text):
    """How deeply arrays and objects nest in the JSON ``text`` (bytes), counted without parsing it."""
    skeleton = np.frombuffer(JSON_STRING.sub(b'""', text), dtype=np.uint8)
    steps = np.isin(skeleton, OPENING).astype(np.int32) - np.isin(skeleton, CLOSING)
    return int(np.cumsum(steps).max(initial=0))


def read_reply(header, blobs, request_id, from_handle):
    """A worker's reply to request ``request_id``: ("ok", its decoded value) or ("error", (type, message, traceback)).

    ProtocolError when the reply is neither ``{"ok": value}`` nor ``{"error": {"type": str, "message":
    str, "traceback": str}}`` (the frame's "blobs" aside), when its value does not decode, or when its
    "id" is not ``request_id``: a frame student code wrote to the reply channel, or the worker's reply
    that such a frame displaced. ``from_handle`` is ``decode``'s.
    """
    keys = set(header) - {"blobs", "id"}
    error = header.get("error")
    if keys == {"ok"}:
        reply = ("ok", decode(header["ok"], blobs, from_handle))
    elif keys == {"error"} and isinstance(error, dict) and set(error) == set(ERROR_FIELDS) and all(isinstance(v, str) for v in error.values()):
        reply = ("error", tuple(error[key] for key in ERROR_FIELDS))
    else:
        raise ProtocolError(f"a reply that is neither a value nor an error: {excerpt({key: header[key] for key in keys})}")
    if header.get("id") != request_id:
        raise ProtocolError(f"a reply numbered {excerpt(header.get('id'))} to request {request_id} "
                            "(a frame written to the reply channel, or the reply it displaced)")
    return reply
