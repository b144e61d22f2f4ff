package wire

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// The classic libpcap file format, as tcpdump writes it and Wireshark,
// tshark and tcpdump -r read it: a 24-byte global header, then per packet a
// 16-byte record header and the frame's bytes. Everything is little-endian
// here; readers tell the byte order from the magic number.
const (
	pcapMagicMicros  = 0xa1b2c3d4 // timestamps in microseconds, the oldest and most widely read variant
	pcapVersionMajor = 2
	pcapVersionMinor = 4
	// LinkTypeEthernet is LINKTYPE_ETHERNET: each record is an Ethernet II frame.
	LinkTypeEthernet = 1
	// DefaultSnaplen is the longest frame kept whole, what tcpdump uses:
	// a loopback or GSO "frame" can be far larger than the MTU.
	DefaultSnaplen   = 262144
	pcapGlobalHeader = 24
	pcapRecordHeader = 16
)

// PcapWriter writes frames to a pcap file.
type PcapWriter struct {
	w       io.Writer
	snaplen int
	buf     []byte
}

// NewPcapWriter writes the global header for Ethernet frames cut at
// snaplen bytes (DefaultSnaplen when not positive) and returns a writer
// for the packets.
func NewPcapWriter(w io.Writer, snaplen int) (*PcapWriter, error) {
	if snaplen <= 0 {
		snaplen = DefaultSnaplen
	}
	h := make([]byte, pcapGlobalHeader)
	binary.LittleEndian.PutUint32(h[0:], pcapMagicMicros)
	binary.LittleEndian.PutUint16(h[4:], pcapVersionMajor)
	binary.LittleEndian.PutUint16(h[6:], pcapVersionMinor)
	// thiszone and sigfigs (h[8:16]) stay 0: timestamps are UTC.
	binary.LittleEndian.PutUint32(h[16:], uint32(snaplen))
	binary.LittleEndian.PutUint32(h[20:], LinkTypeEthernet)
	if _, err := w.Write(h); err != nil {
		return nil, fmt.Errorf("write pcap header: %w", err)
	}
	return &PcapWriter{w: w, snaplen: snaplen}, nil
}

// WritePacket writes one frame captured at ts. origLen is the frame's length
// on the wire, which may exceed len(frame) when the capture cut it; a frame
// longer than the snaplen is cut here. Each packet is one Write, so a file
// read while the capture runs never ends in half a header.
func (p *PcapWriter) WritePacket(ts time.Time, frame []byte, origLen int) error {
	frame = frame[:min(len(frame), p.snaplen)]
	origLen = max(origLen, len(frame))
	p.buf = append(p.buf[:0], make([]byte, pcapRecordHeader)...)
	binary.LittleEndian.PutUint32(p.buf[0:], uint32(ts.Unix()))
	binary.LittleEndian.PutUint32(p.buf[4:], uint32(ts.Nanosecond()/1000))
	binary.LittleEndian.PutUint32(p.buf[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(p.buf[12:], uint32(origLen))
	p.buf = append(p.buf, frame...)
	if _, err := p.w.Write(p.buf); err != nil {
		return fmt.Errorf("write pcap packet: %w", err)
	}
	return nil
}
