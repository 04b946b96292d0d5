# Has no add at all.
del add
