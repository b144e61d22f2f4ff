//go:build !unix

package callcenter

import (
	"context"
	"net"
	"strconv"
)

// Listen falls back to the kernel's default queue where listen(2)
// cannot be called directly; -backlog has no effect there.
// Its calls have no TCP keepalive: with keepAlive, the Server sets it on
// each call.
func Listen(ip net.IP, port, _ int, _ bool) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1}
	return lc.Listen(context.Background(), "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
}

// unreadInput cannot peek here, so every call gets the full drain.
func unreadInput(net.Conn) bool { return true }
