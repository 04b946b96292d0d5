# While imported: a directory tree 3,000 levels deep in its own folder and in /tmp, then /tmp filled with
# 15 MB files until refused (at most 20 of them), meant to leave the next submission no room.
import os

MB = 2**20


def deep_tree(parent, name):
    folder = os.open(parent, os.O_RDONLY)
    try:
        os.mkdir(name, dir_fd=folder)
        for _ in range(3000):
            inner = os.open(name, os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
            os.mkdir("d", dir_fd=folder)
            name = "d"
    except OSError:
        pass
    finally:
        os.close(folder)


deep_tree(".", "tree")
deep_tree("/tmp", "@FILL_PREFIX@tree")
for index in range(20):
    try:
        with open(f"/tmp/@FILL_PREFIX@{index}", "wb") as stream:
            stream.write(b"\0" * (15 * MB))
    except OSError:
        break
