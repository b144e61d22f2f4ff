package onehost

import (
	"cmp"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/netif"
)

// The one fixture of this package's tests that grade a program on this
// machine: the helper, the programs, and a grade of one of them.

// helperArg makes this test binary the helper (ExecLimited), as "client
// student limits" is in the client.
const helperArg = "-onehost.helper"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == helperArg {
		if err := ExecLimited(os.Args[2:], os.Stderr); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", HelperFailed, err)
			os.Exit(HelperExit)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The servers the tests grade: Python 3 without netifaces (not every
// machine has it), given the address to bind and the port as arguments.
// The lecture's server, and its mistakes, are pyServer's.
var (
	// goodServer serves every call, and first prints its limits and
	// whether it leads its process group.
	goodServer = pyServer{after: `print("uid", os.getuid(), "nproc", resource.getrlimit(resource.RLIMIT_NPROC)[0],
      "as", resource.getrlimit(resource.RLIMIT_AS)[0], "fsize", resource.getrlimit(resource.RLIMIT_FSIZE)[0],
      "nofile", resource.getrlimit(resource.RLIMIT_NOFILE)[0], "pgid", os.getpgid(0) == os.getpid(), flush=True)`}.String()
	// oneCall is the lecture's script in Python 3: one call, then exit.
	oneCall    = pyServer{once: true}.String()
	everywhere = pyServer{bind: `"0.0.0.0"`}.String()
	localhost  = pyServer{bind: `"localhost"`}.String()
	strServer  = pyServer{greet: `"hello\n"`}.String()
)

// pyServer is the lecture's server in Python 3: it binds bind (default
// the address given), says after once it listens, greets with greet
// (default b"hello\n"), echoes one read, and serves every call or once.
type pyServer struct {
	bind, after, greet string
	once               bool
}

func (p pyServer) String() string {
	bind, greet := cmp.Or(p.bind, "sys.argv[1]"), cmp.Or(p.greet, `b"hello\n"`)
	serve := "while True:\n    c, _ = s.accept()\n    c.send(" + greet + ")\n    c.send(c.recv(1000))\n    c.close()\n"
	if p.once {
		serve = "c, _ = s.accept()\nc.send(" + greet + ")\nc.send(c.recv(1000))\nc.close()\n"
	}
	after := ""
	if p.after != "" {
		after = p.after + "\n"
	}
	return "import os, resource, socket, sys\n" +
		"s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n" +
		"s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
		"s.bind((" + bind + ", int(sys.argv[2])))\n" +
		"s.listen(5)\n" + after + serve
}

// Programs that are no server, or worse.
const (
	python2Server = "import socket\nprint 'hello'\n"
	forkBomb      = `import os
while True:
    try:
        os.fork()
    except OSError:
        pass
`
	memoryHog = `hog = []
while True:
    hog.append(bytearray(16 * 1024 * 1024))
`
	// escapes starts a child in a session of its own, which outlives the
	// server's process group, then serves nothing and ends.
	escapes = `import os, time
if os.fork() == 0:
    os.setsid()
    open("/tmp/escaped-%d" % os.getuid(), "w").write("x")
    time.sleep(60)
time.sleep(60)
`
)

// hereTest is one grade of src on this machine, on a free port of its
// eth0 (or first) address.
type hereTest struct {
	t    *testing.T
	cfg  Config
	addr string
}

func newHereTest(t *testing.T, src string) *hereTest {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and no python3 on this machine")
		}
		t.Skip("no python3 here")
	}
	ifs, err := netif.System()
	require.NoError(t, err)
	tgt, err := pickTarget(ifs, "", 8000)
	if err != nil {
		t.Skipf("this machine has no address but loopback: %v", err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(tgt.ip.String(), "0"))
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "server.py"), []byte(src), 0o644))
	h := &hereTest{t: t, addr: net.JoinHostPort(tgt.ip.String(), strconv.Itoa(port))}
	h.cfg = Config{
		Dir: dir, Port: port, Helper: []string{os.Args[0], helperArg},
		Find: func(string) (Program, error) {
			return Program{Command: []string{"python3", "-u", "server.py", tgt.ip.String(), strconv.Itoa(port)}, Dir: ".", File: "server.py"}, nil
		},
		// Room for a loaded CI machine: the program runs at nice 19, and
		// waits end as soon as it listens or answers.
		ListenWait: 15 * time.Second, Timeout: 3 * time.Second, Time: 45 * time.Second,
	}
	return h
}

func (h *hereTest) grade() Result {
	h.t.Helper()
	res, err := Grade(h.t.Context(), h.cfg)
	require.NoError(h.t, err)
	require.True(h.t, res.Graded, "not graded: %s", res.Why)
	h.t.Logf("transcript:\n%s\noutput:\n%s\nverdict:\n%s", res.Transcript, res.Output, res.VerdictText())
	return res
}

func check(r grade.Report, id string) grade.Result {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return grade.Result{}
}
