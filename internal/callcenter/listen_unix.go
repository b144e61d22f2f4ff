//go:build unix

package callcenter

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// Listen listens on ip and port with a listen(2) queue of exactly backlog
// callers. The standard library always asks for the kernel's maximum, which
// would hide the lecture's point: with one employee, only a few callers can
// wait on hold. So after net's listen, Listen calls listen(2) again on the
// same socket, which sets the queue of a listening socket anew.
//
// With keepAlive, what a Server with no IdleTimeout needs, every call it
// accepts has TCP keepalive, at no cost of its own: on Linux a call
// inherits the options of the listening socket, which has them before it
// listens (elsewhere the Server sets them on each call). Without, calls
// have none, not even Go's default, which would cost each call four
// setsockopt(2) calls: a Server with an IdleTimeout hangs up on a caller
// who vanished anyway.
func Listen(ip net.IP, port, backlog int, keepAlive bool) (net.Listener, error) {
	network := "tcp4" // 0.0.0.0 is every IPv4 address, not IPv6's too
	if ip.To4() == nil {
		network = "tcp6"
	}
	lc := net.ListenConfig{KeepAlive: -1}
	if keepAlive {
		lc.Control = keepAliveControl
	}
	l, err := lc.Listen(context.Background(), network, net.JoinHostPort(ip.String(), strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	rc, err := l.(*net.TCPListener).SyscallConn()
	if err == nil {
		cerr := rc.Control(func(fd uintptr) { err = syscall.Listen(int(fd), backlog) })
		if err == nil {
			err = cerr
		}
	}
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("listen: set the queue to %d: %w", backlog, err)
	}
	return l, nil
}

// unreadInput tells whether bytes the caller sent wait unread in conn's
// receive queue, so that a plain close would answer them with RST. A caller
// who has hung up (FIN) has left nothing unread: the peek returns 0 bytes,
// and the plain close is right. Any other error is reported as unread input,
// so the careful hang-up deals with it. It peeks without blocking: one
// syscall, where a drain would wait for the caller.
func unreadInput(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	unread := true
	var one [1]byte
	rc.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), one[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		unread = n > 0 || (err != nil && err != syscall.EAGAIN)
	})
	return unread
}
