# server.py: the lecture's server in Python 3, working in the lab. Copy it,
# change it, and run it as laptop-a:  just my-server path/to/server.py
#
# What changed from the lecture's script, and why:
#   - 'eth0', not 'en0': en0 is a Mac's Wi-Fi; Linux and the lab have eth0
#   - b"hello\n", not "hello\n": Python 3 sockets send bytes
#   - print(data), not print data: print is a function in Python 3
#   - a loop around accept(): the lecture's script answers one call and ends
#   - SO_REUSEADDR: a restarted server can bind port 8000 at once
import socket
import netifaces as ni

# Create a server socket
serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
serversocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ip = ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']
print("server listening at "+ip+":8000")
serversocket.bind((ip, 8000)) # wait at port 8000
# Start listening for connections from client
serversocket.listen(5) # 5 is number of clients that can queue up before failure

while True:
    # Wait for connection
    (clientsocket, address) = serversocket.accept()

    # Send a welcome
    clientsocket.send(b"hello\n")

    # Get up to 1000 bytes
    data = clientsocket.recv(1000)
    print(address[0], "said", data)

    # Echo it back to client
    clientsocket.send(data)

    clientsocket.close()
