package student

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/student/lang"
)

// TestAnEmptyFileIsSaidToBeEmpty: in every language, a file with no code
// is explained as what it is, before anything its ending says.
func TestAnEmptyFileIsSaidToBeEmpty(t *testing.T) {
	tests := []struct {
		name  string
		crash Crash
		says  []string
	}{
		{"python", Crash{Lang: lang.Python, File: "server.py", Role: lang.Server},
			[]string{"your server.py is empty: there is nothing in it to run, so it ended at once, without ever listening", "Did your editor save it?", "bind() it to eth0's address and port 8000"}},
		{"python, comments only", Crash{Lang: lang.Python, File: "server.py", Source: "# my server\n# TODO\n", Role: lang.Server},
			[]string{"your server.py has only comments in it"}},
		{"node", Crash{Lang: lang.Node, File: "server.js", Source: "// nothing yet\n", Role: lang.Server}, []string{"your server.js has only comments in it"}},
		{"java", Crash{Lang: lang.Java, File: "Server.java", ExitCode: 1, Role: lang.Server, Stderr: "Error: Could not find or load main class Server\nCaused by: java.lang.ClassNotFoundException: Server\n"},
			[]string{"your Server.java is empty: java looks in it for the class Server and its main()"}},
		{"a python client", Crash{Lang: lang.Python, File: "client.py", Role: lang.Client}, []string{"your client.py is empty", "Write your client in it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := ExplainCrash(tt.crash)
			require.Equal(t, []string{"empty-file"}, ids(fs))
			for _, s := range tt.says {
				require.Contains(t, fs[0].Says, s)
			}
		})
	}
	// A file whose source the report lacks but that ran and crashed is not
	// called empty: the crash is the cause.
	require.Equal(t, []string{"memory"}, ids(ExplainCrash(Crash{Lang: lang.Python, File: "server.py", ExitCode: 1, Stderr: "MemoryError\n"})))
}

// TestAnEmptyFileThatDidNotBuildIsSaidToBeEmpty: C, C++ and Go refuse an
// empty file at the build; the verdict says it is empty, not the linker's
// words alone.
func TestAnEmptyFileThatDidNotBuildIsSaidToBeEmpty(t *testing.T) {
	tests := []struct {
		name string
		rep  Report
		says string
	}{
		{"c", Report{File: "server.c", Lang: "c", Build: &lang.Result{Lang: lang.C, Error: &lang.CompileError{Message: "undefined reference to `main'"}}},
			"your server.c is empty: a C program starts at main(), and the linker found none (undefined reference to `main')"},
		{"c++", Report{File: "server.cpp", Lang: "c++", Source: "// to do\n", Build: &lang.Result{Lang: lang.CPP, Error: &lang.CompileError{Message: "undefined reference to `main'"}}},
			"your server.cpp has only comments in it: a C++ program starts at main()"},
		{"go", Report{File: "server.go", Lang: "go", Build: &lang.Result{Lang: lang.Go, Error: &lang.CompileError{File: "server.go", Line: 1, Message: "expected 'package', found 'EOF'"}}},
			"your server.go is empty: a Go file starts with package main"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rep.State, tt.rep.ExitCode = StateExited, 1
			fs := buildFindings(tt.rep)
			require.Equal(t, []string{"empty-file"}, ids(fs))
			require.Contains(t, fs[0].Says, tt.says)
		})
	}
	// A C file with code and no main is told it has no main, not that it is empty.
	fs := buildFindings(Report{File: "server.c", Lang: "c", Source: "int mian(void) { return 0; }\n",
		Build: &lang.Result{Lang: lang.C, Error: &lang.CompileError{Message: "undefined reference to `main'"}}})
	require.Equal(t, []string{"compile"}, ids(fs))
	require.Contains(t, fs[0].Says, "your program has no main() function")
}

// TestAServerThatNeverListenedIsToldWhy: what the source shows comes
// first: the listen() it lacks, the function nothing calls, a misspelt
// __main__.
func TestAServerThatNeverListenedIsToldWhy(t *testing.T) {
	tests := []struct {
		name  string
		crash Crash
		id    string
		line  int
		says  string
	}{
		{"accept() without listen() in Python", Crash{Lang: lang.Python, File: "server.py", ExitCode: 1, Source: "import socket\ns = socket.socket()\ns.bind((ip, 8000))\n(c, a) = s.accept()\n",
			Stderr: "Traceback (most recent call last):\n  File \"/student/server.py\", line 4, in <module>\n    (c, a) = s.accept()\n  File \"/usr/lib/python3.11/socket.py\", line 294, in accept\n    fd, addr = self._accept()\nOSError: [Errno 22] Invalid argument\n"},
			"accept-before-listen", 4, "because the socket is not listening: listen() was never called on it. A socket takes calls only once listen() has made it a listening socket. Call s.listen(5) after bind() and before accept()"},
		{"accept() without listen() in C, unchecked", Crash{Lang: lang.C, File: "server.c", Source: "int main(void) {\n  int fd = socket(AF_INET, SOCK_STREAM, 0);\n  bind(fd, (struct sockaddr *)&a, sizeof a);\n  int conn = accept(fd, NULL, NULL);\n}\n"},
			"no-listen", 4, "(it returns -1, and errno is EINVAL, Invalid argument) and nobody can call. Call listen(fd, 5) after bind()"},
		{"accept() without listen() in C, with perror", Crash{Lang: lang.C, File: "server.c", ExitCode: 1, Stderr: "accept: Invalid argument\n", Source: "int main(void) {\n  int s = socket(AF_INET, SOCK_STREAM, 0);\n  bind(s, (struct sockaddr *)&a, sizeof a);\n  int c = accept(s, NULL, NULL);\n  if (c < 0) { perror(\"accept\"); return 1; }\n}\n"},
			"accept-before-listen", 4, "Call listen(s, 5) after bind() and before accept()"},
		{"node without listen()", Crash{Lang: lang.Node, File: "server.js", Source: "const net = require('net');\nconst srv = net.createServer((c) => {\n  c.end('hello\\n');\n});\n"},
			"no-listen", 2, "only listen() starts it listening: without it Node had nothing to wait for and ended at once. Call srv.listen(8000, ip)"},
		{"a def nothing calls", Crash{Lang: lang.Python, File: "server.py", Source: "import socket\n\ndef main():\n    s = socket.socket()\n    s.bind((ip, 8000))\n    s.listen(5)\n    c, a = s.accept()\n"},
			"never-called", 3, "your server is inside def main():, and nothing calls main(), so Python defined the function and ended"},
		{"__name__ == 'main'", Crash{Lang: lang.Python, File: "server.py", Source: "def main():\n    s.listen(5)\n\nif __name__ == 'main':\n    main()\n"},
			"name-main", 4, "Python names the file it runs \"__main__\", with two underscores on each side"},
		{"no socket at all", Crash{Lang: lang.Python, File: "server.py", Source: "print('hello')\n"}, "no-socket", 0, "your server.py makes no socket at all"},
		{"nothing the source shows", Crash{Lang: lang.Python, File: "server.py", Source: "import sys\ns = socket.socket()\ns.bind((ip, 8000))\ns.listen(5)\nsys.exit(0)\n"},
			"never-listened", 0, "your server.py ended (exit status 0) before it ever listened"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.crash.Role = lang.Server
			fs := ExplainCrash(tt.crash)
			require.Len(t, fs, 1)
			require.Equal(t, tt.id, fs[0].ID, fs[0].Says)
			require.Equal(t, tt.line, fs[0].Line, fs[0].Says)
			require.Contains(t, fs[0].Says, tt.says)
		})
	}
	// A def that something calls is not the cause.
	_, ok := notListening(program{lang: lang.Python, file: "server.py", src: "def main():\n    s.listen(5)\n    s.accept()\n\nmain()\n"})
	require.False(t, ok)
}

// TestExplainCrashSaysWhatAFirstYearsTracebackMeans: the Python errors the
// lecture's calls invite, each in the lecture's words.
func TestExplainCrashSaysWhatAFirstYearsTracebackMeans(t *testing.T) {
	tb := func(line int, code, exc string) string {
		return "Traceback (most recent call last):\n  File \"/student/server.py\", line " + itoa(line) + ", in <module>\n    " + code + "\n" + exc + "\n"
	}
	src := "import socket\nserversocket = socket.socket()\nserversocket.bind((ip, 8000))\nserversocket.listen(5)\n(clientsocket, address) = serversocket.accept()\nserversocket.close()\n"
	tests := []struct {
		name   string
		src    string
		stderr string
		id     string
		says   string
	}{
		{"bind(ip, 8000)", src, tb(3, "serversocket.bind(ip, 8000)", "TypeError: socket.bind() takes exactly one argument (2 given)"),
			"bind-two-arguments", "serversocket.bind((ip, 8000)), with two pairs of parentheses"},
		{"the port as text", src, tb(3, "serversocket.bind((ip, '8000'))", "TypeError: 'str' object cannot be interpreted as an integer"),
			"port-string", "the port is a number, 8000, not the text '8000'"},
		{"recv()", src, tb(5, "data = clientsocket.recv()", "TypeError: recv() takes at least 1 argument (0 given)"),
			"recv-no-size", "clientsocket.recv(1000)"},
		{"accept()'s pair", "conn = srv.accept()\n", tb(1, "conn.send(b'hello\\n')", "AttributeError: 'tuple' object has no attribute 'send'"),
			"accept-pair", "(conn, address) = srv.accept()"},
		{"ifaddresses without [0]", "ip = ni.ifaddresses('eth0')[ni.AF_INET]['addr']\n", tb(1, "ip = ...", "TypeError: list indices must be integers or slices, not str"),
			"addresses-list", "take the first with [0]"},
		{"bind to a name", "serversocket.bind(('eth0', 8000))\n", tb(1, "serversocket.bind(('eth0', 8000))", "socket.gaierror: [Errno -3] Temporary failure in name resolution"),
			"address-name", "an interface's name such as 'eth0' is not an address"},
		{"no import", src, tb(2, "ip = ni.ifaddresses('eth0')", "NameError: name 'ni' is not defined"),
			"name-error", "import netifaces as ni"},
		{"the listening socket closed", src, tb(5, "(clientsocket, address) = serversocket.accept()", "OSError: [Errno 9] Bad file descriptor"),
			"closed-socket", "the listening socket, serversocket, was closed earlier: after a call, close the call's socket, clientsocket.close()"},
		{"a caller's reset", src, tb(6, "data = clientsocket.recv(1000)", "ConnectionResetError: [Errno 104] Connection reset by peer"),
			"caller-reset", "the phone line went dead (a reset, RST)"},
		{"a broken pipe", src, tb(6, "clientsocket.send(data)", "BrokenPipeError: [Errno 32] Broken pipe"),
			"caller-reset", "raised BrokenPipeError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := ExplainCrash(Crash{ExitCode: 1, File: "server.py", Source: tt.src, Stderr: tt.stderr, Role: lang.Server})
			require.Len(t, fs, 1)
			require.Equal(t, tt.id, fs[0].ID, fs[0].Says)
			require.Contains(t, fs[0].Says, tt.says)
		})
	}
}

func itoa(n int) string { return sprintf("%d", n) }
