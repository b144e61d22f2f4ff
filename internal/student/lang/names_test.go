package lang

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNamesInFindTheStudentsSockets(t *testing.T) {
	tests := []struct {
		name string
		lang Lang
		src  string
		want Names
	}{
		{"the lecture's", Python, "serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n(clientsocket, address) = serversocket.accept()\n", Names{"serversocket", "clientsocket"}},
		{"a tutorial's", Python, "s = socket.socket()\nconn, addr = s.accept()\n", Names{"s", "conn"}},
		{"from socket import", Python, "from socket import *\nsrv = socket(AF_INET, SOCK_STREAM)\n", Names{"srv", "clientsocket"}},
		{"accept()[0]", Python, "c = self.sock.accept()[0]\n", Names{"self.sock", "c"}},
		{"a comment is not code", Python, "# (conn, addr) = s.accept()\n", Names{"serversocket", "clientsocket"}},
		{"none", Python, "", Names{"serversocket", "clientsocket"}},
		{"C", C, "int sock = socket(AF_INET, SOCK_STREAM, 0);\nint client = accept(sock, NULL, NULL);\n", Names{"sock", "client"}},
		{"C++ with ::", CPP, "int c = ::accept(listener, nullptr, nullptr);", Names{"listener", "c"}},
		{"Java", Java, "ServerSocket ss = new ServerSocket(8000, 5, ip);\nSocket client = ss.accept();\n", Names{"ss", "client"}},
		{"Node arrow", Node, "const srv = net.createServer((c) => {\n", Names{"srv", "c"}},
		{"Node function", Node, "var server = net.createServer(function (sock) {\n", Names{"server", "sock"}},
		{"Go", Go, "l, err := net.Listen(\"tcp\", addr)\nc, err := l.Accept()\n", Names{"l", "c"}},
		{"Go, no names", Go, "", Names{"ln", "conn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, NamesIn(tt.lang, tt.src))
		})
	}
}

func TestPhrasesInUseTheStudentsNames(t *testing.T) {
	src := "s = socket.socket()\nconn, addr = s.accept()\n"
	p := PhrasesIn(Python, src)
	require.Equal(t, "conn.close()", p.Close)
	require.Equal(t, `conn.send(b"hello\n")`, p.Greeting)
	require.Contains(t, p.ReuseAddr, "s.setsockopt(")
	require.Equal(t, "clientsocket.close()", PhrasesOf(Python).Close, "the lecture's names without a source")
	require.Equal(t, "close(client)", PhrasesIn(C, "int client = accept(fd, 0, 0);").Close)
}
