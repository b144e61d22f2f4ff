package callcenter

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestServingCountsTheEmployeesOnACall calls a center of two employees who
// think for a while three times at once: two are served, the third waits
// in the listen queue, and once every echo is back nobody is serving.
func TestServingCountsTheEmployeesOnACall(t *testing.T) {
	s := &Server{Workers: 2, Think: 300 * time.Millisecond}
	addr, _ := startServer(t, s)
	require.Equal(t, int64(0), s.Serving(), "idle")

	done := make(chan error, 3)
	for range 3 {
		go func() {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				done <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write([]byte("hi\n")); err != nil {
				done <- err
				return
			}
			_, err = io.Copy(io.Discard, c)
			done <- err
		}()
	}
	require.Eventually(t, func() bool { return s.Serving() == 2 }, 5*time.Second, 5*time.Millisecond, "both employees on a call")
	for range 3 {
		require.NoError(t, <-done)
	}
	require.Eventually(t, func() bool { return s.Serving() == 0 }, 5*time.Second, 5*time.Millisecond, "everyone free again")
}
