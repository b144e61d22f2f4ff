package wire

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// Moment names a key moment of a call. Tests and scripts match these; the
// gloss says the same for a student.
type Moment string

// The moments a Tracker recognizes, in the order a lecture call meets them.
const (
	MomentRing            Moment = "ring"             // the caller's SYN
	MomentRingAgain       Moment = "ring-again"       // the SYN retransmitted
	MomentOldCall         Moment = "old-call"         // a bare ACK to a SYN: an old call on these ports is still closing
	MomentResetOldCall    Moment = "reset-old-call"   // the caller's RST that clears that old call; it rings again
	MomentAnswer          Moment = "answer"           // the server's SYN-ACK
	MomentHandshake       Moment = "handshake"        // the caller's ACK of it: the call is on
	MomentGreeting        Moment = "greeting"         // the server speaks first, "hello\n"
	MomentBusy            Moment = "busy"             // the server says "busy\n" instead
	MomentMessage         Moment = "message"          // the caller speaks
	MomentEcho            Moment = "echo"             // the server sends the caller's bytes back
	MomentRetransmit      Moment = "retransmission"   // data sent again
	MomentHangUpFirst     Moment = "hang-up-first"    // the first FIN of the call
	MomentHangUp          Moment = "hang-up"          // the other side's FIN
	MomentOver            Moment = "over"             // the last FIN acknowledged
	MomentRefused         Moment = "reset-refused"    // RST to a SYN: nothing listens
	MomentResetUnread     Moment = "reset-unread"     // RST: closed with data unread
	MomentResetAfterClose Moment = "reset-after-hang" // RST: data came after that side closed
	MomentResetOnHold     Moment = "reset-on-hold"    // the server's RST after the handshake, nothing said: closed while on hold
	MomentResetAbort      Moment = "reset-abort"      // RST with no data to explain it
	MomentResetAgain      Moment = "reset-again"      // a further RST of the same call
)

// Event is one segment as the Tracker explains it: who sent it in the
// call's terms, its numbers relative to the call's start, and the key
// moments it marks.
type Event struct {
	Call  int            `json:"call"` // calls are numbered from 1 in the order they are first seen
	Time  time.Time      `json:"time"` // when the segment was captured
	Since time.Duration  `json:"-"`    // since the call's first segment
	MS    float64        `json:"ms"`   // Since in milliseconds, to the microsecond
	From  string         `json:"from"` // the sender's name, or its IP (ip:port when both sides would read the same)
	To    string         `json:"to"`
	Src   netip.AddrPort `json:"src"`
	Dst   netip.AddrPort `json:"dst"`
	Flags string         `json:"flags"`
	Seq   uint32         `json:"seq"`           // relative to the sender's first sequence number
	Ack   *uint32        `json:"ack,omitempty"` // relative, only when the ACK flag is set
	Len   int            `json:"len"`           // payload bytes
	// Data is the payload, at most maxJSONData bytes of it; invalid UTF-8
	// turns into U+FFFD in JSON.
	Data    string   `json:"data,omitempty"`
	Moments []Moment `json:"moments,omitempty"`
	Gloss   string   `json:"gloss,omitempty"`

	// NewCall is set on the first segment of a call, with the call's two
	// ends named for a header line.
	NewCall bool   `json:"-"`
	Caller  string `json:"-"` // "laptop-b (172.28.5.20:41234)" or "172.28.5.20:41234"
	Server  string `json:"-"`

	payload []byte // the whole payload, for the text preview
}

const (
	// maxJSONData bounds Event.Data: enough for the lecture's lines, and a
	// megabyte stays one readable line.
	maxJSONData = 256
	// maxKept bounds how much of each side's stream a call keeps to
	// recognize the echo: twice the server's one read.
	maxKept = 2 * lab.MaxRead
	// maxCalls bounds the calls tracked at once; a crowd of callers
	// beyond it loses the oldest calls' numbering, not memory.
	maxCalls = 4096
)

// Tracker follows the calls to one port and turns segments into Events.
// It is not safe for concurrent use: one goroutine reads the wire.
type Tracker struct {
	port  uint16
	names Names
	calls map[callKey]*call
	n     int
}

// NewTracker follows calls to port (the server's side), naming
// addresses from names.
func NewTracker(port uint16, names Names) *Tracker {
	return &Tracker{port: port, names: names, calls: map[callKey]*call{}}
}

// Calls is how many calls have been seen so far.
func (t *Tracker) Calls() int { return t.n }

type callKey struct{ a, b netip.AddrPort } // a < b, so both directions find the call

func keyOf(s Segment) callKey {
	if s.Src.Compare(s.Dst) < 0 {
		return callKey{s.Src, s.Dst}
	}
	return callKey{s.Dst, s.Src}
}

// Sides of a call, as indexes into its per-side arrays.
const (
	caller = 0
	server = 1
)

// call is what a Tracker remembers of one connection.
type call struct {
	n         int
	start     time.Time
	last      time.Time
	addr      [2]netip.AddrPort // caller, server
	label     [2]string         // as Event.From shows them
	base      [2]uint32         // each side's sequence number that shows as 0
	known     [2]bool           // base is set
	next      [2]uint32         // relative sequence number each side sends next
	sent      [2]int            // payload bytes sent in order
	kept      [2][]byte         // the first maxKept bytes each side sent
	lastSpoke int               // the side that sent the last payload, -1 before any
	synAck    bool
	handshake bool
	greetedAt int // bytes the server had sent when the caller first spoke
	fin       [2]bool
	finSeq    [2]uint32
	talkAfter [2]bool // this side sent data after the other side's FIN
	rang      bool    // the caller's SYN has been seen
	oldCall   bool    // the SYN met an old call on the same ports, still closing
	resets    int
	over      bool // ended by a reset or by the ACK of the last FIN
}

// Observe explains one segment captured at ts.
func (t *Tracker) Observe(ts time.Time, s Segment) Event {
	c, isNew := t.find(ts, s)
	from := caller
	if s.Src == c.addr[server] {
		from = server
	}
	to := 1 - from
	c.last = ts

	if s.Flags.Has(SYN) {
		c.base[from], c.known[from] = s.Seq, true
		c.next[from] = 1
	} else if !c.known[from] {
		// Watching began mid-call: pretend the handshake took seq 0.
		c.base[from], c.known[from] = s.Seq-1, true
		c.next[from] = 1
	}
	e := Event{
		Call:  c.n,
		Time:  ts,
		Since: ts.Sub(c.start),
		From:  c.label[from],
		To:    c.label[to],
		Src:   s.Src,
		Dst:   s.Dst,
		Flags: s.Flags.String(),
		Seq:   s.Seq - c.base[from],
		Len:   len(s.Payload),
	}
	e.MS = float64(e.Since.Microseconds()) / 1000
	e.Data = string(s.Payload[:min(len(s.Payload), maxJSONData)])
	e.payload = s.Payload
	if s.Flags.Has(ACK) {
		if !c.known[to] {
			c.base[to], c.known[to] = s.Ack-1, true
			c.next[to] = 1
		}
		ack := s.Ack - c.base[to]
		e.Ack = &ack
	}
	if isNew {
		e.NewCall = true
		e.Caller, e.Server = t.describe(c.addr[caller]), t.describe(c.addr[server])
	}
	var g glosser
	c.explain(&g, s, e, from)
	e.Moments, e.Gloss = g.moments, strings.Join(g.words, "; ")
	return e
}

// find returns the call s belongs to, starting a new one for a segment of
// an unknown connection or for a fresh SYN on a connection that is over.
func (t *Tracker) find(ts time.Time, s Segment) (*call, bool) {
	k := keyOf(s)
	if c, ok := t.calls[k]; ok {
		// A fresh SYN on a finished connection is a new call on the same ports.
		fresh := s.Flags&(SYN|ACK) == SYN && (c.over || c.synAck && s.Seq != c.base[caller])
		if !fresh {
			return c, false
		}
	}
	t.evict()
	t.n++
	c := &call{n: t.n, start: ts, lastSpoke: -1}
	switch {
	case s.Flags&(SYN|ACK) == SYN:
		c.addr = [2]netip.AddrPort{s.Src, s.Dst}
	case s.Flags.Has(SYN | ACK):
		c.addr = [2]netip.AddrPort{s.Dst, s.Src}
	case s.Src.Port() == t.port && s.Dst.Port() != t.port:
		c.addr = [2]netip.AddrPort{s.Dst, s.Src}
	default:
		c.addr = [2]netip.AddrPort{s.Src, s.Dst}
	}
	c.label[caller], c.label[server] = t.names.name(c.addr[caller].Addr()), t.names.name(c.addr[server].Addr())
	if c.label[caller] == c.label[server] {
		// Both ends on one host (the loopback): only the ports tell them apart.
		for i, a := range c.addr {
			c.label[i] = net.JoinHostPort(c.label[i], strconv.Itoa(int(a.Port())))
		}
	}
	t.calls[k] = c
	return c, true
}

// describe names an end of a call for its header line.
func (t *Tracker) describe(a netip.AddrPort) string {
	if name, ok := t.names[a.Addr()]; ok {
		return fmt.Sprintf("%s (%s)", name, a)
	}
	return a.String()
}

// evict makes room for one more call: finished calls go first, then the
// one heard from least recently.
func (t *Tracker) evict() {
	if len(t.calls) < maxCalls {
		return
	}
	var oldest callKey
	var oldestAt time.Time
	for k, c := range t.calls {
		if c.over {
			delete(t.calls, k)
			continue
		}
		if oldestAt.IsZero() || c.last.Before(oldestAt) {
			oldest, oldestAt = k, c.last
		}
	}
	if len(t.calls) >= maxCalls {
		delete(t.calls, oldest)
	}
}
