# Forks as many sleeping processes as it may while the file is imported; each leaves the process group.
import os
import time

for _ in range(1000):
    try:
        child = os.fork()
    except OSError:
        break
    if child == 0:
        os.setsid()
        while True:
            time.sleep(1)
