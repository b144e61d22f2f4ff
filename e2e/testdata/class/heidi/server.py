# A chatterbox: serves as the lecture's server does, but prints megabytes
# from a second thread all the while.
import socket
import threading
import netifaces as ni


def chatter():
    line = "blah " * 200
    while True:
        print(line, flush=True)


threading.Thread(target=chatter, daemon=True).start()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((ni.ifaddresses('eth0')[ni.AF_INET][0]['addr'], 8000))
s.listen(5)
while True:
    c, _ = s.accept()
    c.send(b"hello\n")
    c.send(c.recv(1000))
    c.close()
