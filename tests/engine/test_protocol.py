"""The wire format: what crosses between grader and worker, and what is refused."""

import io
import math

import numpy as np
import pytest

from autograder.worker import protocol


def round_trip(value):
    blobs = []
    data = protocol.encode(value, blobs)
    frame = protocol.pack_frame({"value": data}, blobs)
    header, received = protocol.read_frame(io.BytesIO(frame).read)
    return protocol.decode(header["value"], received, from_handle=lambda handle: handle)


def test_nested_values_with_arrays_come_back_equal():
    value = {"loss": [1.5, float("nan")], "shape": (2, 3), "W": np.arange(6.0).reshape(2, 3), "ok": True, "none": None}
    back = round_trip(value)
    assert back["shape"] == (2, 3), f"expected the tuple (2, 3), got {back['shape']!r}"
    assert np.array_equal(back["W"], value["W"]) and back["W"].dtype == np.float64, f"expected the float64 array back, got {back['W']!r}"
    assert back["loss"][0] == 1.5 and math.isnan(back["loss"][1]), f"expected [1.5, nan], got {back['loss']}"
    assert back["ok"] is True and back["none"] is None


def test_numpy_scalars_become_python_scalars():
    back = round_trip([np.float32(0.5), np.int64(3), np.bool_(True)])
    assert back == [0.5, 3, True] and [type(v) for v in back] == [float, int, bool], f"expected Python scalars, got {back!r}"


def test_object_arrays_are_refused():
    with pytest.raises(protocol.ProtocolError, match="cannot cross"):
        protocol.encode(np.array([{}, []], dtype=object), [])


def test_pickled_array_bytes_are_rejected_when_read():
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(protocol.ProtocolError, match="unreadable array"):
        protocol.bytes_to_array(buffer.getvalue())


def test_values_that_are_not_data_need_a_handle():
    with pytest.raises(protocol.ProtocolError, match="type object"):
        protocol.encode(object(), [])
    handles = []
    data = protocol.encode([object()], [], to_handle=lambda v: handles.append(v) or protocol.Handle(7, "builtins.object"))
    assert data == [{"$handle": 7, "type": "builtins.object"}] and len(handles) == 1, f"expected one handle, got {data}"


def test_a_frame_larger_than_allowed_is_refused():
    frame = protocol.pack_frame({}, [b"x" * 1000])
    with pytest.raises(protocol.ProtocolError, match="larger than"):
        protocol.read_frame(io.BytesIO(frame).read, max_bytes=500)


def test_a_frame_with_an_unknown_tag_is_refused():
    with pytest.raises(protocol.ProtocolError, match="unknown tag"):
        protocol.decode({"$pickle": "gASV"}, [], from_handle=lambda h: h)
