package wire

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

func TestDecode(t *testing.T) {
	sackAndTS := []byte{1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 8}
	tests := []struct {
		name    string
		s       seg
		want    Segment // but addresses, payload and window; Options.WindowScale -1 unless given
		payload string
	}{
		{
			name: "SYN with Linux's options",
			s:    seg{src: laptopB, dst: laptopA, seq: 1000, flags: SYN, tcpOpts: synOptions},
			want: Segment{Seq: 1000, Flags: SYN, IPHeaderLen: 20, TCPHeaderLen: 40,
				Options: TCPOptions{MSS: 1460, WindowScale: 7, SACKPermitted: true, Timestamp: true, TSVal: 0x1234}},
		},
		{
			name: "SYN-ACK",
			s:    seg{src: laptopA, dst: laptopB, seq: 5000, ack: 1001, flags: SYN | ACK, tcpOpts: synOptions},
			want: Segment{Seq: 5000, Ack: 1001, Flags: SYN | ACK, IPHeaderLen: 20, TCPHeaderLen: 40,
				Options: TCPOptions{MSS: 1460, WindowScale: 7, SACKPermitted: true, Timestamp: true, TSVal: 0x1234}},
		},
		{
			name: "ACK padded to Ethernet's 60 bytes",
			s:    seg{src: laptopB, dst: laptopA, seq: 1001, ack: 5001, flags: ACK, pad: 6},
			want: Segment{Seq: 1001, Ack: 5001, Flags: ACK, IPHeaderLen: 20, TCPHeaderLen: 20},
		},
		{
			name:    "data: the greeting",
			s:       seg{src: laptopA, dst: laptopB, seq: 5001, ack: 1001, flags: PSH | ACK, payload: "hello\n"},
			want:    Segment{Seq: 5001, Ack: 1001, Flags: PSH | ACK, IPHeaderLen: 20, TCPHeaderLen: 20},
			payload: "hello\n",
		},
		{
			name: "FIN",
			s:    seg{src: laptopA, dst: laptopB, seq: 5021, ack: 1015, flags: FIN | ACK},
			want: Segment{Seq: 5021, Ack: 1015, Flags: FIN | ACK, IPHeaderLen: 20, TCPHeaderLen: 20},
		},
		{
			name: "RST",
			s:    seg{src: laptopA, dst: laptopB, seq: 5021, flags: RST},
			want: Segment{Seq: 5021, Flags: RST, IPHeaderLen: 20, TCPHeaderLen: 20},
		},
		{
			name:    "IPv4 options (router alert), IHL 6",
			s:       seg{src: laptopB, dst: laptopA, seq: 7, ack: 9, flags: PSH | ACK, ipOpts: []byte{0x94, 4, 0, 0}, payload: "hi\n"},
			want:    Segment{Seq: 7, Ack: 9, Flags: PSH | ACK, IPHeaderLen: 24, TCPHeaderLen: 20},
			payload: "hi\n",
		},
		{
			name:    "TCP options: SACK blocks and timestamps",
			s:       seg{src: laptopA, dst: laptopB, seq: 1, ack: 2, flags: ACK, tcpOpts: sackAndTS, payload: "x"},
			want:    Segment{Seq: 1, Ack: 2, Flags: ACK, IPHeaderLen: 20, TCPHeaderLen: 52, Options: TCPOptions{SACKBlocks: 2, Timestamp: true, TSVal: 9, TSEcr: 8}},
			payload: "x",
		},
		{
			name: "802.1Q tagged",
			s:    seg{src: laptopB, dst: laptopA, seq: 3, flags: SYN, vlan: true},
			want: Segment{Seq: 3, Flags: SYN, IPHeaderLen: 20, TCPHeaderLen: 20},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(build(tt.s))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if tt.want.Options.WindowScale == 0 {
				tt.want.Options.WindowScale = -1
			}
			if got.Src.String() != tt.s.src || got.Dst.String() != tt.s.dst {
				t.Errorf("got %v → %v; want %v → %v", got.Src, got.Dst, tt.s.src, tt.s.dst)
			}
			if string(got.Payload) != tt.payload {
				t.Errorf("got payload %q; want %q", got.Payload, tt.payload)
			}
			if got.Window != 64240 {
				t.Errorf("got window %d; want 64240", got.Window)
			}
			got.Src, got.Dst, got.Payload, got.Window = netip.AddrPort{}, netip.AddrPort{}, nil, 0
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeSkipsWhatIsNotIPv4TCP(t *testing.T) {
	arp := append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x14, 0x08, 0x06},
		0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0x14, 172, 28, 5, 20, 0, 0, 0, 0, 0, 0, 172, 28, 5, 10)
	ipv6 := append([]byte{0x33, 0x33, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 0x14, 0x86, 0xdd}, make([]byte, 60)...)
	ipv6[ethHeaderLen] = 0x60
	tests := []struct {
		name  string
		frame []byte
	}{
		{"ARP", arp},
		{"IPv6", ipv6},
		{"UDP", build(seg{src: laptopB, dst: laptopA, proto: 17, payload: "dns?"})},
		{"a later IPv4 fragment", build(seg{src: laptopB, dst: laptopA, fragOff: 185, payload: "more"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.frame); !errors.Is(err, ErrNotTCP) {
				t.Errorf("got %v; want ErrNotTCP", err)
			}
		})
	}
}

func TestDecodeRejectsBrokenFrames(t *testing.T) {
	good := build(seg{src: laptopB, dst: laptopA, seq: 1, ack: 1, flags: PSH | ACK, payload: "hi\n"})
	ipAt := ethHeaderLen
	tcpAt := ipAt + ipv4MinHeader
	tests := []struct {
		name  string
		patch func(f []byte)
	}{
		{"IP version 6 in an IPv4 frame", func(f []byte) { f[ipAt] = 0x65 }},
		{"IHL below 5", func(f []byte) { f[ipAt] = 0x44 }},
		{"IHL past the frame", func(f []byte) { f[ipAt] = 0x4f; binary.BigEndian.PutUint16(f[ipAt+2:], 60) }},
		{"total length below the header", func(f []byte) { binary.BigEndian.PutUint16(f[ipAt+2:], 19) }},
		{"total length past the frame", func(f []byte) { binary.BigEndian.PutUint16(f[ipAt+2:], 1500) }},
		{"TCP data offset below 5", func(f []byte) { f[tcpAt+12] = 4 << 4 }},
		{"TCP data offset past the packet", func(f []byte) { f[tcpAt+12] = 15 << 4 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := append([]byte{}, good...)
			tt.patch(f)
			if _, err := Decode(f); !errors.Is(err, ErrMalformed) {
				t.Errorf("got %v; want ErrMalformed", err)
			}
		})
	}
}

// TestDecodeBadOptionsKeepTheSegment: options with a broken length end the
// reading of options, not the segment.
func TestDecodeBadOptionsKeepTheSegment(t *testing.T) {
	for _, opts := range [][]byte{
		{2, 0, 0, 0},              // length 0 would loop forever
		{2, 1, 0, 0},              // length 1 is shorter than its own header
		{1, 1, 8, 40},             // longer than the options
		{2, 4, 0x05, 0xb4, 3, 3},  // ends mid-option after a good MSS: padded to 8 below
		{0, 2, 4, 0x05, 0xb4, 0},  // an end-of-options first: nothing read
		{5, 7, 0, 0, 0, 1, 0, 0},  // SACK with a length that is not 2+8n
		{3, 3, 200, 0},            // window scale beyond 14
		{99, 4, 1, 2, 1, 1, 1, 0}, // an unknown kind is skipped
	} {
		opts = append(opts, make([]byte, (4-len(opts)%4)%4)...)
		f := build(seg{src: laptopB, dst: laptopA, seq: 5, flags: SYN, tcpOpts: opts})
		s, err := Decode(f)
		if err != nil || s.Seq != 5 || s.TCPHeaderLen != 20+len(opts) {
			t.Errorf("options % x: got %+v, %v; want the segment", opts, s, err)
		}
		if s.Options.WindowScale > 14 {
			t.Errorf("options % x: window scale %d; want at most 14", opts, s.Options.WindowScale)
		}
	}
}

func TestDecodeTruncatedAtEveryLength(t *testing.T) {
	for i, s := range lectureCall() {
		frame := build(s)
		for n := range len(frame) {
			if _, err := Decode(frame[:n]); err == nil {
				t.Errorf("segment %d cut to %d of %d bytes: got no error", i, n, len(frame))
			}
		}
	}
}

func TestDecodeGarbage(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	frame := make([]byte, 128)
	for range 20000 {
		n := r.IntN(len(frame))
		for i := range n {
			frame[i] = byte(r.Uint32())
		}
		// Half of them look like IPv4 to get past the first check.
		if r.IntN(2) == 0 && n > 23 {
			frame[12], frame[13], frame[14], frame[23] = 0x08, 0x00, 0x45, ipProtoTCP
		}
		s, err := Decode(frame[:n])
		if err == nil {
			checkSegment(t, frame[:n], s)
		}
	}
}

// checkSegment holds what must be true of any segment Decode accepts.
func checkSegment(t *testing.T, frame []byte, s Segment) {
	t.Helper()
	if s.IPHeaderLen < 20 || s.IPHeaderLen > 60 || s.TCPHeaderLen < 20 || s.TCPHeaderLen > 60 {
		t.Fatalf("frame % x: headers %d and %d bytes", frame, s.IPHeaderLen, s.TCPHeaderLen)
	}
	if ethHeaderLen+s.IPHeaderLen+s.TCPHeaderLen+len(s.Payload) > len(frame) {
		t.Fatalf("frame % x: %d bytes do not hold what was decoded", frame, len(frame))
	}
	if !s.Src.Addr().Is4() || !s.Dst.Addr().Is4() {
		t.Fatalf("frame % x: addresses %v %v", frame, s.Src, s.Dst)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range lectureCall() {
		f.Add(build(s))
	}
	f.Add(build(seg{src: laptopB, dst: laptopA, ipOpts: []byte{0x94, 4, 0, 0}, tcpOpts: synOptions, flags: SYN, vlan: true}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, frame []byte) {
		s, err := Decode(frame)
		if err != nil {
			return
		}
		checkSegment(t, frame, s)
		// What follows a decoded segment must not panic either.
		e := NewTracker(8000, labNames).Observe(time.Unix(0, 0), s)
		_ = e.Text()
	})
}

func TestFlagsString(t *testing.T) {
	tests := []struct {
		f    Flags
		want string
	}{
		{SYN, "SYN"},
		{SYN | ACK, "SYN-ACK"},
		{SYN | ACK | ECE, "SYN-ACK,ECE"},
		{ACK, "ACK"},
		{PSH | ACK, "PSH,ACK"},
		{FIN | ACK, "FIN,ACK"},
		{FIN | PSH | ACK, "FIN,PSH,ACK"},
		{RST | ACK, "RST,ACK"},
		{RST, "RST"},
		{0, "none"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("Flags(%#x) = %q; want %q", uint8(tt.f), got, tt.want)
		}
	}
}
