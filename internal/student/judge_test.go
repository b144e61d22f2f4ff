package student

import (
	"bytes"
	"context"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/labtest"
)

// judgeCaller runs the judge on 127.0.0.1 and, once it is ready, the
// caller; the report, if any, is written as the caller's program ends.
func judgeCaller(t *testing.T, caller func(addr string), rep *Report) (ClientVerdict, string) {
	t.Helper()
	dir := t.TempDir()
	ready, reportPath := filepath.Join(dir, "ready"), filepath.Join(dir, "laptop-b.json")
	if rep == nil {
		reportPath = ""
	}
	// A free port: the judge listens there next.
	addr := labtest.ClosedAddr(t)
	go func() {
		if err := waitFile(context.Background(), ready, 5*time.Second); err != nil {
			return
		}
		caller(addr)
		if rep != nil {
			WriteReport(reportPath, *rep)
		}
	}()
	var out bytes.Buffer
	v, err := Judge(context.Background(), JudgeConfig{Addr: addr, Report: reportPath, Ready: ready,
		CallWait: 3 * time.Second, Timeout: 500 * time.Millisecond, Out: &out})
	require.NoError(t, err)
	return v, out.String()
}

// lectureClient is the starter client.py: read the greeting, send a line,
// read the echo until the server hangs up, close.
func lectureClient(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer c.Close()
	b := make([]byte, 1000)
	c.Read(b)
	io.WriteString(c, "hi back atcha\n")
	io.ReadAll(c)
}

// rudeClient hangs up before the greeting: its kernel still holds the
// unread "hello\n", so the hang-up is a reset.
func rudeClient(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	time.Sleep(50 * time.Millisecond) // the greeting arrives, unread
	c.Close()
}

// hangUpAtOnce closes before the greeting can arrive: its FIN comes first,
// and the greeting, arriving at a closed socket, is answered with RST.
func hangUpAtOnce(addr string) {
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
	}
}

// sendAndGo sends its line and hangs up without reading the echo.
func sendAndGo(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	io.WriteString(c, "hi back atcha\n")
	time.Sleep(50 * time.Millisecond)
	c.Close()
}

// staysOn reads everything but never hangs up itself.
func staysOn(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer c.Close()
	b := make([]byte, 1000)
	c.Read(b)
	io.WriteString(c, "hi back atcha\n")
	time.Sleep(time.Second)
}

func TestJudgePassesTheLecturesCall(t *testing.T) {
	v, out := judgeCaller(t, lectureClient, &Report{State: StateExited, File: "client.py", Stdout: "hello\nhi back atcha\n"})
	require.True(t, v.Passed, out)
	require.Contains(t, out, "server listening at 127.0.0.1:")
	require.Regexp(t, `call from 127\.0\.0\.1:\d+: said "hi back atcha\\n" \(14 bytes\), echoed it, caller hung up`, out)
	require.Contains(t, out, "PASS  read the echo to the end and hung up\nPASS  ended with exit status 0\n")
	require.Contains(t, out, "verdict: PASS: your client.py made the lecture's call")
}

func TestJudgeSaysWhatAClientGotWrong(t *testing.T) {
	tests := []struct {
		name   string
		caller func(string)
		rep    *Report
		want   string
		step   string
	}{
		{"hangs up before the greeting", rudeClient,
			&Report{State: StateExited, File: "rude.py"}, "rude", "FAIL  read the greeting: it hung up before reading"},
		{"hangs up at once", hangUpAtOnce, &Report{State: StateExited, File: "rude.py"}, "rude", "FAIL  read the greeting: it hung up before reading"},
		{"does not read the echo", sendAndGo, nil, "no-echo-read", "FAIL  read the echo: it hung up before reading all of it"},
		{"never hangs up", staysOn, nil, "no-hangup", "FAIL  hung up: it was still on the line"},
		{"crashes after the call", lectureClient, &Report{State: StateExited, ExitCode: 1, File: "client.py", Stderr: tbOther}, "crash", "FAIL  ended with exit status 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, out := judgeCaller(t, tt.caller, tt.rep)
			require.False(t, v.Passed, out)
			require.Contains(t, ids(v.Findings), tt.want, out)
			require.Contains(t, out, tt.step)
			require.Contains(t, out, "verdict: FAIL")
		})
	}
}

// A client that ends without calling ends the wait at once, with its
// traceback explained.
func TestJudgeExplainsAClientThatNeverCalled(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "laptop-b.json")
	require.NoError(t, WriteReport(rep, Report{State: StateExited, ExitCode: 1, File: "client.py", Stderr: tbRefused}))
	var out bytes.Buffer
	start := time.Now()
	v, err := Judge(context.Background(), JudgeConfig{Addr: "127.0.0.1:0", Report: rep, CallWait: 10 * time.Second, Out: &out})
	require.NoError(t, err)
	require.Less(t, time.Since(start), 5*time.Second, "the 10s wait for the call ends when the client does")
	require.False(t, v.Called)
	require.Equal(t, []string{"connection-refused"}, ids(v.Findings))
	require.Contains(t, out.String(), "FAIL  called laptop-a: it ended (exit status 1) without calling")
}
