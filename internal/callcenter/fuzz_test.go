package callcenter

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// FuzzCall feeds a caller's arbitrary bytes to the call handler over a real
// socket: it must never panic, always greet first, and echo a prefix of what
// was sent, at most one read of MaxRead bytes.
func FuzzCall(f *testing.F) {
	for _, seed := range [][]byte{
		[]byte("hi back atcha\n"),
		[]byte("hi back atcha\r\n"),
		{},
		{0},
		{0xff, 0xfe, 0, '\n'},
		[]byte(ProbeMsg),
		bytes.Repeat([]byte{'x'}, lab.MaxRead),
		bytes.Repeat([]byte{'y'}, 3*lab.MaxRead),
	} {
		f.Add(seed)
	}
	addr, _ := startServer(f, &Server{IdleTimeout: 2 * time.Second})
	f.Fuzz(func(t *testing.T, msg []byte) {
		c := labtest.Dial(t, addr)
		if _, err := c.Write(msg); err != nil {
			t.Fatalf("write: %v", err)
		}
		c.CloseWrite()
		got, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		echo, ok := bytes.CutPrefix(got, []byte(lab.Greeting))
		if !ok {
			t.Fatalf("reply %q does not start with the greeting", got)
		}
		if len(echo) > lab.MaxRead || !bytes.HasPrefix(msg, echo) {
			t.Fatalf("echo %q is not a prefix of at most %d bytes of %q", echo, lab.MaxRead, msg)
		}
		if len(msg) > 0 && len(echo) == 0 {
			t.Fatalf("sent %d bytes, got no echo", len(msg))
		}
	})
}
