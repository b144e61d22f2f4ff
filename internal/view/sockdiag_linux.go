package view

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
)

// sock_diag (netlink(7), sock_diag(7)): the kernel interface `ss` reads. A
// dump of the TCP sockets in state LISTEN gives, for each listening
// socket, its accept queue (idiag_rqueue) and the queue's limit, the
// backlog (idiag_wqueue). /proc/net/tcp has the first but not the second.
const (
	netlinkSockDiag   = 4  // NETLINK_SOCK_DIAG
	sockDiagByFamily  = 20 // SOCK_DIAG_BY_FAMILY
	tcpListen         = 10 // TCP_LISTEN
	nlmsgHdrLen       = 16
	inetDiagReqV2Len  = 56
	inetDiagMsgMinLen = 72
	nlmsgDone         = 3 // NLMSG_DONE
	nlmsgError        = 2 // NLMSG_ERROR
)

// listenQueue returns the accept queue and backlog of the IPv4 TCP socket
// listening on port in this network namespace; ok is false when nothing
// listens there. It needs no privilege.
func listenQueue(port int) (queue, backlog int, ok bool, err error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		return 0, 0, false, fmt.Errorf("sock_diag: %w", err)
	}
	defer syscall.Close(fd)
	tv := syscall.Timeval{Sec: 1}
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		return 0, 0, false, fmt.Errorf("sock_diag: %w", err)
	}
	if err := syscall.Sendto(fd, listenRequest(port), 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return 0, 0, false, fmt.Errorf("sock_diag: ask: %w", err)
	}
	buf := make([]byte, 32<<10)
	for range 1000 { // a dump ends with NLMSG_DONE; bounded anyway
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil {
			return 0, 0, false, fmt.Errorf("sock_diag: read: %w", err)
		}
		q, b, found, done, err := parseListenReply(buf[:n], port)
		if err != nil {
			return 0, 0, false, err
		}
		if found {
			queue, backlog, ok = q, b, true
		}
		if done {
			return queue, backlog, ok, nil
		}
	}
	return 0, 0, false, errors.New("sock_diag: the dump did not end")
}

// listenRequest is a netlink message asking for the IPv4 TCP sockets in
// state LISTEN; the kernel filters listeners by source port too.
func listenRequest(port int) []byte {
	b := make([]byte, nlmsgHdrLen+inetDiagReqV2Len)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], sockDiagByFamily)
	ne.PutUint16(b[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
	ne.PutUint32(b[8:], 1) // sequence number
	r := b[nlmsgHdrLen:]
	r[0] = syscall.AF_INET
	r[1] = syscall.IPPROTO_TCP
	ne.PutUint32(r[4:], 1<<tcpListen)
	binary.BigEndian.PutUint16(r[8:], uint16(port)) // idiag_sport
	return b
}

// parseListenReply reads one datagram of the dump: the queue and backlog
// of a listener on port if it holds one, and whether the dump is done.
func parseListenReply(b []byte, port int) (queue, backlog int, found, done bool, err error) {
	ne := binary.NativeEndian
	for len(b) >= nlmsgHdrLen {
		l := int(ne.Uint32(b[0:]))
		typ := ne.Uint16(b[4:])
		if l < nlmsgHdrLen || l > len(b) {
			return 0, 0, false, false, errors.New("sock_diag: a cut message")
		}
		msg := b[nlmsgHdrLen:l]
		switch {
		case typ == nlmsgDone:
			return queue, backlog, found, true, nil
		case typ == nlmsgError:
			if len(msg) >= 4 {
				if errno := int32(ne.Uint32(msg)); errno != 0 {
					return 0, 0, false, true, fmt.Errorf("sock_diag: %w", syscall.Errno(-errno))
				}
			}
			return queue, backlog, found, true, nil
		case typ == sockDiagByFamily && len(msg) >= inetDiagMsgMinLen:
			// struct inet_diag_msg: family, state, timer, retrans, then
			// inet_diag_sockid (sport at 4, big-endian), expires at 52,
			// rqueue at 56, wqueue at 60.
			if msg[1] == tcpListen && int(binary.BigEndian.Uint16(msg[4:])) == port {
				queue, backlog, found = int(ne.Uint32(msg[56:])), int(ne.Uint32(msg[60:])), true
			}
		}
		b = b[min((l+3)&^3, len(b)):]
	}
	return queue, backlog, found, false, nil
}
