package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// recvBuffer asks the kernel for room to queue frames while a line is
// being printed: a crowd of callers sends bursts. SO_RCVBUF is capped at
// net.core.rmem_max; SO_RCVBUFFORCE is not, but needs CAP_NET_ADMIN.
const recvBuffer = 4 << 20

// packetSocket is an AF_PACKET SOCK_RAW socket bound to one interface: it
// receives every frame the interface sends or receives, link header
// included, which is what a pcap file of LINKTYPE_ETHERNET holds.
type packetSocket struct {
	f        *os.File
	rc       syscall.RawConn
	ifindex  int
	loopback bool
	buf, oob []byte
}

// htons puts a protocol number in network byte order, as sockaddr_ll wants it.
func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

// openCapture opens a packet socket on iface. It is created for protocol
// 0, which receives nothing, and bound to iface with ETH_P_ALL, so no
// frame of another interface slips in between (libpcap does the same).
// ETH_P_ALL, not ETH_P_IP: a socket bound to one protocol is not shown the
// frames its host sends, only those it receives.
func openCapture(iface Iface) (_ source, err error) {
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, 0)
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		return nil, fmt.Errorf("open a packet socket: %w: %w", err, ErrNeedRawCapability)
	}
	if err != nil {
		return nil, fmt.Errorf("open a packet socket: %w", err)
	}
	defer func() {
		if err != nil {
			syscall.Close(fd)
		}
	}()
	if err := syscall.Bind(fd, &syscall.SockaddrLinklayer{Protocol: htons(syscall.ETH_P_ALL), Ifindex: iface.Index}); err != nil {
		return nil, fmt.Errorf("bind a packet socket to %s: %w", iface.Name, err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return nil, fmt.Errorf("read back the packet socket on %s: %w", iface.Name, err)
	}
	if ll, ok := sa.(*syscall.SockaddrLinklayer); ok && ll.Hatype != syscall.ARPHRD_ETHER && ll.Hatype != syscall.ARPHRD_LOOPBACK {
		return nil, fmt.Errorf("interface %s has link type %d: watch reads Ethernet frames only (ARPHRD_ETHER, or the loopback's)", iface.Name, ll.Hatype)
	}
	// The kernel's receive time is the segment's time, not when this
	// program got round to reading it.
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1); err != nil {
		return nil, fmt.Errorf("ask for timestamps on %s: %w", iface.Name, err)
	}
	// Best effort: a smaller buffer still works, and a frame it has no
	// room for shows in the count of drops.
	if syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, recvBuffer) != nil {
		_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, recvBuffer)
	}
	// A non-blocking descriptor joins the runtime's poller: reads park the
	// goroutine, and deadlines interrupt them.
	f := os.NewFile(uintptr(fd), "packet:"+iface.Name)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("packet socket on %s: %w", iface.Name, err)
	}
	return &packetSocket{
		f:        f,
		rc:       rc,
		ifindex:  iface.Index,
		loopback: iface.Loopback,
		buf:      make([]byte, DefaultSnaplen),
		oob:      make([]byte, syscall.CmsgSpace(16)),
	}, nil
}

func (p *packetSocket) read() ([]byte, time.Time, int, error) {
	for {
		var n, oobn int
		var from syscall.Sockaddr
		var rerr error
		err := p.rc.Read(func(fd uintptr) bool {
			// MSG_TRUNC: n is the frame's real length even when the buffer is shorter.
			n, oobn, _, from, rerr = syscall.Recvmsg(int(fd), p.buf, p.oob, syscall.MSG_TRUNC)
			return rerr != syscall.EAGAIN && rerr != syscall.EINTR
		})
		if err == nil {
			err = rerr
		}
		if err != nil {
			return nil, time.Time{}, 0, err
		}
		if ll, ok := from.(*syscall.SockaddrLinklayer); ok {
			// On the loopback every frame passes twice, going out and
			// coming in; keep one, as tcpdump does.
			if ll.Ifindex != p.ifindex || (p.loopback && ll.Pkttype == syscall.PACKET_OUTGOING) {
				continue
			}
		}
		return p.buf[:min(n, len(p.buf))], timestamp(p.oob[:oobn]), n, nil
	}
}

// timestamp reads SCM_TIMESTAMPNS from a message's control data, or takes
// the time now if the kernel sent none.
func timestamp(oob []byte) time.Time {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Now()
	}
	for _, m := range msgs {
		if m.Header.Level != syscall.SOL_SOCKET || m.Header.Type != syscall.SCM_TIMESTAMPNS {
			continue
		}
		switch len(m.Data) { // struct timespec: two longs
		case 16:
			return time.Unix(int64(binary.NativeEndian.Uint64(m.Data[0:])), int64(binary.NativeEndian.Uint64(m.Data[8:])))
		case 8:
			return time.Unix(int64(int32(binary.NativeEndian.Uint32(m.Data[0:]))), int64(int32(binary.NativeEndian.Uint32(m.Data[4:]))))
		}
	}
	return time.Now()
}

// dropped reads the socket's PACKET_STATISTICS, struct tpacket_stats
// {tp_packets, tp_drops uint32}: tp_drops counts the frames the kernel
// threw away because the socket's queue was full. Reading resets the
// counters. The syscall package has no getsockopt for an arbitrary
// struct, but struct ip_mreq is two 4-byte fields too, so
// GetsockoptIPMreq reads the 8 bytes on every Linux architecture.
func (p *packetSocket) dropped() (int, error) {
	var st *syscall.IPMreq
	var serr error
	if err := p.rc.Control(func(fd uintptr) {
		st, serr = syscall.GetsockoptIPMreq(int(fd), syscall.SOL_PACKET, syscall.PACKET_STATISTICS)
	}); err != nil {
		return 0, err
	}
	if serr != nil {
		return 0, fmt.Errorf("read the packet socket's statistics: %w", serr)
	}
	return int(binary.NativeEndian.Uint32(st.Interface[:])), nil // tp_drops
}

func (p *packetSocket) setReadDeadline(t time.Time) error { return p.f.SetReadDeadline(t) }

func (p *packetSocket) close() error { return p.f.Close() }
