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


def frame_of(header_text, *blobs):
    """The bytes of a frame whose header is ``header_text`` (bytes) as given, valid or not."""
    parts = [protocol.LENGTH.pack(len(header_text)), header_text]
    for blob in blobs:
        parts += [protocol.LENGTH.pack(len(blob)), blob]
    return b"".join(parts)


def read_refused(frame):
    """The ProtocolError message of reading ``frame``, or an AssertionError saying what was read instead."""
    try:
        header, _ = protocol.read_frame(io.BytesIO(frame).read)
    except protocol.ProtocolError as exc:
        return str(exc)
    raise AssertionError(f"expected the frame to be refused, got the header {str(header)[:200]}")


def test_a_header_nested_100000_deep_is_refused_before_it_is_parsed():
    message = read_refused(frame_of(b'{"blobs":0,"ok":' + b"[" * 100_000 + b"]" * 100_000 + b"}"))
    assert message == f"a header nested too deeply (over {protocol.MAX_HEADER_DEPTH} levels)", f"expected the depth refused, got {message!r}"


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = b'{"blobs":0,"ok":"' + b"[" * 1000 + b'\\"{{{"}'
    assert protocol.nesting_depth(text) == 1, f"expected depth 1 for brackets inside a string, got {protocol.nesting_depth(text)}"
    header, _ = protocol.read_frame(io.BytesIO(frame_of(text)).read)
    assert header["ok"] == "[" * 1000 + '"{{{', f"expected the string back, got {header['ok'][:40]!r}"


def test_the_deepest_value_encode_allows_still_crosses():
    value = "leaf"
    for _ in range(protocol.MAX_DEPTH):
        value = {"k": value}
    back = round_trip(value)
    for _ in range(protocol.MAX_DEPTH):
        back = back["k"]
    assert back == "leaf", f"expected the nested dict to come back whole, got {back!r}"


def test_a_header_over_the_size_limit_is_refused_before_it_is_read():
    reads = []

    def read(size):
        reads.append(size)
        return protocol.LENGTH.pack(protocol.MAX_HEADER_BYTES + 1) if len(reads) == 1 else b"x" * size

    with pytest.raises(protocol.ProtocolError, match=f"a header of {protocol.MAX_HEADER_BYTES + 1} bytes, over the"):
        protocol.read_frame(read)
    assert reads == [protocol.LENGTH.size], f"expected only the length to be read, got reads of {reads} bytes"


def test_an_array_declaring_2_to_the_40_floats_in_a_small_blob_is_refused_before_allocating():
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**40,)})
    with pytest.raises(protocol.ProtocolError) as caught:
        protocol.bytes_to_array(header.getvalue() + b"\0" * 64)
    expected = "an unreadable array: its header declares shape (1099511627776,) of float64 (8796093022208 bytes) but 64 bytes follow"
    assert str(caught.value) == expected, f"expected {expected!r}, got {str(caught.value)!r}"


def test_integers_that_do_not_fit_in_64_bits_cannot_cross_either_way():
    for value in (10**400, -(2**63) - 1, 2**64):
        with pytest.raises(protocol.ProtocolError, match="too large to cross the sandbox"):
            protocol.encode([value], [])
        message = read_refused_value({"ok": [value]})
        assert "too large to cross the sandbox" in message, f"expected {value} refused when read, got {message!r}"
    assert round_trip([2**64 - 1, -(2**63)]) == [2**64 - 1, -(2**63)], "expected the 64-bit extremes to cross"


def read_refused_value(header):
    """The ProtocolError message of decoding ``header``'s "ok" value after it crossed as JSON."""
    received, blobs = protocol.read_frame(io.BytesIO(frame_of(protocol.json_dumps({**header, "blobs": 0}).encode())).read)
    try:
        value = protocol.decode(received["ok"], blobs, from_handle=lambda handle: handle)
    except protocol.ProtocolError as exc:
        return str(exc)
    raise AssertionError(f"expected the value to be refused, got {value!r}")


def test_an_integer_too_long_for_json_is_an_unreadable_header():
    message = read_refused(frame_of(b'{"blobs":0,"ok":' + b"1" * 5000 + b"}"))
    assert message.startswith("an unreadable header (ValueError: Exceeds the limit"), f"expected the digits refused, got {message!r}"


@pytest.mark.parametrize("data", [{"$tuple": 5}, {"$dict": 5}, {"$dict": [[1, 2]]}, {"$array": True}, {"$tuple": [], "x": 1},
                                  {"$handle": "1", "type": "x"}, {"$tensor": 0}])
def test_a_value_of_the_wrong_shape_is_refused_with_what_came_back(data):
    with pytest.raises(protocol.ProtocolError) as caught:
        protocol.decode(data, [b""], from_handle=lambda handle: handle)
    assert protocol.json_dumps(data)[:20] in str(caught.value) or "blob" in str(caught.value), \
        f"expected the message to quote {data}, got {str(caught.value)!r}"


def read_reply(reply, reply_id=1):
    """``protocol.read_reply`` of ``reply`` (a header without blobs) numbered ``reply_id``, for request 1."""
    return protocol.read_reply({**reply, "blobs": 0, "id": reply_id}, [], 1, from_handle=lambda handle: handle)


@pytest.mark.parametrize("reply", [{"error": 5}, {"error": {"type": "E", "message": 1, "traceback": ""}}, {}, {"ok": 1, "error": 2},
                                   {"okay": 1}])
def test_a_reply_that_is_neither_a_value_nor_an_error_is_refused(reply):
    with pytest.raises(protocol.ProtocolError, match="a reply that is neither a value nor an error"):
        read_reply(reply)


def test_value_and_error_replies_are_told_apart():
    assert read_reply({"ok": {"$tuple": [1]}}) == ("ok", (1,)), f"expected ('ok', (1,)), got {read_reply({'ok': {'$tuple': [1]}})}"
    error = read_reply({"error": {"type": "ValueError", "message": "m", "traceback": "t"}})
    assert error == ("error", ("ValueError", "m", "t")), f"expected ('error', (type, message, traceback)), got {error}"


@pytest.mark.parametrize("reply_id", [None, 2, "1"])
def test_a_reply_to_another_request_is_refused(reply_id):
    with pytest.raises(protocol.ProtocolError, match="to request 1 .a frame written to the reply channel, or the reply it displaced"):
        read_reply({"ok": 5}, reply_id)


@pytest.mark.parametrize("text", [b"not json", b"\xff\xfe", b"[1, 2]", b'{"blobs": -1}', b'{"blobs": true}'])
def test_a_header_that_is_not_a_frames_is_refused(text):
    message = read_refused(frame_of(text))
    assert message.startswith(("an unreadable header", "a header that is not a frame's")), f"expected the header refused, got {message!r}"
