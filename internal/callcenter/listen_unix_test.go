//go:build unix

package callcenter

import (
	"net"
	"syscall"
	"testing"
)

// TestListenLeavesKeepaliveOff: the calls Listen accepts cost no keepalive
// setup; the idle timeout is what hangs up on a caller who vanished.
func TestListenLeavesKeepaliveOff(t *testing.T) {
	l, err := Listen(net.IPv4(127, 0, 0, 1), 0, 5, false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rc, err := conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	on := -1
	rc.Control(func(fd uintptr) { on, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE) })
	if err != nil || on != 0 {
		t.Fatalf("SO_KEEPALIVE = %d, %v; want 0", on, err)
	}
}
