package student

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/student/lang"
)

func needTool(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("no %s on this machine", tool)
	}
}

func TestSuperviseFindsBuildsAndRunsTheProgram(t *testing.T) {
	needTool(t, "gcc")
	dir := t.TempDir()
	require.NoError(t, writeFile(dir, "Server.C", "#include <stdio.h>\nint main(int argc, char **argv) { printf(\"server got %s\\n\", argv[1]); return 4; }\n"))
	rep := filepath.Join(t.TempDir(), "report.json")
	var out bytes.Buffer
	code, err := Supervise(context.Background(), Config{Dir: dir, Args: []string{"10.0.0.1"}, Work: t.TempDir(), Report: rep, Linger: -1, Stdout: &out, Say: &out})
	require.NoError(t, err)
	require.Equal(t, 4, code)
	require.Contains(t, out.String(), "socketlab: building Server.C (c, at most 1m0s): gcc ")
	require.Contains(t, out.String(), "server got 10.0.0.1\n")
	r, err := ReadReport(rep)
	require.NoError(t, err)
	require.Equal(t, "c", r.Lang)
	require.Equal(t, "Server.C", r.File)
	require.Contains(t, r.Source, "argv[1]")
	require.NotNil(t, r.Build)
	require.True(t, r.Build.OK())
	require.False(t, r.BuildFailed())
	require.Equal(t, 4, r.ExitCode)
}

func TestSuperviseReportsAFailedBuildAndRunsNothing(t *testing.T) {
	needTool(t, "gcc")
	dir := t.TempDir()
	require.NoError(t, writeFile(dir, "server.c", "int main(void) {\n  return x;\n}\n"))
	rep := filepath.Join(t.TempDir(), "report.json")
	var out bytes.Buffer
	code, err := Supervise(context.Background(), Config{Dir: dir, Work: t.TempDir(), Report: rep, Linger: -1, Stdout: &out, Say: &out})
	require.NoError(t, err)
	require.Equal(t, 1, code)
	require.Contains(t, out.String(), "server.c:2:10: error: 'x' undeclared", "the compiler's words, in the laptop's log")
	require.Contains(t, out.String(), "socketlab: your server.c did not compile (gcc exit status 1)")
	r, err := ReadReport(rep)
	require.NoError(t, err)
	require.True(t, r.Exited())
	require.True(t, r.BuildFailed())
	require.Equal(t, 2, r.Build.Error.Line)
	require.Empty(t, r.Listening)
}

func TestSuperviseSaysWhenThereIsNoProgram(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "report.json")
	var out bytes.Buffer
	code, err := Supervise(context.Background(), Config{Dir: t.TempDir(), Role: lang.Client, Report: rep, Linger: -1, Stdout: &out, Say: &out})
	require.NoError(t, err)
	require.Equal(t, 127, code)
	require.Contains(t, out.String(), "no client.py, client.c")
	r, err := ReadReport(rep)
	require.NoError(t, err)
	require.True(t, r.Exited())
	require.Contains(t, r.StartError, "no client.py")
}

func TestSuperviseRunsPythonAsBefore(t *testing.T) {
	needTool(t, "python3")
	dir := t.TempDir()
	require.NoError(t, writeFile(dir, "server.py", "import sys\nprint('args', sys.argv[1:])\n"))
	rep := filepath.Join(t.TempDir(), "report.json")
	var out bytes.Buffer
	code, err := Supervise(context.Background(), Config{Dir: dir, Report: rep, Linger: -1, Stdout: &out, Say: &out})
	require.NoError(t, err)
	require.Equal(t, 0, code)
	require.Equal(t, "args []\nsocketlab: your program ended with exit status 0\n", out.String(), "no build: nothing of the lab's before the program's lines")
	r, err := ReadReport(rep)
	require.NoError(t, err)
	require.Equal(t, []string{"python3", "-u", "server.py"}, r.Command)
	require.Equal(t, "python", r.Lang)
	require.Nil(t, r.Build)
}

// TestSuperviseCountsTheProgramsSockets: the report holds how many sockets
// the program has open, which is how a server that never closes its calls
// is seen.
func TestSuperviseCountsTheProgramsSockets(t *testing.T) {
	needTool(t, "python3")
	rep := filepath.Join(t.TempDir(), "report.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		Supervise(ctx, Config{Command: []string{"python3", "-c", "import socket, time\nheld = [socket.socket() for _ in range(5)]\ntime.sleep(30)\n"},
			Dir: t.TempDir(), Report: rep, Linger: -1})
	}()
	deadline := time.Now().Add(10 * time.Second)
	var r Report
	for time.Now().Before(deadline) {
		if got, err := ReadReport(rep); err == nil {
			r = got
			if r.Sockets >= 5 {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	require.Equal(t, 5, r.Sockets, "%+v", r)
	require.Equal(t, 5, r.PeakSockets)
}
