package view

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/wire"
)

func lectureCallKept(t *testing.T) Call {
	t.Helper()
	cs := NewCalls(0, labNames)
	tr := wire.NewTracker(8000, labNames)
	f, ts := lectureCall(netip.AddrPortFrom(laptopB, 41234), time.Unix(1700000000, 0), "hi back atcha\n")
	feed(cs, tr, f, ts)
	c, ok := cs.Call(1)
	require.True(t, ok)
	return c
}

func TestWriteMermaid(t *testing.T) {
	var b strings.Builder
	require.NoError(t, WriteMermaid(&b, lectureCallKept(t)))
	want := `sequenceDiagram
    participant C as laptop-b<br/>172.28.5.20:41234
    participant S as laptop-a<br/>172.28.5.10:8000
    C->>S: +0.000ms SYN seq=0 len=0
    Note over C,S: the phone rings: laptop-b calls laptop-a at port 8000
    S->>C: +1.000ms SYN-ACK seq=0 ack=1 len=0
    Note over C,S: laptop-a's kernel answers, before its program calls accept()
    C->>S: +2.000ms ACK seq=1 ack=1 len=0
    Note over C,S: three-way handshake done: the phone is picked up
    S->>C: +3.000ms PSH,ACK seq=1 ack=1 len=6 "hello\n"
    Note over C,S: the greeting: laptop-a speaks first
    C->>S: +4.000ms ACK seq=1 ack=7 len=0
    C->>S: +5.000ms PSH,ACK seq=1 ack=7 len=14 "hi back atcha\n"
    Note over C,S: the message: laptop-b speaks
    S->>C: +6.000ms ACK seq=7 ack=15 len=0
    S->>C: +7.000ms PSH,ACK seq=7 ack=15 len=14 "hi back atcha\n"
    Note over C,S: the echo: laptop-a sends laptop-b's bytes back
    S->>C: +8.000ms FIN,ACK seq=21 ack=15 len=0
    Note over C,S: laptop-a hangs up first (FIN): it will send nothing more, but may still listen
    C->>S: +9.000ms FIN,ACK seq=15 ack=22 len=0
    Note over C,S: laptop-b hangs up too
    S->>C: +10.000ms ACK seq=22 ack=16 len=0
    Note over C,S: the call is over
`
	require.Equal(t, want, b.String())
	require.Equal(t, `a#59; b #35;1 #lt;b#gt; c`, mermaidText("a; b #1 <b>\nc"))
}

func TestWriteSVGDrawsOneArrowPerSegmentInOrder(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteSVG(&b, lectureCallKept(t)))
	// Well-formed XML, one <g class="seg"> per segment, in order.
	dec := xml.NewDecoder(&b)
	var flags, texts []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch el := tok.(type) {
		case xml.StartElement:
			for _, a := range el.Attr {
				if a.Name.Local == "data-flags" {
					flags = append(flags, a.Value)
				}
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(el)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	require.Equal(t, []string{"SYN", "SYN-ACK", "ACK", "PSH,ACK", "ACK", "PSH,ACK", "ACK", "PSH,ACK", "FIN,ACK", "FIN,ACK", "ACK"}, flags)
	all := strings.Join(texts, "|")
	require.Contains(t, all, "call 1: laptop-b calls laptop-a")
	require.Contains(t, all, `PSH,ACK len=6 "hello\n"`)
	require.Contains(t, all, "the echo: laptop-a sends laptop-b's bytes back")
	require.NotContains(t, b.String(), "<script")
}

func TestWritePcapHoldsTheCallsFrames(t *testing.T) {
	c := lectureCallKept(t)
	var b bytes.Buffer
	require.NoError(t, WritePcap(&b, c))
	p := b.Bytes()
	require.Equal(t, uint32(0xa1b2c3d4), binary.LittleEndian.Uint32(p))
	p = p[24:]
	var flags []string
	for len(p) > 0 {
		n := int(binary.LittleEndian.Uint32(p[8:]))
		seg, err := wire.Decode(p[16 : 16+n])
		require.NoError(t, err)
		flags = append(flags, seg.Flags.String())
		p = p[16+n:]
	}
	require.Len(t, flags, 11)
	require.Equal(t, "SYN", flags[0])
	require.Equal(t, "ACK", flags[10])
}
