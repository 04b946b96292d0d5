# While imported: clears its PR_SET_PDEATHSIG, starts a child in a new session (its PR_SET_PDEATHSIG cleared too)
# that runs `sleep` for a day, and a non-daemon thread that never ends, so that the worker cannot exit by itself.
import ctypes
import os
import threading
import time

PR_SET_PDEATHSIG = 1
ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0)
if os.fork() == 0:
    try:
        os.setsid()
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0)
        os.execv("/bin/sleep", ["sleep", "@MARKER@"])
    finally:
        os._exit(0)
threading.Thread(target=lambda: time.sleep(10**6), daemon=False).start()
