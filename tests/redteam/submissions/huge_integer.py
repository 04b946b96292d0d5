# Returns 10**400 from add: an integer no float or 64-bit integer can hold.


def add(a, b):
    return 10**400
