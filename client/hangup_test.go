package main

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// TestSendLeavesTheHangUpToTheServer: in the lecture the server hangs up
// ("Connection closed by foreign host."), so -send must not send its FIN
// before the echo; the wire would show the caller hanging up first.
func TestSendLeavesTheHangUpToTheServer(t *testing.T) {
	callerHungUp := make(chan bool, 1)
	srv := labtest.Start(t, func(c net.Conn) {
		io.WriteString(c, lab.Greeting)
		buf := make([]byte, lab.MaxRead)
		n, _ := c.Read(buf)
		// Before echoing, listen a little: a caller's early FIN shows as EOF.
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		_, err := c.Read(make([]byte, 1))
		callerHungUp <- !errors.Is(err, os.ErrDeadlineExceeded)
		c.Write(buf[:n])
	})
	if _, stderr, code := runClient(t, "", append([]string{"-send", "hi back atcha", "-expect-echo"}, target(srv)...)...); code != 0 {
		t.Fatalf("exit %d; want 0 (stderr %s)", code, stderr)
	}
	if <-callerHungUp {
		t.Fatal("the caller hung up before the server echoed; want the server to hang up first")
	}
}

// TestSendEndsAnEchoModeCall: an echo-mode server waits for the caller to
// hang up, so once the whole echo is back and the server is quiet, -send
// half-closes and the call ends well before -timeout.
func TestSendEndsAnEchoModeCall(t *testing.T) {
	srv := labtest.Start(t, labtest.EchoAll)
	start := time.Now()
	stdout, stderr, code := runClient(t, "", append([]string{"-timeout", "5s", "-send", "hi back atcha", "-expect-echo"}, target(srv)...)...)
	if code != 0 {
		t.Fatalf("exit %d; want 0 (stdout %q, stderr %s)", code, stdout, stderr)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Fatalf("call took %v: the caller never hung up on an echo-mode server", took)
	}
}
