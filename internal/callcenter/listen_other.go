//go:build !unix

package callcenter

import (
	"net"
	"strconv"
)

// Listen falls back to the kernel's default queue where listen(2)
// cannot be called directly; -backlog has no effect there.
func Listen(ip net.IP, port, _ int) (net.Listener, error) {
	return net.Listen("tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
}

// unreadInput cannot peek here, so every call gets the full drain.
func unreadInput(net.Conn) bool { return true }
