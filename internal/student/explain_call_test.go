package student

import (
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
)

// labIfs are the laptop's interfaces as the lab's supervisor reports them.
var labIfs = []string{"lo 127.0.0.1", "eth0 172.28.5.10", "eth1 172.28.6.10"}

// TestExplainCallSaysWhereTheServerListens: a server the caller cannot
// reach is told why, specifically, in its own language, at its line.
func TestExplainCallSaysWhereTheServerListens(t *testing.T) {
	const pyBind = "import socket\nserversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\nserversocket.bind((%s))\nserversocket.listen(5)\n"
	tests := []struct {
		name      string
		lang      string
		src       string
		listening string
		id        string
		line      int
		says      []string
	}{
		{"localhost", "python", sprintf(pyBind, "'localhost', 8000"), "127.0.0.1:8000", "loopback", 3,
			[]string{"your server listens on 127.0.0.1:8000: localhost, the address by which your laptop calls itself",
				"your partner's laptop calls eth0's address, 172.28.5.10, and is refused", "serversocket.bind((ip, 8000)) with ip = ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']"}},
		{"127.0.0.1 in C", "c", "int fd = socket(AF_INET, SOCK_STREAM, 0);\naddr.sin_port = htons(8000);\naddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);\n", "127.0.0.1:8000", "loopback", 3,
			[]string{"localhost", "getifaddrs()"}},
		{"localhost in Go", "go", "package main\n\nln, err := net.Listen(\"tcp\", \"localhost:8000\")\n", "127.0.0.1:8000", "loopback", 3, []string{`net.Listen("tcp", ip+":8000") with ip eth0's: net.InterfaceByName("eth0")`}},
		{"port 8001", "python", sprintf(pyBind, "ip, 8001"), "172.28.5.10:8001", "wrong-port", 3,
			[]string{"your server listens on port 8001, but the lecture's port is 8000", "finds nobody there (connection refused)", "Bind port 8000"}},
		{"no bind", "python", "import socket\nserversocket = socket.socket()\nserversocket.listen(5)\n", "0.0.0.0:39421", "no-bind", 3,
			[]string{"a port the system picked at random", "listen() was called without bind() first", "serversocket.bind((ip, 8000))"}},
		{"the other network", "python", sprintf(pyBind, "ni.ifaddresses('eth1')[ni.AF_INET][0]['addr'], 8000"), "172.28.6.10:8000", "other-address", 3,
			[]string{"the address of eth1, your laptop's other network", "calls eth0's address, 172.28.5.10"}},
		{"every interface", "python", sprintf(pyBind, "'0.0.0.0', 8000"), "0.0.0.0:8000", "all-interfaces", 3,
			[]string{"on every network your laptop is on (lo: the laptop talking to itself; eth0: the lab's network, where your partner is; eth1: another network your laptop is on)",
				"binding one interface's address is the lecture's exercise", "Bind eth0's address: serversocket.bind((ip, 8000))"}},
		{"htons", "c", "int fd = socket(AF_INET, SOCK_STREAM, 0);\n\naddr.sin_port = 8000;\n", "172.28.5.10:16415", "no-htons", 3,
			[]string{"16415 is 8000 with its two bytes swapped", "htons(8000)"}},
		{"the student's own names", "python", "import socket\nsrv = socket.socket()\nsrv.bind(('localhost', 8000))\n", "127.0.0.1:8000", "loopback", 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Verdict{Report: Report{State: StateListening, Lang: tt.lang, File: "server." + ext(tt.lang), Source: tt.src, Listening: []string{tt.listening}, Interfaces: labIfs},
				Call: Call{DialErr: errRefused}}
			fs := explainCall(v, CheckConfig{Addr: "172.28.5.10:8000"})
			require.NotEmpty(t, fs)
			require.Equal(t, tt.id, fs[0].ID, fs[0].Says)
			require.Equal(t, tt.line, fs[0].Line, fs[0].Says)
			for _, s := range tt.says {
				require.Contains(t, fs[0].Says, s)
			}
			require.NotContains(t, fs[0].Says, "laptop-b", "the caller is the student's partner, not the lab's name for it")
		})
	}
}

// TestExplainCallExplainsTheGreetingAfterOneCall: the lecture's one-call
// script is told what was wrong with what it said, from the one call.
func TestExplainCallExplainsTheGreetingAfterOneCall(t *testing.T) {
	src := "(conn, addr) = s.accept()\nconn.send(b\"Hello\\n\")\n"
	v := Verdict{Report: Report{State: StateExited, Lang: "python", File: "server.py", Source: src},
		Call: Call{Greeting: []byte("Hello\n"), Reply: Message, End: "closed"}}
	fs := explainCall(v, CheckConfig{Addr: "172.28.5.10:8000"})
	require.Equal(t, []string{"greeting-case"}, ids(fs))
	require.Equal(t, 2, fs[0].Line)
	require.Contains(t, fs[0].Says, `conn.send(b"hello\n")`, "the student's own name for the call's socket")
}

// TestWordNotesExplainResetAndEmptyReadOnce: the words of the lines above
// that the lecture does not use are explained once, in its terms.
func TestWordNotesExplainResetAndEmptyReadOnce(t *testing.T) {
	g := &grade.Report{Checks: []grade.Result{
		{ID: "echo-3000", Status: grade.Warn, Reason: "the first 1000 came back, then a reset: 2000 were left unread."},
		{ID: "hangs-up", Status: grade.Warn, Reason: "it ended the call with a reset instead of a clean close."},
	}}
	v := Verdict{Report: Report{State: StateListening, Lang: "python", Stdout: "172.28.5.20 said b'hi back atcha\\n'\n172.28.5.20 said b''\n"}, Grade: g}
	fs := wordNotes(v)
	require.Equal(t, []string{"note-reset", "note-empty-read"}, ids(fs))
	require.Contains(t, fs[0].Says, "the phone line goes dead")
	require.Contains(t, fs[1].Says, "recv() returns b'' when the caller hangs up")

	quiet := Verdict{Report: Report{State: StateListening, Lang: "python", Stdout: "said b'hi'\n"},
		Grade: &grade.Report{Checks: []grade.Result{{ID: "hangs-up", Status: grade.Skip, Reason: "not checked: no reset seen"}}}}
	require.Empty(t, wordNotes(quiet), "a check that did not run says nothing; b'hi' is no empty read")
	require.Empty(t, wordNotes(Verdict{Report: Report{Lang: "c", Stdout: "said b''\n"}}), "b'' is Python's word")
}

// TestWordNotesSayTheHostnameIsNotEth0Everywhere: a Python server that
// binds gethostbyname(gethostname()) passes in the lab, and is told (a
// note, never points) that many Linux laptops map the name to 127.0.1.1.
func TestWordNotesSayTheHostnameIsNotEth0Everywhere(t *testing.T) {
	src := "import socket\n# not gethostbyname(gethostname()) here\nip = socket.gethostbyname(socket.gethostname())\n"
	fs := wordNotes(Verdict{Report: Report{State: StateListening, Lang: "python", Source: src}})
	require.Equal(t, []string{"note-hostname"}, ids(fs))
	require.Equal(t, 3, fs[0].Line)
	require.Contains(t, fs[0].Says, "127.0.1.1")
	require.Empty(t, wordNotes(Verdict{Report: Report{Lang: "python", Source: "# gethostbyname(gethostname())\n"}}), "a comment is no code")
}

// TestAFailedEchoOfACrashedServerPointsAtTheCrash: a server that read the
// line and then crashed (a NameError after recv()) is not told to send the
// bytes back, which its file does: the fix points at the error.
func TestAFailedEchoOfACrashedServerPointsAtTheCrash(t *testing.T) {
	echo := grade.Result{ID: "echo", Status: grade.Fail, Reason: "nothing came back: it hung up.",
		Fix: "send back exactly the bytes recv() returned: conn.send(data)."}
	src := "(clientsocket, address) = serversocket.accept()\ndata = clientsocket.recv(1000)\nprint(date)\nclientsocket.send(data)\n"
	crashed := Report{State: StateExited, ExitCode: 1, Lang: "python", Source: src}
	require.Contains(t, withFix(crashed, echo).Fix, "crashed before it sent anything back")
	require.NotContains(t, withFix(crashed, echo).Fix, "send(data)")
	running := Report{State: StateListening, Lang: "python", Source: src}
	require.Equal(t, "send back exactly the bytes recv() returned: clientsocket.send(data).", withFix(running, echo).Fix)
}

// TestExplainCallSaysAPythonServerNeverCloses: Python closes a call's
// socket when the next accept() takes its name, so a loop without close()
// leaves each caller waiting.
func TestExplainCallSaysAPythonServerNeverCloses(t *testing.T) {
	g := &grade.Report{Checks: []grade.Result{{ID: "hangs-up", Status: grade.Fail, Reason: "the line was still open 2s after the echo."}}}
	loop := "while True:\n    (clientsocket, address) = serversocket.accept()\n    clientsocket.send(b\"hello\\n\")\n    clientsocket.send(clientsocket.recv(1000))\n"
	v := Verdict{Report: Report{State: StateListening, Lang: "python", Source: loop}, Grade: g, Call: Call{Greeting: []byte("hello\n"), Reply: Message, End: "open"}}
	fs := explainCall(v, CheckConfig{Addr: "172.28.5.10:8000"})
	require.Equal(t, []string{"never-closed"}, ids(fs))
	require.Equal(t, 2, fs[0].Line)
	require.Contains(t, fs[0].Says, "clientsocket.close()")

	v.Report.Source += "    clientsocket.close()\n"
	require.Empty(t, explainCall(v, CheckConfig{Addr: "172.28.5.10:8000"}), "a server that closes is not told it never does")
}

func ext(l string) string {
	return map[string]string{"python": "py", "c": "c", "go": "go", "java": "java", "node": "js"}[l]
}

// errRefused is a call nobody picked up.
var errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
