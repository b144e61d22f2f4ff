# A rude client: it calls and hangs up before the greeting.
import socket
import sys

s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.close()
