//go:build !unix

package main

import (
	"net"
	"strconv"
)

// listenBacklog falls back to the kernel's default queue where listen(2)
// cannot be called directly; -backlog has no effect there.
func listenBacklog(ip net.IP, port, _ int) (net.Listener, error) {
	return net.Listen("tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
}

// unreadInput cannot peek here, so every call gets the full drain.
func unreadInput(net.Conn) bool { return true }
