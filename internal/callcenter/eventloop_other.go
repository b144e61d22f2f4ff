//go:build !linux || 386

package callcenter

import (
	"fmt"
	"net"
	"runtime"
)

// serveEventLoop needs Linux's epoll, and system calls 386 reaches another way.
func (s *Server) serveEventLoop(l net.Listener) error {
	l.Close()
	return fmt.Errorf("-model eventloop: not on this system (%s/%s): it waits with Linux's epoll; use -model threads", runtime.GOOS, runtime.GOARCH)
}
