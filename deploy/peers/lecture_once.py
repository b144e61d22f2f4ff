"""The lecture's server.py (seed/sockets-lecture.md), ported to Python 3 and
otherwise unchanged: it serves ONE call, then exits, as the lecture's script
does. Instead of netifaces, the address comes from the command line:

    python3 deploy/peers/lecture_once.py [IP [PORT]]    # default 127.0.0.1 8000

The port changes: Python 3 sends bytes, not str (b"hello\n"), print is a
function, the received bytes are decoded to be printed as text, and the
first line is flushed so it shows at once even when stdout is a pipe.
Like the original it sets no SO_REUSEADDR, so running it again on the same
port right after a call may fail with "Address already in use" for a minute.
"""
import socket
import sys

ip = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 8000

# Create a serve socket
serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print("server listening at " + ip + ":" + str(port), flush=True)
serversocket.bind((ip, port))  # wait at port 8000
# Start listening for connections from client
serversocket.listen(5)  # 5 is number of clients that can queue up before failure

# Wait for connection
(clientsocket, address) = serversocket.accept()

# Send a welcome
clientsocket.send(b"hello\n")

# Get up to 1000 bytes
data = clientsocket.recv(1000)
print(data.decode(errors="replace"))

# Echo it back to client
clientsocket.send(data)

clientsocket.close()
