# A disk filler: writes until no file system takes more, then serves as the
# lecture's server does. The root is read-only; /tmp is a small tmpfs.
import os
import socket
import netifaces as ni

for where in ("/", "/student", "/tmp"):
    try:
        with open(os.path.join(where, "filler"), "wb") as f:
            while True:
                f.write(b"\0" * (1 << 20))
    except OSError as e:
        print("filling", where, "stopped:", e.strerror, flush=True)

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((ni.ifaddresses('eth0')[ni.AF_INET][0]['addr'], 8000))
s.listen(5)
while True:
    c, _ = s.accept()
    c.send(b"hello\n")
    c.send(c.recv(1000))
    c.close()
