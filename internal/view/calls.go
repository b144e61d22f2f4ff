package view

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/socketlab/socketlab/internal/wire"
)

// Limits that keep a crowd from drowning the page or the watcher's memory.
const (
	// DefaultKeep is how many calls the page shows; older ones only count.
	DefaultKeep = 40
	// maxSegs bounds the segments kept per call: a lecture call has about
	// a dozen, a long telnet session in echo mode may have thousands.
	maxSegs = 200
	// maxFrame bounds the bytes kept of each frame for the call's pcap; the
	// pcap record still says how long the frame was on the wire.
	maxFrame = 2048
	// maxHex is how many bytes of an unprintable payload the page shows.
	maxHex = 32
	// rateBuckets of rateStep each make the window calls/s is counted over.
	rateBuckets = 10
	rateStep    = 100 * time.Millisecond
)

// Party is one end of a call as the page names it.
type Party struct {
	Name string `json:"name"` // laptop-a, laptop-b, your computer, or the IP
	Addr string `json:"addr"` // ip:port
}

// Seg is one segment as the page draws it: one arrow of the ladder.
type Seg struct {
	MS         float64       `json:"ms"`            // since the call's first segment
	FromServer bool          `json:"fromServer"`    // the arrow points from the server to the caller
	Flags      string        `json:"flags"`         // SYN, SYN-ACK, PSH,ACK, ...
	Seq        uint32        `json:"seq"`           // relative to the sender's first
	Ack        *uint32       `json:"ack,omitempty"` // relative, when the ACK flag is set
	Len        int           `json:"len"`           // payload bytes
	Text       string        `json:"text,omitempty"`
	Hex        string        `json:"hex,omitempty"` // the first bytes, when not printable
	Moments    []wire.Moment `json:"moments,omitempty"`
	Gloss      string        `json:"gloss,omitempty"` // the watcher's explanation
}

// Call is one call as the page shows it.
type Call struct {
	N      int       `json:"n"` // numbered from 1 in the order the watcher saw them
	Caller Party     `json:"caller"`
	Server Party     `json:"server"`
	Start  time.Time `json:"start"`
	// At is Start in Unix milliseconds, for the page's own clock: the
	// page measures how long after a call's last segment it drew it.
	At   float64 `json:"at"`
	Segs []Seg   `json:"segs"`
	More int     `json:"more,omitempty"` // segments seen beyond maxSegs, not kept
	// Outcome is the call's end so far: "" while it runs normally, then
	// "echoed", "busy", "refused" or "reset"; Over says it is finished.
	Outcome string `json:"outcome,omitempty"`
	Over    bool   `json:"over"`

	version uint64
	server  netip.AddrPort
	frames  []frame
}

// frame is one captured frame, kept for the call's pcap.
type frame struct {
	ts      time.Time
	data    []byte
	origLen int
}

// Totals counts every call and segment seen, kept on the page or not.
type Totals struct {
	Calls     int     `json:"calls"`
	Segments  int     `json:"segments"`
	Shown     int     `json:"shown"`    // calls on the page
	Answered  int     `json:"answered"` // calls greeted with hello
	Echoed    int     `json:"echoed"`
	Busy      int     `json:"busy"` // busy signals
	Refused   int     `json:"refused"`
	Resets    int     `json:"resets"` // calls ended by a reset
	PerSecond float64 `json:"perSecond"`
}

// Calls is the watched calls: the last Keep in full, counts of all. It is
// safe for concurrent use: the capture adds to it, the page's streams read it.
type Calls struct {
	keep  int
	names wire.Names

	mu      sync.Mutex
	version uint64
	byN     map[int]*Call
	order   []int // call numbers on the page, oldest first
	totals  Totals
	rate    [rateBuckets]int // new calls per rateStep, a ring
	rateAt  time.Time        // start of the bucket rate[rateIdx]
	rateIdx int
	subs    map[chan struct{}]struct{}
}

// NewCalls keeps the last keep calls (DefaultKeep when not positive),
// naming parties from names.
func NewCalls(keep int, names wire.Names) *Calls {
	if keep <= 0 {
		keep = DefaultKeep
	}
	return &Calls{keep: keep, names: names, byN: map[int]*Call{}, subs: map[chan struct{}]struct{}{}}
}

// Observe adds one explained segment and the frame that carried it. It is
// wire.Config.Segment's shape; frame is copied.
func (cs *Calls) Observe(e wire.Event, fr []byte, origLen int) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.version++
	cs.totals.Segments++
	c := cs.byN[e.Call]
	if c == nil {
		if !e.NewCall {
			return // a call no longer on the page: counted, not shown
		}
		c = cs.add(e)
	}
	c.version = cs.version
	fromServer := e.Src == c.server
	for _, m := range e.Moments {
		cs.count(c, m)
	}
	if len(c.Segs) >= maxSegs {
		c.More++
	} else {
		s := Seg{MS: e.MS, FromServer: fromServer, Flags: e.Flags, Seq: e.Seq, Ack: e.Ack, Len: e.Len, Moments: e.Moments, Gloss: e.Gloss}
		s.Text, s.Hex = showBytes(e.Data)
		c.Segs = append(c.Segs, s)
		c.frames = append(c.frames, frame{ts: e.Time, data: append([]byte(nil), fr[:min(len(fr), maxFrame)]...), origLen: origLen})
	}
	cs.notify()
}

// add starts a call from its first event, making room on the page.
func (cs *Calls) add(e wire.Event) *Call {
	caller, server := parseEnd(e.Caller), parseEnd(e.Server)
	c := &Call{N: e.Call, Start: e.Time, At: float64(e.Time.UnixMicro()) / 1000, server: server,
		Caller: cs.party(caller), Server: cs.party(server)}
	cs.byN[c.N] = c
	cs.order = append(cs.order, c.N)
	if len(cs.order) > cs.keep {
		delete(cs.byN, cs.order[0])
		cs.order = cs.order[1:]
	}
	cs.totals.Calls++
	cs.tick(e.Time)
	cs.rate[cs.rateIdx]++
	return c
}

// count updates the totals and the call's outcome for one key moment.
func (cs *Calls) count(c *Call, m wire.Moment) {
	switch m {
	case wire.MomentGreeting:
		cs.totals.Answered++
	case wire.MomentEcho:
		cs.totals.Echoed++
		c.Outcome = "echoed"
	case wire.MomentBusy:
		cs.totals.Busy++
		c.Outcome = "busy"
	case wire.MomentRefused:
		cs.totals.Refused++
		c.Outcome, c.Over = "refused", true
	case wire.MomentOver:
		c.Over = true
	case wire.MomentResetUnread, wire.MomentResetAfterClose, wire.MomentResetOnHold, wire.MomentResetAbort:
		cs.totals.Resets++
		c.Outcome, c.Over = "reset", true
	}
}

// tick moves the calls/s window on to now, emptying buckets it passes.
func (cs *Calls) tick(now time.Time) {
	if cs.rateAt.IsZero() {
		cs.rateAt = now
		return
	}
	for steps := 0; now.Sub(cs.rateAt) >= rateStep && steps <= rateBuckets; steps++ {
		cs.rateIdx = (cs.rateIdx + 1) % rateBuckets
		cs.rate[cs.rateIdx] = 0
		cs.rateAt = cs.rateAt.Add(rateStep)
	}
	if now.Sub(cs.rateAt) >= rateStep { // a long quiet: start afresh
		cs.rateAt = now
	}
}

// party names an end of a call; the name comes from names, else its IP.
func (cs *Calls) party(a netip.AddrPort) Party {
	name, ok := cs.names[a.Addr()]
	if !ok {
		name = a.Addr().String()
	}
	return Party{Name: name, Addr: a.String()}
}

// parseEnd reads an address back from wire.Event's Caller or Server:
// "laptop-b (172.28.5.20:41234)" or "172.28.5.20:41234".
func parseEnd(s string) netip.AddrPort {
	if i := strings.LastIndexByte(s, '('); i >= 0 {
		s = strings.TrimSuffix(s[i+1:], ")")
	}
	a, _ := netip.ParseAddrPort(s)
	return a
}

// showBytes gives a payload as text when a student can read it (UTF-8
// with no control characters but newline, return and tab), else the hex
// of its first bytes.
func showBytes(data string) (text, hexs string) {
	if data == "" {
		return "", ""
	}
	printable := utf8.ValidString(data) && strings.IndexFunc(data, func(r rune) bool {
		return r != '\n' && r != '\r' && r != '\t' && !unicode.IsPrint(r) && r != ' '
	}) < 0
	if printable {
		return data, ""
	}
	b := []byte(data[:min(len(data), maxHex)])
	return "", hex.EncodeToString(b)
}

// Snapshot is what a page is sent: the calls changed since a version, the
// totals, and the page's limits.
type Snapshot struct {
	Version uint64 `json:"v"`
	Keep    int    `json:"keep"`
	// Oldest is the lowest call number still on the page: the page drops
	// those below it.
	Oldest int    `json:"oldest"`
	Calls  []Call `json:"calls"`
	Totals Totals `json:"totals"`
}

// Since returns the calls changed after version since (all of them for 0),
// oldest first, and the totals now. The calls are copies that later
// segments do not change.
func (cs *Calls) Since(since uint64, now time.Time) Snapshot {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.tick(now)
	s := Snapshot{Version: cs.version, Keep: cs.keep, Totals: cs.totals}
	s.Totals.Shown = len(cs.order)
	sum := 0
	for _, n := range cs.rate {
		sum += n
	}
	s.Totals.PerSecond = float64(sum) / (rateBuckets * rateStep).Seconds()
	if len(cs.order) > 0 {
		s.Oldest = cs.order[0]
	}
	for _, n := range cs.order {
		if c := cs.byN[n]; c.version > since {
			cp := *c
			cp.Segs = c.Segs[:len(c.Segs):len(c.Segs)]
			cp.frames = nil
			s.Calls = append(s.Calls, cp)
		}
	}
	return s
}

// Call returns a copy of call n with its frames, if it is still kept.
func (cs *Calls) Call(n int) (Call, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.byN[n]
	if !ok {
		return Call{}, false
	}
	cp := *c
	cp.Segs = c.Segs[:len(c.Segs):len(c.Segs)]
	cp.frames = c.frames[:len(c.frames):len(c.frames)]
	return cp, true
}

// Subscribe returns a channel that receives a value, without blocking the
// capture, whenever something changed since it was last read; cancel
// stops it.
func (cs *Calls) Subscribe() (changed <-chan struct{}, cancel func()) {
	ch := make(chan struct{}, 1)
	cs.mu.Lock()
	cs.subs[ch] = struct{}{}
	cs.mu.Unlock()
	return ch, func() {
		cs.mu.Lock()
		delete(cs.subs, ch)
		cs.mu.Unlock()
	}
}

// Watchers is how many pages are subscribed.
func (cs *Calls) Watchers() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.subs)
}

// Changed wakes the subscribers: the call center's numbers moved.
func (cs *Calls) Changed() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.notify()
}

func (cs *Calls) notify() {
	for ch := range cs.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
