//go:build linux && !386

package callcenter

import (
	"net/netip"
	"syscall"
	"unsafe"
)

// sockaddrAddrPort reads the caller's address that accept4 wrote.
func sockaddrAddrPort(rsa *syscall.RawSockaddrAny) netip.AddrPort {
	switch rsa.Addr.Family {
	case syscall.AF_INET:
		sa := (*syscall.RawSockaddrInet4)(unsafe.Pointer(rsa))
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(p[0])<<8|uint16(p[1]))
	case syscall.AF_INET6:
		sa := (*syscall.RawSockaddrInet6)(unsafe.Pointer(rsa))
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), uint16(p[0])<<8|uint16(p[1]))
	}
	return netip.AddrPort{}
}

// The sysOps of a real socket.

func (e *epoll) write(fd int32, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	r, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(r), 0
}

func (e *epoll) read(fd int32, p []byte) (int, syscall.Errno) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(r), 0
}

func (e *epoll) unread(fd int32) bool {
	var one [1]byte
	r, _, errno := syscall.RawSyscall6(syscall.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&one[0])), 1, syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return errno != syscall.EAGAIN
	}
	return r > 0
}

func (e *epoll) shutdownWrite(fd int32) syscall.Errno {
	_, _, errno := syscall.RawSyscall(syscall.SYS_SHUTDOWN, uintptr(fd), syscall.SHUT_WR, 0)
	return errno
}

func (e *epoll) close(fd int32) {
	// Closing takes fd out of the epoll set: it is its only descriptor.
	syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(fd), 0, 0)
}

func (e *epoll) watchWrite(fd int32, on bool) {
	ev := syscall.EpollEvent{Events: uint32(callEvents), Fd: fd}
	if on {
		ev.Events |= syscall.EPOLLOUT
	}
	syscall.EpollCtl(e.fd, syscall.EPOLL_CTL_MOD, int(fd), &ev)
}

func (e *epoll) keepAlive(fd int32) { keepAliveSocket(int(fd)) }

func (e *epoll) accepting(on bool) {
	if !e.listening || e.accept == on || (on && e.retryAt > 0) {
		return
	}
	ev := syscall.EpollEvent{Fd: int32(e.lfd)}
	if on {
		ev.Events = syscall.EPOLLIN
	}
	if syscall.EpollCtl(e.fd, syscall.EPOLL_CTL_MOD, e.lfd, &ev) == nil {
		e.accept = on
	}
}
