package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Frame layout constants: the few numbers the decoder needs from the
// Ethernet, IPv4 and TCP headers.
const (
	ethHeaderLen   = 14
	vlanTagLen     = 4
	etherTypeIPv4  = 0x0800
	etherTypeVLAN  = 0x8100 // 802.1Q
	etherTypeQinQ  = 0x88a8 // 802.1ad, the outer tag of a double tag
	ipv4MinHeader  = 20
	ipProtoTCP     = 6
	tcpMinHeader   = 20
	ipFragOffsMask = 0x1fff
)

// ErrNotTCP is returned for a frame that is fine but not an IPv4 TCP
// segment (ARP, IPv6, UDP, a later IPv4 fragment, ...): watch skips it.
var ErrNotTCP = errors.New("not an IPv4 TCP segment")

// ErrMalformed is returned, wrapped with what is wrong, for a frame that
// claims to be IPv4 TCP but is cut short or inconsistent.
var ErrMalformed = errors.New("malformed frame")

// Flags are the TCP header's control bits.
type Flags uint8

// The TCP flags, in the header's bit order.
const (
	FIN Flags = 1 << iota
	SYN
	RST
	PSH
	ACK
	URG
	ECE
	CWR
)

var flagNames = [...]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"}

// Has reports whether every flag in g is set.
func (f Flags) Has(g Flags) bool { return f&g == g }

// String names the flags the way students meet them: "SYN", "SYN-ACK",
// "ACK", "PSH,ACK", "FIN,ACK", "RST,ACK". The handshake's second segment
// gets its usual name; other combinations are listed in header order.
func (f Flags) String() string {
	if f == 0 {
		return "none"
	}
	var names []string
	if f&^(ECE|CWR) == SYN|ACK {
		names = append(names, "SYN-ACK")
		f &^= SYN | ACK
	}
	for i, name := range flagNames {
		if f&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, ",")
}

// TCPOptions are the options a SYN usually carries, decoded; others are
// skipped. A zero field means the option was absent.
type TCPOptions struct {
	MSS           uint16
	WindowScale   int8 // -1 when absent, since 0 is a valid shift
	SACKPermitted bool
	SACKBlocks    int // how many blocks a SACK option lists
	Timestamp     bool
	TSVal, TSEcr  uint32
}

// Segment is one TCP segment as read off the wire.
type Segment struct {
	Src, Dst     netip.AddrPort
	Seq, Ack     uint32
	Flags        Flags
	Window       uint16
	Options      TCPOptions
	IPHeaderLen  int // 20 plus any IPv4 options
	TCPHeaderLen int // 20 plus any TCP options
	// Payload is the segment's data. It aliases the frame passed to
	// Decode: copy it to keep it past the frame's reuse.
	Payload []byte
}

// Decode reads an Ethernet II frame (802.1Q tags allowed) carrying an
// IPv4 TCP segment. It is a pure function of its input and never panics:
// a frame that is not IPv4 TCP gives ErrNotTCP, one that is cut short or
// inconsistent an error wrapping ErrMalformed.
//
// Ethernet padding after a short IP packet is dropped by reading the IPv4
// total length; checksums are not verified (an outgoing frame captured
// before the NIC fills them in would fail).
func Decode(frame []byte) (Segment, error) {
	if len(frame) < ethHeaderLen {
		return Segment{}, malformed("ethernet header: %d bytes, want %d", len(frame), ethHeaderLen)
	}
	etherType := binary.BigEndian.Uint16(frame[12:14])
	rest := frame[ethHeaderLen:]
	for tags := 0; (etherType == etherTypeVLAN || etherType == etherTypeQinQ) && tags < 2; tags++ {
		if len(rest) < vlanTagLen {
			return Segment{}, malformed("VLAN tag cut short")
		}
		etherType = binary.BigEndian.Uint16(rest[2:4])
		rest = rest[vlanTagLen:]
	}
	if etherType != etherTypeIPv4 {
		return Segment{}, ErrNotTCP
	}
	return decodeIPv4(rest)
}

func decodeIPv4(ip []byte) (Segment, error) {
	if len(ip) < ipv4MinHeader {
		return Segment{}, malformed("IPv4 header: %d bytes, want at least %d", len(ip), ipv4MinHeader)
	}
	if v := ip[0] >> 4; v != 4 {
		return Segment{}, malformed("IP version %d in an IPv4 frame", v)
	}
	ihl := int(ip[0]&0x0f) * 4
	if ihl < ipv4MinHeader || ihl > len(ip) {
		return Segment{}, malformed("IPv4 header length %d with %d bytes", ihl, len(ip))
	}
	total := int(binary.BigEndian.Uint16(ip[2:4]))
	switch {
	case total == 0 && len(ip) > 0xffff:
		// A GSO packet bigger than 64 KiB (Linux "BIG TCP") says 0 here.
		total = len(ip)
	case total < ihl:
		return Segment{}, malformed("IPv4 total length %d shorter than its header %d", total, ihl)
	case total > len(ip):
		return Segment{}, malformed("IPv4 total length %d with %d bytes captured", total, len(ip))
	}
	ip = ip[:total] // drop Ethernet padding
	if ip[9] != ipProtoTCP {
		return Segment{}, ErrNotTCP
	}
	if binary.BigEndian.Uint16(ip[6:8])&ipFragOffsMask != 0 {
		return Segment{}, ErrNotTCP // a later fragment: no TCP header in it
	}
	src, _ := netip.AddrFromSlice(ip[12:16])
	dst, _ := netip.AddrFromSlice(ip[16:20])
	seg, err := decodeTCP(ip[ihl:])
	if err != nil {
		return Segment{}, err
	}
	seg.Src = netip.AddrPortFrom(src, seg.Src.Port())
	seg.Dst = netip.AddrPortFrom(dst, seg.Dst.Port())
	seg.IPHeaderLen = ihl
	return seg, nil
}

func decodeTCP(tcp []byte) (Segment, error) {
	if len(tcp) < tcpMinHeader {
		return Segment{}, malformed("TCP header: %d bytes, want at least %d", len(tcp), tcpMinHeader)
	}
	off := int(tcp[12]>>4) * 4
	if off < tcpMinHeader || off > len(tcp) {
		return Segment{}, malformed("TCP data offset %d with %d bytes", off, len(tcp))
	}
	return Segment{
		Src:          netip.AddrPortFrom(netip.Addr{}, binary.BigEndian.Uint16(tcp[0:2])),
		Dst:          netip.AddrPortFrom(netip.Addr{}, binary.BigEndian.Uint16(tcp[2:4])),
		Seq:          binary.BigEndian.Uint32(tcp[4:8]),
		Ack:          binary.BigEndian.Uint32(tcp[8:12]),
		Flags:        Flags(tcp[13]),
		Window:       binary.BigEndian.Uint16(tcp[14:16]),
		Options:      decodeOptions(tcp[tcpMinHeader:off]),
		TCPHeaderLen: off,
		Payload:      tcp[off:],
	}, nil
}

// TCP option kinds (RFC 9293, 7323, 2018).
const (
	optEnd           = 0
	optNOP           = 1
	optMSS           = 2
	optWindowScale   = 3
	optSACKPermitted = 4
	optSACK          = 5
	optTimestamps    = 8
)

// decodeOptions reads the options it knows and skips the others. A bad
// length ends the reading: the segment is still worth showing.
func decodeOptions(b []byte) TCPOptions {
	o := TCPOptions{WindowScale: -1}
	for len(b) > 0 {
		kind := b[0]
		if kind == optEnd {
			break
		}
		if kind == optNOP {
			b = b[1:]
			continue
		}
		if len(b) < 2 || int(b[1]) < 2 || int(b[1]) > len(b) {
			break
		}
		opt := b[:b[1]]
		b = b[b[1]:]
		switch {
		case kind == optMSS && len(opt) == 4:
			o.MSS = binary.BigEndian.Uint16(opt[2:])
		case kind == optWindowScale && len(opt) == 3:
			o.WindowScale = int8(min(opt[2], 14)) // RFC 7323: larger shifts mean 14
		case kind == optSACKPermitted && len(opt) == 2:
			o.SACKPermitted = true
		case kind == optSACK && (len(opt)-2)%8 == 0:
			o.SACKBlocks = (len(opt) - 2) / 8
		case kind == optTimestamps && len(opt) == 10:
			o.Timestamp = true
			o.TSVal = binary.BigEndian.Uint32(opt[2:6])
			o.TSEcr = binary.BigEndian.Uint32(opt[6:10])
		}
	}
	return o
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
