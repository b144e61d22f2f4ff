# A server that answers the phone and then says nothing, for ever.
import socket
import time
import netifaces as ni

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((ni.ifaddresses('eth0')[ni.AF_INET][0]['addr'], 8000))
s.listen(5)
calls = []
while True:
    c, _ = s.accept()
    calls.append(c)
