package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The explanation tests run `just my-server FILE` on a first-year's
// typical mistakes (e2e/testdata/student/py-*, and the other languages'
// in lang_test.go's labs) and read what the verdict says: the mistake as
// what it is, in the lecture's terms, at the student's line.

// firstFinding is the verdict's first explanation: the line after
// "verdict: ...", without its "  - ".
func firstFinding(t *testing.T, log string) string {
	t.Helper()
	_, after, ok := strings.Cut(log, "\nverdict: ")
	require.True(t, ok, "no verdict in:\n%s", log)
	lines := strings.Split(after, "\n")
	require.GreaterOrEqual(t, len(lines), 2, log)
	return strings.TrimPrefix(lines[1], "  - ")
}

// TestMyServerExplainsAFirstYearsMistakesInPython: each mistake the
// lecture invites, in Python, said as what it is, the specific cause first.
func TestMyServerExplainsAFirstYearsMistakesInPython(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir   string
		first string   // the verdict's first explanation starts so
		says  []string // and laptop-b's log says these too
	}{
		{"py-empty", "your server.py is empty: there is nothing in it to run", []string{"Did your editor save it?"}},
		{"py-no-listen", "line 13: accept() failed (OSError: [Errno 22] Invalid argument) because the socket is not listening: listen() was never called on it.",
			[]string{"Call serversocket.listen(5) after bind() and before accept()"}},
		{"py-localhost", "line 10: your server listens on 127.0.0.1:8000: localhost, the address by which your laptop calls itself.",
			[]string{"your partner's laptop calls eth0's address"}},
		{"py-8001", "line 8: your server listens on port 8001, but the lecture's port is 8000", []string{"(connection refused)"}},
		{"py-bytes-text", "", []string{"  - line 18: your greeting is the text b'hello\\n': that is how Python prints bytes, not the bytes themselves."}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			t.Parallel()
			r := runStudentLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/student/"+tt.dir+"/server.py", nil)
			require.Equal(t, exitFail, r.exit)
			if tt.first != "" {
				require.True(t, strings.HasPrefix(firstFinding(t, r.b), tt.first), "first: %q", firstFinding(t, r.b))
			}
			for _, s := range tt.says {
				require.Contains(t, r.b, s)
			}
			require.NotContains(t, r.b, "ended with exit status 0 without ever listening", "the generic words, where the specific cause is known")
		})
	}
}

// TestMyServerRunsTheServerInAFolderNamedForAFile is `just my-server mine`
// with mine a folder: the server in it runs, and laptop-a says which.
func TestMyServerRunsTheServerInAFolderNamedForAFile(t *testing.T) {
	t.Parallel()
	r := runStudentLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/student/py-folder/mine", nil)
	require.Contains(t, r.a, "socketlab: mine is a folder: running the server in it, mine/server.py\n")
	require.Contains(t, r.b, "hello\nhi back atcha\n", "the server in the folder answered")
	require.NotContains(t, r.b, "no file mine")
}

// TestMyServerExplainsAFirstYearsMistakesInEachLanguage: the same
// mistakes in C, C++, Java, Node.js and Go, built in laptop-a, each said in
// its language's words, at the student's line.
func TestMyServerExplainsAFirstYearsMistakesInEachLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file  string
		first string
		says  []string
	}{
		{"cpp-nul/server.cpp", "line 30: your greeting has an extra byte after the newline: a NUL (\\x00), the end of a C string. sizeof(\"hello\\n\") is 7, not 6",
			[]string{`send(conn, "hello\n", 6, 0), or strlen("hello\n") bytes, not sizeof.`}},
		{"c-empty/server.c", "your server.c is empty: a C program starts at main(), and the linker found none (undefined reference to `main').", nil},
		{"c-no-listen/server.c", "line 51: accept() failed with Invalid argument (EINVAL) because the socket is not listening: listen() was never called on it.",
			[]string{"Call listen(fd, 5) after bind() and before accept()"}},
		{"c-echo-loop/server.c", "line 58: your server echoes in a loop for as long as the caller stays on the line, so it never hangs up first", []string{"then close(conn)."}},
		{"node-no-listen/server.js", "line 12: net.createServer() makes a server, but only listen() starts it listening", []string{"server.listen(8000, ip) with ip eth0's"}},
		{"go-localhost/server.go", "line 46: your server listens on 127.0.0.1:8000: localhost, the address by which your laptop calls itself.",
			[]string{`net.Listen("tcp", ip+":8000") with ip eth0's`,
				// True of what happened: it answers, but on the loopback, not where laptop-b called.
				":8000: refused there, while it answers on 127.0.0.1:8000.\n"}},
		{"java-crlf/Server.java", "line 31: your greeting ends with \"\\r\\n\", a Windows line ending", []string{`out.write("hello\n".getBytes()); out.flush()`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			r := runLangLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/student/"+tt.file)
			require.Equal(t, exitFail, r.exit)
			require.True(t, strings.HasPrefix(firstFinding(t, r.b), tt.first), "first: %q", firstFinding(t, r.b))
			for _, s := range tt.says {
				require.Contains(t, r.b, s)
			}
		})
	}
}
