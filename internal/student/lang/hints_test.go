package lang

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// testdata is the e2e suite's student programs, which these hints are for.
func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "e2e", "testdata", "student", name))
	require.NoError(t, err)
	return string(b)
}

func TestHintsFindEachLanguagesMistakesAtTheirLines(t *testing.T) {
	type want struct {
		id   string
		line int
		says string
	}
	tests := []struct {
		file string
		want []want
	}{
		{"c-good/server.c", nil},
		{"c-htons/server.c", []want{{"no-htons", 31, "8000 (0x1F40) is taken backwards, as port 16415"}}},
		{"c-beej/server.c", []want{
			{"all-interfaces", 44, "getaddrinfo(NULL, ...) with AI_PASSIVE"},
			{"sizeof-send", 94, "sends sizeof(buf), the whole buffer"},
			{"no-nul", 92, "buf is used as a string, but recv() does not end what it read with a NUL byte"},
		}},
		{"cpp-good/server.cpp", nil},
		{"cpp-leak/server.cpp", []want{{"never-closed", 57, "the call's socket, conn, is never closed"}}},
		{"java-good/Server.java", nil},
		{"java-buggy/Server.java", []want{
			{"all-interfaces", 12, "new ServerSocket(8000) binds every interface"},
			{"no-flush", 16, "this writer keeps what you write until it is flushed"},
			{"readline", 19, "readLine() waits for a newline"},
		}},
		{"node-good/server.js", nil},
		{"node-buggy/server.js", []want{
			{"data-events", 6, "a 'data' event is not one message"},
			{"all-interfaces", 13, "listen(8000) with no host listens on every interface, IPv6's ::"},
		}},
		{"go-good/server.go", nil},
		{"go-buggy/server.go", []want{
			{"all-interfaces", 10, `":8000" (no address before the colon) listens on every interface`},
			{"defer-in-loop", 20, "defer in the accept loop runs only when the function returns"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			hs := Hints(Of(tt.file), testdata(t, tt.file))
			var got []want
			for _, h := range hs {
				got = append(got, want{h.ID, h.Line, ""})
			}
			var ids []want
			for _, w := range tt.want {
				ids = append(ids, want{w.id, w.line, ""})
			}
			require.ElementsMatch(t, ids, got, "%+v", hs)
			for _, w := range tt.want {
				for _, h := range hs {
					if h.ID == w.id {
						require.Contains(t, h.Says, w.says)
					}
				}
			}
		})
	}
}

func TestHintsSmallCases(t *testing.T) {
	tests := []struct {
		name string
		lang Lang
		src  string
		id   string
		line int
	}{
		{"unchecked bind", C, "int main() {\n  bind(fd, (struct sockaddr *)&a, sizeof a);\n  listen(fd, 5);\n}\n", "unchecked-bind", 2},
		{"INADDR_ANY", C, "a.sin_addr.s_addr = htonl(INADDR_ANY);\n", "all-interfaces", 1},
		{"a comment is not code", C, "// a.sin_port = 8000; INADDR_ANY\na.sin_port = htons(8000);\n", "", 0},
		{"en0", C, "x;\nif (strcmp(i->ifa_name, \"en0\") == 0) {}\n", "en0", 2},
		{"one call", C, "int main() {\n  int c = accept(fd, 0, 0);\n  close(c);\n}\n", "one-call", 2},
		{"java InetSocketAddress", Java, "ServerSocket s = new ServerSocket();\ns.bind(new InetSocketAddress(8000));\n", "all-interfaces", 2},
		{"java never closed", Java, "while (true) {\n  Socket c = server.accept();\n  c.getOutputStream().write(1);\n}\n", "never-closed", 2},
		{"node object without host", Node, "const net = require('net');\nnet.createServer((s) => s.end('hello\\n')).listen({ port: 8000 });\n", "all-interfaces", 2},
		{"node object with host", Node, "server.listen({ port: 8000, host: ip });\n", "", 0},
		{"node on 0.0.0.0", Node, "server.listen(8000, '0.0.0.0', () => {});\n", "all-interfaces", 1},
		{"node listen split over lines", Node, "server.listen(\n  8000,\n  () => console.log('up'),\n);\n", "all-interfaces", 1},
		{"go never closed", Go, "for {\n\tc, _ := ln.Accept()\n\tc.Write([]byte(\"hello\\n\"))\n}\n", "never-closed", 2},
		{"go whole buffer", Go, "buf := make([]byte, 1000)\nconn.Read(buf)\nconn.Write(buf)\n", "sizeof-send", 3},
		{"java whole buffer", Java, "byte[] buf = new byte[1000];\nint n = in.read(buf);\nout.write(buf);\n", "sizeof-send", 3},
		{"c echo loop", C, "for (;;) {\n  int c = accept(fd, 0, 0);\n  while ((n = recv(c, buf, sizeof buf, 0)) > 0) send(c, buf, n, 0);\n  close(c);\n}\n", "echo-loop", 3},
		{"node pipe", Node, "net.createServer((s) => {\n  s.write('hello\\n');\n  s.pipe(s);\n}).listen(8000, ip);\n", "echo-loop", 3},
		{"go io.Copy", Go, "for {\n\tc, _ := ln.Accept()\n\tgo func() { defer c.Close(); io.Copy(c, c) }()\n}\n", "echo-loop", 3},
		{"go ReadString", Go, "for {\n\tc, _ := ln.Accept()\n\tline, _ := bufio.NewReader(c).ReadString('\\n')\n\tc.Write([]byte(line))\n\tc.Close()\n}\n", "read-line", 3},
		{"java read loop", Java, "while (true) {\n  try (Socket s = server.accept()) {\n    while ((n = in.read(buf)) != -1) out.write(buf, 0, n);\n  }\n}\n", "echo-loop", 3},
		{"node destroy on a timeout is no mistake", Node, "server.listen(8000, ip);\nsocket.setTimeout(30000, () => socket.destroy());\nsocket.end();\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := Hints(tt.lang, tt.src)
			if tt.id == "" {
				require.Empty(t, hs)
				return
			}
			require.NotEmpty(t, hs)
			require.Equal(t, tt.id, hs[0].ID, "%+v", hs)
			require.Equal(t, tt.line, hs[0].Line)
		})
	}
}

func TestHintsLeaveAWriterThatSendsAlone(t *testing.T) {
	for name, src := range map[string]string{
		"autoflush println": "PrintWriter out = new PrintWriter(s.getOutputStream(), true);\nout.println(\"hello\");\n",
		"flushed":           "PrintWriter out = new PrintWriter(s.getOutputStream());\nout.print(\"hello\\n\");\nout.flush();\n",
		"PrintStream":       "PrintStream out = new PrintStream(s.getOutputStream());\nout.print(\"hello\\n\");\n",
	} {
		for _, h := range Hints(Java, src) {
			require.NotEqual(t, "no-flush", h.ID, name)
		}
	}
	hs := Hints(Java, "PrintWriter out = new PrintWriter(s.getOutputStream(), true);\nout.print(\"hello\\n\");\n")
	require.Equal(t, "no-flush", hs[0].ID, "autoflush does not flush print")
}
