package view

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/wire"
)

// The lab's addresses, as compose.yaml gives them.
var (
	laptopA  = netip.MustParseAddr("172.28.5.10")
	laptopB  = netip.MustParseAddr("172.28.5.20")
	gateway  = netip.MustParseAddr("172.28.5.1")
	labNames = wire.Names{laptopA: "laptop-a", laptopB: "laptop-b", gateway: YourComputer}
)

// frameOf builds an Ethernet II frame carrying one IPv4 TCP segment:
// enough for wire.Decode and for Wireshark (checksums are left 0).
func frameOf(src, dst netip.AddrPort, seq, ack uint32, flags wire.Flags, payload string) []byte {
	tcp := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(tcp[0:], src.Port())
	binary.BigEndian.PutUint16(tcp[2:], dst.Port())
	binary.BigEndian.PutUint32(tcp[4:], seq)
	binary.BigEndian.PutUint32(tcp[8:], ack)
	tcp[12] = 5 << 4
	tcp[13] = byte(flags)
	binary.BigEndian.PutUint16(tcp[14:], 64240)
	tcp = append(tcp, payload...)
	ip := make([]byte, 20, 20+len(tcp))
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(tcp)))
	ip[8], ip[9] = 64, 6
	s, d := src.Addr().As4(), dst.Addr().As4()
	copy(ip[12:], s[:])
	copy(ip[16:], d[:])
	ip = append(ip, tcp...)
	eth := make([]byte, 14, 14+len(ip))
	binary.BigEndian.PutUint16(eth[12:], 0x0800)
	return append(eth, ip...)
}

// lectureCall is the frames of the lecture's call from caller to laptop-a,
// a millisecond apart from start: handshake, greeting, message, echo, and
// laptop-a hanging up first.
func lectureCall(caller netip.AddrPort, start time.Time, msg string) (frames [][]byte, times []time.Time) {
	server := netip.AddrPortFrom(laptopA, 8000)
	const c, s = 1000, 5000 // initial sequence numbers
	m, g := uint32(len(msg)), uint32(len("hello\n"))
	A := wire.ACK
	steps := []struct {
		fromServer bool
		seq, ack   uint32
		flags      wire.Flags
		data       string
	}{
		{false, c, 0, wire.SYN, ""},
		{true, s, c + 1, wire.SYN | A, ""},
		{false, c + 1, s + 1, A, ""},
		{true, s + 1, c + 1, wire.PSH | A, "hello\n"},
		{false, c + 1, s + 1 + g, A, ""},
		{false, c + 1, s + 1 + g, wire.PSH | A, msg},
		{true, s + 1 + g, c + 1 + m, A, ""},
		{true, s + 1 + g, c + 1 + m, wire.PSH | A, msg},
		{true, s + 1 + g + m, c + 1 + m, wire.FIN | A, ""},
		{false, c + 1 + m, s + 2 + g + m, wire.FIN | A, ""},
		{true, s + 2 + g + m, c + 2 + m, A, ""},
	}
	for i, st := range steps {
		src, dst := caller, server
		if st.fromServer {
			src, dst = server, caller
		}
		frames = append(frames, frameOf(src, dst, st.seq, st.ack, st.flags, st.data))
		times = append(times, start.Add(time.Duration(i)*time.Millisecond))
	}
	return frames, times
}

// feed decodes frames, explains them with a wire.Tracker as the capture
// does, and gives them to cs.
func feed(cs *Calls, tr *wire.Tracker, frames [][]byte, times []time.Time) {
	for i, f := range frames {
		seg, err := wire.Decode(f)
		if err != nil {
			panic(fmt.Sprintf("frame %d: %v", i, err))
		}
		cs.Observe(tr.Observe(times[i], seg), f, len(f))
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// nativeLittle says whether this machine is little-endian, as the
// /proc/net/route fixtures (written on one) assume.
func nativeLittle() bool {
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], 1)
	return b[0] == 1
}
