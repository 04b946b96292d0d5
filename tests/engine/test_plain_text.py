"""Plain text: what the grader keeps of text that comes from a submission."""

import unicodedata

import pytest

from autograder.plain_text import plain_document, plain_text

CLEAR_SCREEN = "\x1b[2J\x1b[H"
WINDOW_TITLE = "\x1b]0;you have been graded 6/6\x07"


def controls_in(text):
    """The control characters of ``text`` other than newline and tab, as a sorted list of their code points."""
    return sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t"})


@pytest.mark.parametrize("text, expected", [
    (CLEAR_SCREEN + "TOTAL 6/6", "TOTAL 6/6"),
    (WINDOW_TITLE + "message", "message"),
    ("\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("\x1b[1;31mred\x1b[0m and \x1b[10;20Hmoved", "red and moved"),
    ("\x9b2J8-bit CSI, \x9d0;title\x9c8-bit OSC", "8-bit CSI, 8-bit OSC"),
    ("\x1b(Bcharset \x1b7saved\x1b8", "charset saved"),
    ("bell\x07 nul\x00 backspace\x08 delete\x7f next-line\x85 escape\x1b", "bell nul backspace delete next-line escape"),
    ("TOTAL \u202e6/3\u202c and \u2066isolated\u2069 \u200fmarks\u200e", "TOTAL 6/3 and isolated marks"),
])
def test_escape_sequences_and_control_characters_are_removed(text, expected):
    got = plain_text(text)
    assert got == expected, f"expected {expected!r}, got {got!r}"


def test_newlines_and_tabs_are_kept_and_carriage_returns_become_newlines():
    got = plain_text("line 1\tcolumn\r\nline 2\rline 3\u2028line 4")
    assert got == "line 1\tcolumn\nline 2\nline 3\nline 4", f"expected four lines with the tab kept, got {got!r}"


def test_lone_surrogates_and_bad_bytes_become_replacement_characters():
    got = plain_text("high \ud800 low \udfff")
    assert got == "high \ufffd low \ufffd", f"expected each lone surrogate replaced by U+FFFD, got {got!r}"
    from_bytes = plain_text(b"bytes \xff\xfe ok")
    assert from_bytes == "bytes \ufffd\ufffd ok", f"expected bad bytes replaced by U+FFFD, got {from_bytes!r}"


def test_one_line_text_has_no_newline_or_tab():
    got = plain_text("calc.py\n       TOTAL 6/6\tx", one_line=True)
    assert got == "calc.py        TOTAL 6/6 x", f"expected one line, got {got!r}"


def test_plain_text_comes_back_unchanged():
    text = "expected [0, 2, 4], got [1. 2. 3.]\n\tindented — naïve 😀 ≤ 0.85"
    assert plain_text(text) == text, f"expected the text unchanged, got {plain_text(text)!r}"
    hostile = CLEAR_SCREEN + WINDOW_TITLE + "x\ud800\r"
    assert plain_text(plain_text(hostile)) == plain_text(hostile), "expected plain_text of plain text to change nothing"


def test_every_string_of_a_document_is_made_plain_keys_included():
    document = {"output": CLEAR_SCREEN + "hi", "tests": [{"name": "n\ud800", "score": 1.5, "ok": True, "none": None}],
                "\x1b[31mkey": ("a\x07", 2)}
    got = plain_document(document)
    expected = {"output": "hi", "tests": [{"name": "n\ufffd", "score": 1.5, "ok": True, "none": None}], "key": ["a", 2]}
    assert got == expected, f"expected {expected}, got {got}"


def test_no_control_character_survives_any_code_point():
    text = "".join(map(chr, range(0x0, 0x3000)))
    left = controls_in(plain_text(text))
    assert left == [], f"expected no control character but newline and tab, got {left}"
