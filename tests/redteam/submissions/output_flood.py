# Floods stdout and stderr with 64 MB each while the file is imported.
import os

block = b"x" * 2**20
for _ in range(64):
    os.write(1, block)
    os.write(2, block)
