package wire

import (
	"bytes"
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

// glosser collects what a segment means.
type glosser struct {
	moments []Moment
	words   []string
}

func (g *glosser) add(m Moment, format string, args ...any) {
	g.moments = append(g.moments, m)
	g.words = append(g.words, fmt.Sprintf(format, args...))
}

// explain updates the call with segment s from side from and says which
// key moments it marks. e holds s's relative numbers.
func (c *call) explain(g *glosser, s Segment, e Event, from int) {
	to := 1 - from
	me := c.label[from]
	switch {
	case s.Flags.Has(RST):
		c.explainReset(g, from)
		return
	case s.Flags&(SYN|ACK) == SYN:
		if from == caller && !c.synAck {
			if c.rang {
				g.add(MomentRingAgain, "rings again: no answer yet, so the SYN is sent again")
			} else {
				g.add(MomentRing, "the phone rings: %s calls %s", me, c.where())
			}
			c.rang = true
		}
		return
	case s.Flags.Has(SYN | ACK):
		if !c.synAck {
			g.add(MomentAnswer, "%s's kernel answers, before its program calls accept()", me)
		}
		c.synAck = true
		return
	}
	if from == caller && c.synAck && !c.handshake && s.Flags.Has(ACK) {
		c.handshake = true
		g.add(MomentHandshake, "three-way handshake done: the phone is picked up")
	}
	if len(s.Payload) > 0 {
		c.explainData(g, s, e, from)
	}
	if c.fin[to] && len(s.Payload) > 0 {
		c.talkAfter[from] = true
	}
	if s.Flags.Has(FIN) && !c.fin[from] {
		c.fin[from], c.finSeq[from] = true, e.Seq+uint32(len(s.Payload))
		if c.next[from] == c.finSeq[from] {
			c.next[from]++
		}
		if c.fin[to] {
			g.add(MomentHangUp, "%s hangs up too", me)
		} else {
			g.add(MomentHangUpFirst, "%s hangs up first (FIN): it will send nothing more, but may still listen", me)
		}
	}
	if c.fin[caller] && c.fin[server] && !s.Flags.Has(FIN) && !c.over && e.Ack != nil && *e.Ack == c.finSeq[to]+1 {
		c.over = true
		g.add(MomentOver, "the call is over")
	}
}

// where names the server's end with its port: "laptop-a at port 8000".
func (c *call) where() string {
	port := strconv.Itoa(int(c.addr[server].Port()))
	if strings.HasSuffix(c.label[server], ":"+port) {
		return c.label[server]
	}
	return c.label[server] + " at port " + port
}

// explainData glosses a segment that carries bytes: the greeting, the
// message, the echo, or a retransmission.
func (c *call) explainData(g *glosser, s Segment, e Event, from int) {
	me, them := c.label[from], c.label[1-from]
	if e.Seq != c.next[from] {
		if e.Seq+uint32(len(s.Payload)) <= c.next[from] {
			g.add(MomentRetransmit, "%s sends this again: no ACK came for it", me)
		}
		return // out of order: not added to what the side said
	}
	newTurn := c.lastSpoke != from
	first := c.sent[from] == 0
	c.next[from] += uint32(len(s.Payload))
	c.sent[from] += len(s.Payload)
	if room := maxKept - len(c.kept[from]); room > 0 {
		c.kept[from] = append(c.kept[from], s.Payload[:min(room, len(s.Payload))]...)
	}
	c.lastSpoke = from
	switch {
	case from == server && first && c.sent[caller] == 0:
		switch string(s.Payload) {
		case lab.Busy:
			g.add(MomentBusy, "busy signal: every employee at %s is on a call", me)
		case lab.Greeting:
			g.add(MomentGreeting, "the greeting: %s speaks first", me)
		default:
			g.add(MomentGreeting, "%s speaks first", me)
		}
	case from == caller && first:
		c.greetedAt = c.sent[server]
		g.add(MomentMessage, "the message: %s speaks", me)
	case from == caller && newTurn:
		g.add(MomentMessage, "%s speaks again", me)
	case from == server && newTurn && c.isEcho():
		g.add(MomentEcho, "the echo: %s sends %s's bytes back", me, them)
	}
}

// isEcho says whether all the server has said since the caller first
// spoke repeats the start of what the caller said.
func (c *call) isEcho() bool {
	if c.sent[caller] == 0 || c.greetedAt >= len(c.kept[server]) {
		return false
	}
	return bytes.HasPrefix(c.kept[caller], c.kept[server][c.greetedAt:])
}

// explainReset says why side from reset the call. The kernel sends a RST
// when a SYN finds no listener, when a socket is closed with received
// data its program never read, and when data arrives for a socket that is
// gone; watch can only infer which from what it saw.
func (c *call) explainReset(g *glosser, from int) {
	to := 1 - from
	me, them := c.label[from], c.label[to]
	c.over = true
	c.resets++
	echoed := c.sent[server] - c.greetedAt
	switch {
	case c.resets > 1:
		g.add(MomentResetAgain, "reset again: more of %s's data met a closed socket", them)
	case from == server && !c.synAck:
		g.add(MomentRefused, "reset: nothing is listening at %s, so its kernel refuses the call (connection refused)", c.where())
	case c.talkAfter[to] && c.fin[from]:
		g.add(MomentResetAfterClose, "reset: %s kept talking after %s hung up and closed its socket, so %s's kernel had no one to give the bytes to", them, me, me)
	case from == server && c.sent[caller] > 0 && echoed > 0 && echoed < c.sent[caller]:
		g.add(MomentResetUnread, "reset: %s closed its socket with data unread (%s sent %d bytes, %s read and echoed %d), so its kernel hangs up rudely and drops what is in flight", me, them, c.sent[caller], me, echoed)
	case c.sent[to] > 0:
		g.add(MomentResetUnread, "reset: %s closed its socket before reading all %s sent (%d bytes), so its kernel hangs up rudely and drops what is in flight", me, them, c.sent[to])
	default:
		g.add(MomentResetAbort, "reset: %s aborted the call (its program died, or closed with SO_LINGER 0)", me)
	}
}
