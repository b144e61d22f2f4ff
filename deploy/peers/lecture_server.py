"""The lecture's server.py, ported to Python 3 and made to serve more than one
call with socketserver.ThreadingTCPServer (a thread per call). It is a peer to
measure socketlab's server against (deploy/peers/compare.sh), not part of the lab.

    python3 deploy/peers/lecture_server.py 127.0.0.1 8002
"""
import socketserver
import sys


class Lecture(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"hello\n")  # send a welcome
        data = self.request.recv(1000)  # get up to 1000 bytes
        self.request.sendall(data)  # echo it back to the client


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128


if __name__ == "__main__":
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8002
    with Server((host, port), Lecture) as srv:
        print(f"server listening at {host}:{port}", flush=True)
        srv.serve_forever()
