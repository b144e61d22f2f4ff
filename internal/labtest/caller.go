package labtest

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// Dial calls addr and returns the call, hung up when the test ends. Every
// read and write on it must be done within 10s.
func Dial(t testing.TB, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c.(*net.TCPConn)
}

// Call makes one lecture call and fails the test if it fails: read the
// greeting, send msg, read to EOF, hang up.
func Call(t testing.TB, addr string, msg []byte) (greeting, echo []byte) {
	t.Helper()
	c := Dial(t, addr)
	res, err := lab.Exchange(c, msg)
	if err != nil {
		t.Fatalf("call %s: %v", addr, err)
	}
	c.Close() // hang up after the echo, as telnet does
	return res.Greeting, res.Echo
}

// ServesNormally makes one ordinary call and fails the test unless it is
// greeted and echoed: whatever happened before, the server kept serving.
func ServesNormally(t testing.TB, addr string) {
	t.Helper()
	msg := []byte("hi back atcha\n")
	g, echo := Call(t, addr, msg)
	if string(g) != lab.Greeting || !bytes.Equal(echo, msg) {
		t.Fatalf("ordinary call: greeting %q, echo %q; want %q, %q", g, echo, lab.Greeting, msg)
	}
}

// ReadGreeting waits up to within for the greeting's bytes on c.
func ReadGreeting(t testing.TB, c net.Conn, within time.Duration) (string, error) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, len(lab.Greeting))
	n, err := io.ReadFull(c, buf)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	return string(buf[:n]), err
}

// Buffer is a bytes.Buffer safe to read while a server writes its log to it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// WaitFor waits until b contains want, and fails the test if it does not
// within 5s.
func (b *Buffer) WaitFor(t testing.TB, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(b.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("never said %q; got:\n%s", want, b)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
