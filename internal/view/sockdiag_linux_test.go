package view

import (
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestListenQueueReadsTheAcceptQueueAndBacklog fills a listen queue of 3
// that nobody accepts from: the kernel holds backlog+1 callers, as ss -lt
// would show (Recv-Q 4, Send-Q 3).
func TestListenQueueReadsTheAcceptQueueAndBacklog(t *testing.T) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 3))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	port := sa.(*syscall.SockaddrInet4).Port

	q, b, ok, err := listenQueue(port)
	require.NoError(t, err)
	require.True(t, ok, "a listener on port %d", port)
	require.Equal(t, [2]int{0, 3}, [2]int{q, b}, "queue and backlog before any caller")

	addr := (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}).String()
	for range 6 { // bounded: the last two wait out their timeout unanswered
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			t.Cleanup(func() { c.Close() })
		}
	}
	q, b, ok, err = listenQueue(port)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, [2]int{4, 3}, [2]int{q, b}, "queue and backlog with the queue full")

	_, _, ok, err = listenQueue(1) // nothing listens on port 1 here
	require.NoError(t, err)
	require.False(t, ok)
}
