package e2e

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	// callTimeout bounds each step of a call the test process makes.
	callTimeout = 10 * time.Second
	// quiet is how long a line stays silent before the test decides that
	// the other side has said all it will say for now.
	quiet = 300 * time.Millisecond
	// greeting is the lecture's handshake, byte for byte.
	greeting = "hello\n"
	// maxRead is the lecture's recv(1000).
	maxRead = 1000
)

// dialHost calls a server from the test process, through its published port.
func dialHost(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, callTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// heard reads what the server says before the caller says anything: the
// first bytes, then everything more that comes until the line has been
// quiet for a while.
func heard(t *testing.T, c net.Conn) []byte {
	t.Helper()
	var got []byte
	buf := make([]byte, 4096)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(callTimeout)))
	for range 100 { // bounded: each round ends by a deadline or with bytes
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if errors.Is(err, os.ErrDeadlineExceeded) && len(got) > 0 {
			return got
		}
		require.NoError(t, err, "before the caller spoke, after %q", got)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(quiet)))
	}
	return got
}

// talk sends msg after the greeting and reads the answer until the server
// hangs up. It reports how the answer ended: nil for the server's FIN, or
// the error (a reset) that cut it short.
func talk(t *testing.T, c *net.TCPConn, msg []byte) (echo []byte, end error) {
	t.Helper()
	require.Equal(t, greeting, string(heard(t, c)), "the greeting")
	require.NoError(t, c.SetDeadline(time.Now().Add(callTimeout)))
	_, err := c.Write(msg)
	require.NoError(t, err)
	var b bytes.Buffer
	_, end = io.Copy(&b, io.LimitReader(c, 1<<20))
	return b.Bytes(), end
}
