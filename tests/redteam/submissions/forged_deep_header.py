# Writes a forged reply, a header nested 100,000 deep, to the worker's reply channel (sys.argv[3]) from add.
import os
import sys


def add(a, b):
    header = b'{"blobs":0,"ok":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    os.write(int(sys.argv[3]), len(header).to_bytes(8, "little") + header)
    return a + b
