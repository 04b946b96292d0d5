# Sleeps for days in mean_rows.
import time


def mean_rows(X):
    time.sleep(10**6)
