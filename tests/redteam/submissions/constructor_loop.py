# Loops forever in the constructor of Tally, which every test of part 4 builds with the same argument.


class Tally:
    def __init__(self, start):
        while True:
            pass
