# Leaves a daemon behind (double fork, new session) that keeps writing to a file after grading.
import os
import time

if os.fork() == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            while True:
                try:
                    with open("@DAEMON_LOG@", "a") as stream:
                        stream.write("still here\n")
                except OSError:
                    pass
                time.sleep(0.2)
    finally:
        os._exit(0)
