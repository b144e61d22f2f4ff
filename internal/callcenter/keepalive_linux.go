package callcenter

import (
	"errors"
	"net"
	"syscall"
)

// On Linux an accepted socket inherits its listener's keepalive options.
// So Listen sets them on the listening socket, before it listens, and a
// call costs nothing for them. Setting them on each call (four setsockopt
// calls, system calls for which the runtime may hand the loop's processor
// to another thread) was measured at some 30µs of the event loop's CPU
// per call at one call at a time: a median 87µs against 54µs, which is
// what a call costs with an idle timeout. For the threads model the
// difference was lost in the noise of a loaded machine.

// keepAliveControl is a net.ListenConfig.Control that sets the keepalive
// options on the socket before it listens.
func keepAliveControl(_, _ string, rc syscall.RawConn) error {
	var err error
	cerr := rc.Control(func(fd uintptr) { err = keepAliveSocket(int(fd)) })
	return errors.Join(cerr, err)
}

// keepAliveSocket sets what net.KeepAliveConfig{Enable: true} sets: the
// first probe after 15s of silence, then every 15s, 9 of them.
func keepAliveSocket(fd int) error {
	for _, o := range []struct{ level, opt, value int }{
		{syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, 15},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, 15},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, 9},
	} {
		if err := syscall.SetsockoptInt(fd, o.level, o.opt, o.value); err != nil {
			return err
		}
	}
	return nil
}

// listenerKeepsAlive says whether l's calls inherit TCP keepalive from it.
func listenerKeepsAlive(l net.Listener) bool {
	sc, ok := l.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	on := false
	rc.Control(func(fd uintptr) { on = socketKeepsAlive(int(fd)) })
	return on
}

// socketKeepsAlive says whether SO_KEEPALIVE is on for fd.
func socketKeepsAlive(fd int) bool {
	v, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
	return err == nil && v != 0
}
