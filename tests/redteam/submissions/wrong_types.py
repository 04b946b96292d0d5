# Returns a str from add and a list from mean_rows.


def add(a, b):
    return str(a + b)


def mean_rows(X):
    return [float(row.mean()) for row in X]
