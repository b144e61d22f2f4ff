# A working lecture server bound to every interface, 0.0.0.0: it answers
# on the lab network and on the side network too.
import socket

serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
serversocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
serversocket.bind(("0.0.0.0", 8000))
print("server listening at 0.0.0.0:8000")
serversocket.listen(5)
while True:
    (clientsocket, address) = serversocket.accept()
    clientsocket.send(b"hello\n")
    data = clientsocket.recv(1000)
    print(data)
    clientsocket.send(data)
    clientsocket.close()
