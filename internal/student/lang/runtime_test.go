package lang

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExplainReadsEachRuntimesErrors(t *testing.T) {
	cSrc := "int main(void) {\n  int fd = socket(AF_INET, SOCK_STREAM, 0);\n  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror(\"bind\"); return 1; }\n}\n"
	tests := []struct {
		name string
		e    Ending
		id   string
		line int
		says string
	}{
		{"perror bind", Ending{Lang: C, ExitCode: 1, Stderr: "bind: Address already in use\n", File: "server.c", Source: cSrc},
			"address-in-use", 3, "int one = 1; setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one)"},
		{"java BindException", Ending{Lang: Java, ExitCode: 1, File: "Server.java", Stderr: "Exception in thread \"main\" java.net.BindException: Address already in use\n" +
			"\tat java.base/sun.nio.ch.Net.bind0(Native Method)\n\tat java.base/java.net.ServerSocket.bind(ServerSocket.java:391)\n" +
			"\tat java.base/java.net.ServerSocket.<init>(ServerSocket.java:278)\n\tat Server.main(Server.java:12)\n"},
			"address-in-use", 12, "server.setReuseAddress(true)"},
		{"node EADDRINUSE", Ending{Lang: Node, ExitCode: 1, File: "server.js", Source: "const net = require('net');\nconst s = net.createServer();\ns.listen(8000, ip);\n",
			Stderr: "node:events:495\n      throw er; // Unhandled 'error' event\n      ^\n\nError: listen EADDRINUSE: address already in use 10.0.0.1:8000\n" +
				"    at Server.setupListenHandle [as _listen2] (node:net:1817:16)\n    at listenInCluster (node:net:1865:12)\n"},
			"address-in-use", 3, "port 8000 is already taken"},
		{"go bind", Ending{Lang: Go, ExitCode: 1, File: "server.go", Source: "package main\n\nfunc main() {\n\tln, err := net.Listen(\"tcp\", addr)\n}\n",
			Stderr: "2026/12/01 22:00:00 listen tcp 10.0.0.1:8000: bind: address already in use\n"},
			"address-in-use", 4, "Go sets SO_REUSEADDR"},
		{"go not here", Ending{Lang: Go, ExitCode: 1, Stderr: "listen tcp 192.168.0.105:8000: bind: cannot assign requested address\n", Interfaces: []string{"lo 127.0.0.1", "eth0 10.0.0.10"}},
			"address-not-here", 0, "this laptop has 10.0.0.10 on eth0"},
		{"go panic", Ending{Lang: Go, ExitCode: 2, File: "server.go", Stderr: "panic: runtime error: index out of range [1] with length 1\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/socketlab-build/src/server.go:9 +0x1d\n"},
			"panic", 9, "index out of range"},
		{"java no class", Ending{Lang: Java, ExitCode: 1, Stderr: "Error: Could not find or load main class Server\nCaused by: java.lang.ClassNotFoundException: Server\n"},
			"no-main-class", 0, "public class Server in Server.java"},
		{"java refused", Ending{Lang: Java, ExitCode: 1, Role: Client, File: "Client.java", Stderr: "Exception in thread \"main\" java.net.ConnectException: Connection refused\n\tat Client.main(Client.java:7)\n"},
			"connection-refused", 7, "args[0] and args[1]"},
		{"java other exception", Ending{Lang: Java, ExitCode: 1, File: "Server.java", Stderr: "Exception in thread \"main\" java.lang.NullPointerException: Cannot invoke \"String.length()\"\n\tat Server.main(Server.java:20)\n"},
			"exception", 20, "java.lang.NullPointerException"},
		{"node module", Ending{Lang: Node, ExitCode: 1, Stderr: "Error: Cannot find module 'express'\nRequire stack:\n- /student/server.js\n"},
			"no-module", 0, "requires express"},
		{"segfault", Ending{Lang: C, ExitCode: -1, Signal: "segmentation fault"}, "segfault", 0, "argv[1] read when the lab passes no argument"},
		{"killed", Ending{Lang: Java, ExitCode: -1, Signal: "killed"}, "killed", 0, "the lab's laptop gives java (512m)"},
		{"usage", Ending{Lang: C, ExitCode: 1, Stderr: "Usage: ./server PORT\n"}, "usage", 0, "STUDENT_ARGS"},
		{"silent exit", Ending{Lang: C, ExitCode: 3}, "exit", 0, "exit status 3 and printed nothing"},
		{"accept before listen", Ending{Lang: CPP, ExitCode: 1, File: "server.cpp", Stderr: "accept: Invalid argument\n",
			Source: "int main() {\n  int ls = socket(AF_INET, SOCK_STREAM, 0);\n  bind(ls, (sockaddr *)&a, sizeof a);\n  int c = accept(ls, nullptr, nullptr);\n}\n"},
			"accept-before-listen", 4, "Call listen(ls, 5) after bind() and before accept()"},
		{"SIGPIPE", Ending{Lang: C, ExitCode: -1, Signal: "broken pipe", Source: "int client = accept(fd, 0, 0);\n"},
			"sigpipe", 0, "signal(SIGPIPE, SIG_IGN) (#include <signal.h>), or send with MSG_NOSIGNAL, send(client, buf, n, MSG_NOSIGNAL)"},
		{"a reset ends a Java server", Ending{Lang: Java, ExitCode: 1, File: "Server.java", Source: "Socket client = ss.accept();\n",
			Stderr: "Exception in thread \"main\" java.net.SocketException: Connection reset\n\tat Server.main(Server.java:14)\n"},
			"caller-reset", 14, "catch the IOException around each call (try { ... } catch (IOException e) { ... }) and close that socket, client.close()"},
		{"a reset ends a Node server", Ending{Lang: Node, ExitCode: 1, File: "server.js", Source: "net.createServer((sock) => {\n",
			Stderr: "node:events:497\n      throw er; // Unhandled 'error' event\n\nError: read ECONNRESET\n    at TCP.onStreamRead (node:internal/stream_base_commons:218:20)\n"},
			"caller-reset", 0, "sock.on('error', () => sock.destroy())"},
		{"log.Fatal on a reset ends a Go server", Ending{Lang: Go, ExitCode: 1, File: "server.go", Source: "c, err := ln.Accept()\n",
			Stderr: "2026/01/02 10:00:00 read tcp 172.28.5.10:8000->172.28.5.20:41234: read: connection reset by peer\n"},
			"caller-reset", 0, "when c.Read or Write returns an error, c.Close() and return from that call: log.Fatal and panic end the whole server"},
		{"a reset ends a client", Ending{Lang: Go, ExitCode: 1, Role: Client, Stderr: "read: connection reset by peer\n"},
			"caller-reset", 0, "your client stopped because the server hung up abruptly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Explain(tt.e)
			require.True(t, ok)
			require.Equal(t, tt.id, got.ID, got.Says)
			require.Equal(t, tt.line, got.Line)
			require.Contains(t, got.Says, tt.says)
		})
	}
}

func TestExplainSaysNothingOfAGoodEnd(t *testing.T) {
	_, ok := Explain(Ending{Lang: C, ExitCode: 0, Stdout: "usage: nothing wrong\n"})
	require.False(t, ok)
}

func TestGraderFixInEachLanguage(t *testing.T) {
	for _, tt := range []struct {
		lang      Lang
		src       string
		fix, want string
	}{
		{Python, "", "one silent caller blocks everyone: conn.settimeout(), or a thread per caller.",
			"one silent caller blocks everyone: clientsocket.settimeout(1) before recv(), closing the call when it times out, or a thread per caller."},
		{Python, "conn, addr = s.accept()\n", "read once: conn.recv(1000).", "read once: conn.recv(1000)."},
		{Python, "(c, a) = srv.accept()\n", "send back exactly the bytes recv() returned: conn.send(data).", "send back exactly the bytes recv() returned: c.send(data)."},
		{C, "", `send b"hello\n" right after accept(), before recv().`, `send "hello\n" (6 bytes) right after accept(), before recv().`},
		{C, "int client = accept(sock, NULL, NULL);", "read up to 1000 bytes at once: conn.recv(1000).", "read up to 1000 bytes at once: recv(client, buf, 1000, 0)."},
		{Java, "", "one silent caller blocks everyone: conn.settimeout(), or a thread per caller.", "one silent caller blocks everyone: s.setSoTimeout(2000), or a thread per caller."},
		{Java, "Socket client = ss.accept();", "one silent caller blocks everyone: conn.settimeout(), or a thread per caller.", "one silent caller blocks everyone: client.setSoTimeout(2000), or a thread per caller."},
		{Go, "", "send back exactly the bytes recv() returned: conn.send(data).", "send back exactly the bytes Read() returned: conn.Write(buf[:n])."},
		{Go, "c, err := l.Accept()", "send back exactly the bytes recv() returned: conn.send(data).", "send back exactly the bytes Read() returned: c.Write(buf[:n])."},
		{Node, "", "the lecture reads up to 1000: conn.recv(1000).", "the lecture reads up to 1000: the first 'data' event, data.subarray(0, 1000)."},
		{Node, "const srv = net.createServer((c) => {", "loop around accept() to serve every caller.", "keep the server listening: no srv.close() after a call."},
		{Node, "const server = net.createServer((socket) => {", "call close() after the echo, or the caller waits forever.",
			"call socket.end() after socket.write(data), or the caller waits forever."},
		{C, "int client = accept(sock, NULL, NULL);", "call close() after the echo, or the caller waits forever.", "call close(client) after the echo, or the caller waits forever."},
	} {
		require.Equal(t, tt.want, GraderFixIn(tt.lang, tt.src, tt.fix), "%s %q", tt.lang, tt.src)
	}
}
