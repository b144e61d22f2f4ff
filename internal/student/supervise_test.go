package student

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSuperviseRelaysOutputAndReportsTheEnd(t *testing.T) {
	dir := t.TempDir()
	rep := filepath.Join(dir, "report.json")
	var out, errOut bytes.Buffer
	code, err := Supervise(context.Background(), Config{
		Command: []string{"sh", "-c", "echo server listening; echo 'ValueError: You must specify a valid interface name.' >&2; exit 3"},
		Dir:     dir, Report: rep, Linger: -1, Stdout: &out, Stderr: &errOut,
	})
	require.NoError(t, err)
	require.Equal(t, 3, code)
	require.Equal(t, "server listening\n", out.String())
	require.Contains(t, errOut.String(), "ValueError")
	require.Contains(t, errOut.String(), "socketlab: your program ended with exit status 3")

	r, err := ReadReport(rep)
	require.NoError(t, err)
	require.Equal(t, StateExited, r.State)
	require.Equal(t, 3, r.ExitCode)
	require.Equal(t, "server listening\n", r.Stdout)
	require.Equal(t, "ValueError: You must specify a valid interface name.\n", r.Stderr)
	require.NotEmpty(t, r.Interfaces)
}

func TestSuperviseReportsAProgramThatCannotStart(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "report.json")
	code, err := Supervise(context.Background(), Config{Command: []string{"no-such-program-here"}, Report: rep, Linger: -1})
	require.NoError(t, err)
	require.Equal(t, 127, code)
	r, err := ReadReport(rep)
	require.NoError(t, err)
	require.True(t, r.Exited())
	require.Contains(t, r.StartError, "executable file not found")
}

func TestSuperviseKeepsTheSourceForHints(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, writeFile(dir, "server.py", "print data\n"))
	rep := filepath.Join(dir, "report.json")
	_, err := Supervise(context.Background(), Config{Command: []string{"sh", "-c", "exit 1", "server.py"}, Dir: dir, Report: rep, Linger: -1})
	require.NoError(t, err)
	r, err := ReadReport(rep)
	require.NoError(t, err)
	require.Equal(t, "server.py", r.File)
	require.Equal(t, "print data\n", r.Source)
}

// A stopped lab (compose stop, Ctrl-C) stops the program at once, and the
// supervisor with it.
func TestSuperviseStopsTheProgramWhenTheLabStops(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Supervise(ctx, Config{Command: []string{"sleep", "30"}, Report: rep})
	require.NoError(t, err)
	require.Less(t, time.Since(start), 5*time.Second)
	r, err := ReadReport(rep)
	require.NoError(t, err)
	require.True(t, r.Exited())
	require.Equal(t, "terminated", r.Signal)
}

// The supervisor stays after the program ends, until the lab stops it:
// compose would otherwise stop the laptop giving the verdict.
func TestSuperviseLingersAfterTheProgramEnds(t *testing.T) {
	start := time.Now()
	code, err := Supervise(context.Background(), Config{Command: []string{"true"}, Linger: 300 * time.Millisecond})
	require.NoError(t, err)
	require.Equal(t, 0, code)
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
}

func TestSuperviseSeesTheProgramListen(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on this machine")
	}
	rep := filepath.Join(t.TempDir(), "report.json")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	// Registered after TempDir's cleanup, so it runs first: the supervisor
	// has stopped writing before the directory goes.
	t.Cleanup(func() { cancel(); <-done })
	var out syncBuffer
	go func() {
		defer close(done)
		Supervise(ctx, Config{Command: []string{py, "-c", "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(5)\nprint('%s:%d' % s.getsockname(), flush=True)\ntime.sleep(10)"},
			Report: rep, Stdout: &out})
	}()
	var r Report
	require.Eventually(t, func() bool {
		r, err = ReadReport(rep)
		return err == nil && r.State == StateListening && out.String() != ""
	}, 20*time.Second, 20*time.Millisecond, "a loaded machine may take seconds to start python3")
	// This test runs in the machine's own network namespace, where other
	// programs listen too; the program's address must be among those seen.
	require.Contains(t, r.Listening, strings.TrimSpace(out.String()))
}

// syncBuffer is a bytes.Buffer safe for the supervisor's relay and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeFile(dir, name, s string) error {
	return writeFileBytes(filepath.Join(dir, name), []byte(s))
}

func writeFileBytes(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }

// TestSuperviseSaysNothingAnswersOnceTheServerHasEnded: the lecture's
// script serves one call and ends; a student who calls it again (telnet
// localhost 8000, the lab kept up) meets a hang-up with no hello. laptop-a's
// log says why, and how to keep answering.
func TestSuperviseSaysNothingAnswersOnceTheServerHasEnded(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on this machine")
	}
	dir := t.TempDir()
	require.NoError(t, writeFile(dir, "server.py", "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(5)\n"+
		"print('%s:%d' % s.getsockname(), flush=True)\ntime.sleep(1)\n"))
	var out syncBuffer
	code, err := Supervise(context.Background(), Config{Command: []string{py, "server.py"}, Dir: dir, Role: "server",
		Linger: -1, Stdout: &out, Say: &out, SayEnded: true})
	require.NoError(t, err)
	require.Equal(t, 0, code)
	addr := strings.SplitN(out.String(), "\n", 2)[0]
	require.Contains(t, out.String(), "socketlab: your program ended with exit status 0\n"+
		"socketlab: your server.py has ended, so nothing answers at "+addr+" now: a call there is refused")
	require.Contains(t, out.String(), "put everything from accept() to close() in a loop, `while True:`.\n")
	require.NotContains(t, out.String(), "telnet", "nothing outside the laptop can call its loopback, lab up or not")
}

// The ended server's note tells of telnet only where a computer could
// call it: on the laptop's own address, not its loopback.
func TestEndedNoteTellsOfTelnetOnlyWhereItCouldCall(t *testing.T) {
	eth0 := endedNote(Report{File: "server.py", Listening: []string{"172.28.5.10:8000"}})
	require.Contains(t, eth0, "nothing answers at 172.28.5.10:8000 now: a call there is refused. (If you keep the lab up, `telnet localhost 8000`")
	lo := endedNote(Report{File: "server.py", Listening: []string{"127.0.0.1:8000"}})
	require.Contains(t, lo, "nothing answers at 127.0.0.1:8000 now: a call there is refused.")
	require.NotContains(t, lo, "telnet")
}
