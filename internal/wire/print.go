package wire

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/socketlab/socketlab/internal/lab"
)

// Text renders e as one line a student can read:
//
//	+0.412ms   laptop-a → laptop-b  PSH,ACK  seq=1 ack=1      len=6  "hello\n"   ← the greeting: laptop-a speaks first
func (e Event) Text() string {
	var b strings.Builder
	numbers := fmt.Sprintf("seq=%d", e.Seq)
	if e.Ack != nil {
		numbers += fmt.Sprintf(" ack=%d", *e.Ack)
	}
	fmt.Fprintf(&b, "%-10s %s → %s  %-7s  %-15s  len=%d", fmt.Sprintf("+%.3fms", e.MS), e.From, e.To, e.Flags, numbers, e.Len)
	if e.Len > 0 {
		b.WriteString("  ")
		b.WriteString(lab.Preview(e.payload))
	}
	if e.Gloss != "" {
		b.WriteString("   ← ")
		b.WriteString(e.Gloss)
	}
	return b.String()
}

// Header is the line that introduces a call in text output.
func (e Event) Header() string {
	return fmt.Sprintf("call %d: %s calls %s", e.Call, e.Caller, e.Server)
}

// printer writes Events as text lines or as JSON objects, one a line.
type printer struct {
	w        io.Writer
	json     *json.Encoder
	lastCall int
}

func newPrinter(w io.Writer, asJSON bool) *printer {
	p := &printer{w: w}
	if asJSON {
		p.json = json.NewEncoder(w)
		p.json.SetEscapeHTML(false)
	}
	return p
}

// print writes e. In text, a call's header comes before its first segment,
// and again whenever segments of another call came in between, so
// interleaved calls stay readable.
func (p *printer) print(e Event) error {
	if p.json != nil {
		return p.json.Encode(e)
	}
	var b strings.Builder
	if e.Call != p.lastCall {
		if e.NewCall {
			b.WriteString(e.Header())
		} else {
			fmt.Fprintf(&b, "call %d, continued:", e.Call)
		}
		b.WriteString("\n")
		p.lastCall = e.Call
	}
	b.WriteString(e.Text())
	b.WriteString("\n")
	_, err := io.WriteString(p.w, b.String())
	return err
}
