package view

import (
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"github.com/socketlab/socketlab/internal/wire"
)

// WritePcap writes the call's frames as a pcap file, for Wireshark.
func WritePcap(w io.Writer, c Call) error {
	pw, err := wire.NewPcapWriter(w, maxFrame)
	if err != nil {
		return err
	}
	for _, f := range c.frames {
		if err := pw.WritePacket(f.ts, f.data, f.origLen); err != nil {
			return err
		}
	}
	return nil
}

// Label is what the ladder writes on a segment's arrow: the flags, the
// length and the bytes, "PSH,ACK len=6 "hello\n"".
func (s Seg) Label() string {
	if s.Len == 0 {
		return s.Flags
	}
	return fmt.Sprintf("%s len=%d %s", s.Flags, s.Len, s.Bytes())
}

// Bytes shows the payload: quoted text when printable, else hex.
func (s Seg) Bytes() string {
	switch {
	case s.Text != "":
		b := quote(s.Text)
		if len(s.Text) < s.Len && !strings.HasSuffix(b, "…") {
			b += "…" // the watcher keeps the first bytes only
		}
		return b
	case s.Hex != "":
		return "0x" + s.Hex
	}
	return ""
}

// Numbers is the segment's seq, ack and len as Wireshark shows them.
func (s Seg) Numbers() string {
	n := "seq=" + strconv.FormatUint(uint64(s.Seq), 10)
	if s.Ack != nil {
		n += " ack=" + strconv.FormatUint(uint64(*s.Ack), 10)
	}
	return n + " len=" + strconv.Itoa(s.Len)
}

// quote shows bytes the way Go and Python write them, "hello\n", cut
// short so one arrow stays one line.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}

// The ladder's geometry, shared in spirit with the page's assets/app.js:
// one column per party, one arrow per segment, time downwards.
const (
	svgTimeX   = 8
	svgCallerX = 130
	svgServerX = 490
	svgGlossX  = 512
	svgWidth   = 1120
	svgTop     = 70
	svgRow     = 46
	svgSlope   = 18 // how far an arrow falls: time passes while it travels
)

// WriteSVG draws the call as a ladder diagram (the RFC 793 or Wireshark
// flow-graph picture): a standalone SVG file with no scripts or links.
func WriteSVG(w io.Writer, c Call) error {
	var b strings.Builder
	h := svgTop + svgRow*len(c.Segs) + 30
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %[1]d %[2]d" font-family="sans-serif" font-size="13">`+"\n", svgWidth, h)
	fmt.Fprintf(&b, `<title>call %d: %s calls %s</title>`+"\n", c.N, esc(c.Caller.Name), esc(c.Server.Name))
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>` + "\n")
	b.WriteString(`<rect width="100%" height="100%" fill="#fff"/>` + "\n")
	for _, p := range []struct {
		x     int
		party Party
	}{{svgCallerX, c.Caller}, {svgServerX, c.Server}} {
		fmt.Fprintf(&b, `<text x="%d" y="24" text-anchor="middle" font-weight="bold">%s</text>`+"\n", p.x, esc(p.party.Name))
		fmt.Fprintf(&b, `<text x="%d" y="42" text-anchor="middle" fill="#555">%s</text>`+"\n", p.x, esc(p.party.Addr))
		fmt.Fprintf(&b, `<line x1="%d" y1="52" x2="%[1]d" y2="%d" stroke="#999" stroke-width="2"/>`+"\n", p.x, h-10)
	}
	for i, s := range c.Segs {
		y := svgTop + svgRow*i
		x1, x2 := svgCallerX, svgServerX
		if s.FromServer {
			x1, x2 = x2, x1
		}
		color := segColor(s)
		fmt.Fprintf(&b, `<g class="seg" data-flags="%s">`+"\n", esc(s.Flags))
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#555">+%.3f ms</text>`+"\n", svgTimeX, y+svgSlope, s.MS)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2" marker-end="url(#arrow)"/>`+"\n", x1, y, x2, y+svgSlope, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%s</text>`+"\n", (svgCallerX+svgServerX)/2, y+svgSlope/2-4, color, esc(s.Label()))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#777" font-size="11">%s</text>`+"\n", (svgCallerX+svgServerX)/2, y+svgSlope+12, esc(s.Numbers()))
		if s.Gloss != "" {
			fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#235" font-style="italic">%s</text>`+"\n", svgGlossX, y+svgSlope/2+4, esc(s.Gloss))
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// segColor tells the kinds of segment apart at a glance, as Wireshark's
// coloring rules do: the handshake, data, a hang-up, a reset.
func segColor(s Seg) string {
	switch {
	case strings.Contains(s.Flags, "RST"):
		return "#c0392b"
	case strings.Contains(s.Flags, "SYN"):
		return "#1f6fb2"
	case strings.Contains(s.Flags, "FIN"):
		return "#8e44ad"
	case s.Len > 0:
		return "#1e8449"
	}
	return "#333"
}

// WriteMermaid writes the call as a Mermaid sequenceDiagram, which GitHub
// draws inside a ```mermaid block of a README or a lab report.
func WriteMermaid(w io.Writer, c Call) error {
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	fmt.Fprintf(&b, "    participant C as %s<br/>%s\n", mermaidText(c.Caller.Name), mermaidText(c.Caller.Addr))
	fmt.Fprintf(&b, "    participant S as %s<br/>%s\n", mermaidText(c.Server.Name), mermaidText(c.Server.Addr))
	for _, s := range c.Segs {
		from, to := "C", "S"
		if s.FromServer {
			from, to = to, from
		}
		fmt.Fprintf(&b, "    %s->>%s: +%.3fms %s %s", from, to, s.MS, s.Flags, s.Numbers())
		if s.Len > 0 {
			b.WriteString(" " + mermaidText(s.Bytes()))
		}
		b.WriteString("\n")
		if s.Gloss != "" {
			fmt.Fprintf(&b, "    Note over C,S: %s\n", mermaidText(s.Gloss))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidText escapes what Mermaid would read as syntax in a message:
// entity codes (#), statement ends (;), HTML (< >) and line breaks.
func mermaidText(s string) string {
	r := strings.NewReplacer("#", "#35;", ";", "#59;", "<", "#lt;", ">", "#gt;", "\n", " ", "\r", " ")
	return r.Replace(s)
}
