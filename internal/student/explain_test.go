package student

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// lectureSource is the lecture's server.py exactly as printed, the e2e
// tests' fixture.
func lectureSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../e2e/testdata/student/lecture/server.py")
	require.NoError(t, err)
	return string(b)
}

// The tracebacks below are what Python 3.11 in the lab's laptop image
// printed for each program (paths as the lab mounts the student's folder).
const (
	tbPython2Print = `  File "/student/server.py", line 21
    print data
    ^^^^^^^^^^
SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?
`
	tbStrSend = `Traceback (most recent call last):
  File "/student/server.py", line 17, in <module>
    clientsocket.send("hello\n")
TypeError: a bytes-like object is required, not 'str'
`
	tbEn0 = `Traceback (most recent call last):
  File "/student/server.py", line 6, in <module>
    ip = ni.ifaddresses('en0')[ni.AF_INET][0]['addr']
         ^^^^^^^^^^^^^^^^^^^^^
ValueError: You must specify a valid interface name.
`
	tbInUse = `Traceback (most recent call last):
  File "/student/server.py", line 3, in <module>
    b = socket.socket(); b.bind(("0.0.0.0", 8000))
                         ^^^^^^^^^^^^^^^^^^^^^^^^^
OSError: [Errno 98] Address already in use
`
	tbNotHere = `Traceback (most recent call last):
  File "/student/server.py", line 3, in <module>
    s.bind(("192.168.0.105", 8000))
OSError: [Errno 99] Cannot assign requested address
`
	tbNoModule = `Traceback (most recent call last):
  File "/student/server.py", line 2, in <module>
    import requests
ModuleNotFoundError: No module named 'requests'
`
	tbPython2Module = `Traceback (most recent call last):
  File "/student/server.py", line 1, in <module>
    import SocketServer
ModuleNotFoundError: No module named 'SocketServer'
`
	tbTab = `  File "/student/server.py", line 4
    return x
TabError: inconsistent use of tabs and spaces in indentation
`
	tbNoFile = `python3: can't open file '/student/sever.py': [Errno 2] No such file or directory
`
	tbRefused = `Traceback (most recent call last):
  File "/student/client.py", line 6, in <module>
    s.connect((host, port))
ConnectionRefusedError: [Errno 111] Connection refused
`
	// A traceback that ends in the library: the line is the student's.
	tbInLibrary = `Traceback (most recent call last):
  File "/student/server.py", line 9, in <module>
    serversocket.bind((ip, 80))
  File "/usr/lib/python3.11/socket.py", line 232, in bind
    return self._sock.bind(addr)
PermissionError: [Errno 13] Permission denied
`
	tbOther = `Traceback (most recent call last):
  File "/student/server.py", line 12, in <module>
    n = int(data)
ValueError: invalid literal for int() with base 10: b'hi back atcha\n'
`
)

func TestExplainCrash(t *testing.T) {
	ifs := []string{"lo 127.0.0.1", "eth0 172.28.5.10", "eth1 172.28.6.10"}
	tests := []struct {
		name     string
		crash    Crash
		id       string
		line     int
		contains []string
	}{
		{"the lecture's print", Crash{ExitCode: 1, Stderr: tbPython2Print, File: "server.py", Source: "LECTURE"},
			"python2-print", 21, []string{"Python 2", "print(data)", "Python 2 throughout"}},
		{"a str sent", Crash{ExitCode: 1, Stderr: tbStrSend, File: "server.py"},
			"str-send", 17, []string{`b"hello\n"`, "bytes"}},
		{"en0", Crash{ExitCode: 1, Stderr: tbEn0, File: "server.py", Source: "ip = ni.ifaddresses('en0')[ni.AF_INET][0]['addr']", Interfaces: ifs},
			"en0", 6, []string{"Mac's Wi-Fi", "eth0", "lo, eth0, eth1"}},
		{"another name", Crash{ExitCode: 1, Stderr: tbEn0, File: "server.py", Source: "ni.ifaddresses(\"wlan0\")", Interfaces: ifs},
			"en0", 6, []string{`"wlan0"`, "ni.ifaddresses('eth0')"}},
		{"address in use", Crash{ExitCode: 1, Stderr: tbInUse, File: "server.py"},
			"address-in-use", 3, []string{"SO_REUSEADDR", "still running"}},
		{"not this laptop's address", Crash{ExitCode: 1, Stderr: tbNotHere, File: "server.py", Interfaces: ifs},
			"address-not-here", 3, []string{"not this laptop's", "172.28.5.10 on eth0"}},
		{"a module not installed", Crash{ExitCode: 1, Stderr: tbNoModule, File: "server.py"},
			"no-module", 2, []string{"requests", "not installed"}},
		{"a Python 2 module", Crash{ExitCode: 1, Stderr: tbPython2Module, File: "server.py"},
			"no-module", 1, []string{"socketserver"}},
		{"tabs", Crash{ExitCode: 1, Stderr: tbTab, File: "server.py"},
			"syntax", 4, []string{"could not read", "TabError"}},
		{"no such file", Crash{ExitCode: 2, Stderr: tbNoFile, File: ""},
			"no-file", 0, []string{"/student/sever.py"}},
		{"a client refused", Crash{ExitCode: 1, Stderr: tbRefused, File: "client.py"},
			"connection-refused", 6, []string{"172.28.5.10", "sys.argv"}},
		{"a port below 1024", Crash{ExitCode: 1, Stderr: tbInLibrary, File: "server.py"},
			"permission-port", 9, []string{"below 1024", "8000"}},
		{"anything else", Crash{ExitCode: 1, Stderr: tbOther, File: "server.py"},
			"crash", 12, []string{"invalid literal"}},
		{"killed", Crash{ExitCode: -1, Signal: "killed"},
			"killed", 0, []string{"memory"}},
		{"silent exit", Crash{ExitCode: 3},
			"exit", 0, []string{"exit status 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.crash.Source == "LECTURE" {
				tt.crash.Source = lectureSource(t)
			}
			fs := ExplainCrash(tt.crash)
			require.Len(t, fs, 1)
			require.Equal(t, tt.id, fs[0].ID, fs[0].Says)
			require.Equal(t, tt.line, fs[0].Line)
			for _, s := range tt.contains {
				require.Contains(t, fs[0].Says, s)
			}
		})
	}
}

func TestExplainCrashSaysNothingOfAGoodEnd(t *testing.T) {
	require.Empty(t, ExplainCrash(Crash{ExitCode: 0, Stderr: "a warning\n"}))
}

func TestSourceHintsFindTheLecturesThreePitfallsAndItsOneCall(t *testing.T) {
	var got []string
	var lines []int
	for _, f := range SourceHints(lectureSource(t)) {
		got = append(got, f.ID)
		lines = append(lines, f.Line)
	}
	require.Equal(t, []string{"en0", "one-call", "str-send", "python2-print"}, got)
	require.Equal(t, []int{6, 14, 17, 21}, lines)
}

func TestSourceHints(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"the starter", "import socket\nwhile True:\n    c, a = s.accept()\n    c.send(b\"hello\\n\")\n    print(data)\n", nil},
		{"en0 in a comment only", "# on a Mac it is en0\nip = ni.ifaddresses('eth0')\n", nil},
		{"every interface", "s.bind(('0.0.0.0', 8000))\n", []string{"all-interfaces"}},
		{"every interface, empty", "s.bind(( '', 8000))\n", []string{"all-interfaces"}},
		{"sendall of a str", "c.sendall('hello\\n')\n", []string{"str-send"}},
		{"print with a name", "print data\n", []string{"python2-print"}},
		{"print assigned is Python 3", "print = log\nprint (x)\n", nil},
		{"socketserver loops itself", "srv.serve_forever()\nx.accept()\n", nil},
		{"localhost", "s.bind(('localhost', 8000))\n", []string{"loopback"}},
		{"str of bytes", "c.send(str(b'hello\\n').encode())\n", []string{"bytes-repr"}},
		{"an f-string of text is fine", "c.sendall(f'hello {name}\\n'.encode())\n", nil},
		{"recv()", "data = c.recv()\n", []string{"recv-no-size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range SourceHints(tt.src) {
				got = append(got, f.ID)
			}
			require.Equal(t, tt.want, got)
		})
	}
}
