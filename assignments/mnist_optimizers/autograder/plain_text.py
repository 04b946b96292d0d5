"""Plain text: what the grader makes of any text that comes from a submission.

Test messages, exception messages and tracebacks, captured output, file names and free-text answers
are the student's text. Before it reaches a terminal, the score table, results.json, the gradebook or
a feedback page it goes through ``plain_text``: the result is valid UTF-8 (lone surrogates, which
cannot be encoded, become U+FFFD) without terminal escape sequences (CSI: cursor moves, clearing the
screen, colours; OSC: window titles, hyperlinks; DCS and the other string commands) or control
characters (C0, DEL, C1, and the bidirectional-text controls that can reorder what a line shows),
newline and tab excepted. A carriage return becomes a newline, so that it
cannot send the cursor back over a line already printed.
"""

import re

# Escape sequences, ESC-introduced or in their one-character C1 forms, removed whole (with their parameters):
ESCAPE_SEQUENCE = re.compile(
    "(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: parameters, intermediates, final byte
    "|(?:\x1b[\\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\\\|\x9c)?"  # OSC, DCS, SOS, PM, APC up to BEL or ST
    "|\x1b[ -/]*[0-~]"  # the other escape sequences (two characters, or with intermediates)
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # C0 but tab and newline, DEL, C1, bidi controls
NEWLINES = re.compile("\r\n?|[\u2028\u2029]")  # line ends other than a newline
SURROGATE = re.compile("[\ud800-\udfff]")
ONE_LINE = re.compile("[\n\t]")


def plain_text(text, *, one_line=False):
    """``text`` (str, or bytes read as UTF-8) as plain text that is safe to print, store and show.

    Lone surrogates and undecodable bytes become U+FFFD; escape sequences and control characters are
    removed, newline and tab kept (``one_line=True``: they become spaces too, for file names and
    one-line notes); carriage returns and Unicode's line and paragraph separators become newlines. Plain text comes back unchanged.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = SURROGATE.sub("\ufffd", text)
    text = NEWLINES.sub("\n", ESCAPE_SEQUENCE.sub("", text))
    text = CONTROL.sub("", text)
    return ONE_LINE.sub(" ", text) if one_line else text


def plain_document(value):
    """A JSON-like ``value`` (dicts, lists, strings, numbers) with every string in it, keys included, made ``plain_text``."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, dict):
        return {plain_text(key) if isinstance(key, str) else key: plain_document(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_document(item) for item in value]
    return value
