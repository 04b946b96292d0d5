# Writes a forged reply of the wrong shape, {"error": 5}, to the worker's reply channel (sys.argv[3]) from add.
import os
import sys


def add(a, b):
    header = b'{"blobs":0,"error":5}'
    os.write(int(sys.argv[3]), len(header).to_bytes(8, "little") + header)
    return a + b
