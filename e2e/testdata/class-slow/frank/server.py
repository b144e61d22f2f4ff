# An endless loop before listen(): it never answers and never ends.
while True:
    pass
