//go:build unix

package callcenter

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// Listen listens on ip and port with a listen(2) queue of exactly backlog
// callers. The standard library always asks for the kernel's maximum, which
// would hide the lecture's point: with one employee, only a few callers can
// wait on hold.
func Listen(ip net.IP, port, backlog int) (net.Listener, error) {
	family, sa := syscall.AF_INET, syscall.Sockaddr(nil)
	if ip4 := ip.To4(); ip4 != nil {
		a := &syscall.SockaddrInet4{Port: port}
		copy(a.Addr[:], ip4)
		sa = a
	} else {
		family = syscall.AF_INET6
		a := &syscall.SockaddrInet6{Port: port}
		copy(a.Addr[:], ip.To16())
		sa = a
	}
	// SOCK_CLOEXEC is Linux's; ForkLock is how the syscall package makes
	// the two steps safe against a fork in between on every Unix.
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), "listener")
	defer f.Close() // FileListener keeps its own duplicate
	// SO_REUSEADDR, as net.Listen sets it, so a restarted server is not
	// refused its port while the last calls sit in TIME_WAIT.
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		return nil, fmt.Errorf("setsockopt SO_REUSEADDR: %w", err)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		return nil, err
	}
	if err := syscall.Listen(fd, backlog); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return net.FileListener(f)
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
