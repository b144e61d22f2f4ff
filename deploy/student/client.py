# client.py: the lecture's call as a program, in Python 3: what telnet does
# for you. Copy it, change it, and run it as laptop-b:
#   just my-client path/to/client.py
# The lab runs it as: python3 -u client.py 172.28.5.10 8000
import socket
import sys

host = sys.argv[1]       # laptop-a's address
port = int(sys.argv[2])  # 8000

clientsocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
clientsocket.connect((host, port))

# The server speaks first: read the greeting
greeting = clientsocket.recv(1000)
print(greeting.decode(), end="")

# Say something (bytes, ending with a newline, as telnet sends it)
clientsocket.sendall(b"hi back atcha\n")

# Read the echo until the server hangs up: recv() returns b"" then
while True:
    data = clientsocket.recv(1000)
    if not data:
        break
    print(data.decode(), end="")

clientsocket.close()
