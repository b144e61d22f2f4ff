# A correct server that first looks for a way out: it prints its routes
# (/proc/net/route) and sends nothing anywhere. In a class lab there must
# be no default route.
import socket
import netifaces as ni

with open("/proc/net/route") as f:
    routes = [line.split() for line in f.readlines()[1:]]
default = [r for r in routes if r[1] == "00000000"]
print("routes:", len(routes), "default routes:", len(default), flush=True)

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((ni.ifaddresses('eth0')[ni.AF_INET][0]['addr'], 8000))
s.listen(5)
while True:
    c, _ = s.accept()
    c.send(b"hello\n")
    c.send(c.recv(1000))
    c.close()
