package wire

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// seg describes a frame for build: an Ethernet II frame carrying IPv4 and
// TCP, with the checksums computed so that Wireshark shows it clean.
type seg struct {
	src, dst  string // "ip:port"
	seq, ack  uint32
	flags     Flags
	ipOpts    []byte // a multiple of 4 bytes
	tcpOpts   []byte // a multiple of 4 bytes
	payload   string
	etherType uint16 // default IPv4
	proto     byte   // default TCP
	fragOff   uint16 // in 8-byte units
	pad       int    // Ethernet padding after the IP packet
	vlan      bool   // add an 802.1Q tag
}

// The addresses of the lecture's call, as in the lab.
const (
	laptopA = "172.28.5.10:8000"
	laptopB = "172.28.5.20:41234"
)

var labNames = Names{
	netip.MustParseAddr("172.28.5.10"): "laptop-a",
	netip.MustParseAddr("172.28.5.20"): "laptop-b",
}

// synOptions are what Linux puts in a SYN: MSS 1460, SACK permitted,
// timestamps, NOP, window scale 7.
var synOptions = []byte{2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 3, 3, 7}

func build(s seg) []byte {
	src, dst := netip.MustParseAddrPort(s.src), netip.MustParseAddrPort(s.dst)
	tcpLen := tcpMinHeader + len(s.tcpOpts)
	tcp := make([]byte, tcpLen, tcpLen+len(s.payload))
	binary.BigEndian.PutUint16(tcp[0:], src.Port())
	binary.BigEndian.PutUint16(tcp[2:], dst.Port())
	binary.BigEndian.PutUint32(tcp[4:], s.seq)
	binary.BigEndian.PutUint32(tcp[8:], s.ack)
	tcp[12] = byte(tcpLen/4) << 4
	tcp[13] = byte(s.flags)
	binary.BigEndian.PutUint16(tcp[14:], 64240)
	copy(tcp[20:], s.tcpOpts)
	tcp = append(tcp, s.payload...)

	ihl := ipv4MinHeader + len(s.ipOpts)
	ip := make([]byte, ihl, ihl+len(tcp))
	ip[0] = 4<<4 | byte(ihl/4)
	binary.BigEndian.PutUint16(ip[2:], uint16(ihl+len(tcp)))
	binary.BigEndian.PutUint16(ip[6:], 0x4000|s.fragOff) // DF
	ip[8] = 64
	ip[9] = s.proto
	if ip[9] == 0 {
		ip[9] = ipProtoTCP
	}
	a4, b4 := src.Addr().As4(), dst.Addr().As4()
	copy(ip[12:], a4[:])
	copy(ip[16:], b4[:])
	copy(ip[20:], s.ipOpts)
	binary.BigEndian.PutUint16(ip[10:], checksum(ip, 0))
	pseudo := append(append(append([]byte{}, a4[:]...), b4[:]...), 0, ip[9], byte(len(tcp)>>8), byte(len(tcp)))
	binary.BigEndian.PutUint16(tcp[16:], checksum(tcp, sum(pseudo)))
	ip = append(ip, tcp...)

	et := s.etherType
	if et == 0 {
		et = etherTypeIPv4
	}
	eth := []byte{0x02, 0, 0, 0, 0, 0x0a, 0x02, 0, 0, 0, 0, 0x14} // dst, src MAC
	if s.vlan {
		eth = append(eth, 0x81, 0x00, 0x00, 0x05)
	}
	eth = binary.BigEndian.AppendUint16(eth, et)
	return append(append(eth, ip...), make([]byte, s.pad)...)
}

func sum(b []byte) uint32 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	return s
}

func checksum(b []byte, initial uint32) uint16 {
	s := initial + sum(b)
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// lectureCall is one call of the lecture in the lab, segment by segment,
// as Linux sends it: laptop-b calls laptop-a, which greets, reads the
// message, echoes it and hangs up first.
func lectureCall() []seg {
	const isnB, isnA = 1000, 5000
	msg := "hi back atcha\n"
	return []seg{
		{src: laptopB, dst: laptopA, seq: isnB, flags: SYN, tcpOpts: synOptions},
		{src: laptopA, dst: laptopB, seq: isnA, ack: isnB + 1, flags: SYN | ACK, tcpOpts: synOptions},
		{src: laptopB, dst: laptopA, seq: isnB + 1, ack: isnA + 1, flags: ACK},
		{src: laptopA, dst: laptopB, seq: isnA + 1, ack: isnB + 1, flags: PSH | ACK, payload: "hello\n"},
		{src: laptopB, dst: laptopA, seq: isnB + 1, ack: isnA + 7, flags: ACK},
		{src: laptopB, dst: laptopA, seq: isnB + 1, ack: isnA + 7, flags: PSH | ACK, payload: msg},
		{src: laptopA, dst: laptopB, seq: isnA + 7, ack: isnB + 15, flags: PSH | ACK, payload: msg},
		{src: laptopA, dst: laptopB, seq: isnA + 21, ack: isnB + 15, flags: FIN | ACK},
		{src: laptopB, dst: laptopA, seq: isnB + 15, ack: isnA + 22, flags: FIN | ACK},
		{src: laptopA, dst: laptopB, seq: isnA + 22, ack: isnB + 16, flags: ACK},
	}
}

// at is the capture time of the i-th segment of a synthetic call: one
// every 100µs from a fixed start.
func at(i int) time.Time {
	return time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 100 * time.Microsecond)
}
