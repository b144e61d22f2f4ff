# The lecture's server in Python 3, serving every caller, on the wrong port.
import socket
import netifaces as ni

serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
serversocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ip = ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']
print("server listening at "+ip+":8001")
serversocket.bind((ip, 8001))
serversocket.listen(5)

while True:
    (clientsocket, address) = serversocket.accept()
    clientsocket.send(b"hello\n")
    data = clientsocket.recv(1000)
    print(data)
    clientsocket.send(data)
    clientsocket.close()
