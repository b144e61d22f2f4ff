# A fork bomb: every process forks for ever. The lab's process limit stops it.
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
