# A syntax error at the end of the file.
def broken(:
    pass
