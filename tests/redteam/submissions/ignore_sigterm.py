# Ignores SIGTERM (and SIGINT, SIGHUP) and then loops forever in add.
import signal

for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(number, signal.SIG_IGN)


def add(a, b):
    while True:
        pass
