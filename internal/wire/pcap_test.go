package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"time"
)

// pcapFile is a pcap file as readPcap finds it.
type pcapFile struct {
	magic, snaplen, linkType uint32
	major, minor             uint16
	records                  []pcapRecord
}

type pcapRecord struct {
	ts      time.Time
	origLen int
	data    []byte
}

// readPcap is a tiny reader of the classic little-endian pcap format, for
// checking what PcapWriter wrote; it fails on anything left over.
func readPcap(b []byte) (pcapFile, error) {
	var f pcapFile
	if len(b) < pcapGlobalHeader {
		return f, fmt.Errorf("global header: %d bytes", len(b))
	}
	le := binary.LittleEndian
	f.magic, f.major, f.minor = le.Uint32(b[0:]), le.Uint16(b[4:]), le.Uint16(b[6:])
	f.snaplen, f.linkType = le.Uint32(b[16:]), le.Uint32(b[20:])
	if f.magic != pcapMagicMicros {
		return f, fmt.Errorf("magic %#x", f.magic)
	}
	b = b[pcapGlobalHeader:]
	for len(b) > 0 {
		if len(b) < pcapRecordHeader {
			return f, fmt.Errorf("record %d: header cut to %d bytes", len(f.records), len(b))
		}
		sec, usec, incl, orig := le.Uint32(b[0:]), le.Uint32(b[4:]), int(le.Uint32(b[8:])), int(le.Uint32(b[12:]))
		if usec >= 1e6 || incl > int(f.snaplen) || incl > orig || len(b) < pcapRecordHeader+incl {
			return f, fmt.Errorf("record %d: usec %d, %d of %d bytes, snaplen %d, %d left", len(f.records), usec, incl, orig, f.snaplen, len(b))
		}
		f.records = append(f.records, pcapRecord{
			ts:      time.Unix(int64(sec), int64(usec)*1000),
			origLen: orig,
			data:    b[pcapRecordHeader : pcapRecordHeader+incl],
		})
		b = b[pcapRecordHeader+incl:]
	}
	return f, nil
}

// checkMonotonic fails unless the records' timestamps never go back.
func checkMonotonic(t *testing.T, recs []pcapRecord) {
	t.Helper()
	for i := 1; i < len(recs); i++ {
		if recs[i].ts.Before(recs[i-1].ts) {
			t.Errorf("record %d at %v is before record %d at %v", i, recs[i].ts, i-1, recs[i-1].ts)
		}
	}
}

func TestPcapWriter(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf, 100)
	if err != nil {
		t.Fatal(err)
	}
	frames := [][]byte{
		build(lectureCall()[0]),
		build(lectureCall()[3]),
		build(seg{src: laptopB, dst: laptopA, flags: PSH | ACK, payload: string(make([]byte, 200))}), // over the snaplen
	}
	start := time.Date(2026, 1, 12, 9, 0, 0, 999_999_999, time.UTC) // a second's last nanosecond
	for i, f := range frames {
		if err := w.WritePacket(start.Add(time.Duration(i)*time.Millisecond), f, len(f)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readPcap(buf.Bytes())
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if got.major != 2 || got.minor != 4 || got.snaplen != 100 || got.linkType != LinkTypeEthernet {
		t.Errorf("got version %d.%d, snaplen %d, link type %d; want 2.4, 100, 1 (Ethernet)", got.major, got.minor, got.snaplen, got.linkType)
	}
	if len(got.records) != len(frames) {
		t.Fatalf("got %d records; want %d", len(got.records), len(frames))
	}
	for i, r := range got.records {
		want := frames[i][:min(100, len(frames[i]))]
		if !bytes.Equal(r.data, want) || r.origLen != len(frames[i]) {
			t.Errorf("record %d: got %d of %d bytes; want %d of %d", i, len(r.data), r.origLen, len(want), len(frames[i]))
		}
		if wantTS := start.Add(time.Duration(i) * time.Millisecond).Truncate(time.Microsecond); !r.ts.Equal(wantTS) {
			t.Errorf("record %d: got time %v; want %v", i, r.ts, wantTS)
		}
	}
	checkMonotonic(t, got.records)
}

func TestPcapWriterDefaultSnaplen(t *testing.T) {
	var buf bytes.Buffer
	if _, err := NewPcapWriter(&buf, 0); err != nil {
		t.Fatal(err)
	}
	got, err := readPcap(buf.Bytes())
	if err != nil || got.snaplen != DefaultSnaplen || len(got.records) != 0 {
		t.Errorf("got %+v, %v; want an empty file with snaplen %d", got, err, DefaultSnaplen)
	}
}
