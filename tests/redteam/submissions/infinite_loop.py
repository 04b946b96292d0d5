# Loops forever in add.


def add(a, b):
    while True:
        pass
