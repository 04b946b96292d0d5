# Allocates memory without end in mean_rows.


def mean_rows(X):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 2**20))
