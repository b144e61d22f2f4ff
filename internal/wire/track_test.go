package wire

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// observe runs segs through a fresh Tracker for port 8000 and returns the events.
func observe(t *testing.T, segs []seg) []Event {
	t.Helper()
	tr := NewTracker(8000, labNames)
	var events []Event
	for i, s := range segs {
		d, err := Decode(build(s))
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		events = append(events, tr.Observe(at(i), d))
	}
	return events
}

// moments lists each event's moments, "-" for none.
func moments(events []Event) []string {
	var got []string
	for _, e := range events {
		m := "-"
		if len(e.Moments) > 0 {
			var s []string
			for _, x := range e.Moments {
				s = append(s, string(x))
			}
			m = strings.Join(s, "+")
		}
		got = append(got, m)
	}
	return got
}

func TestTrackerLectureCallText(t *testing.T) {
	var b strings.Builder
	p := newPrinter(&b, false)
	for _, e := range observe(t, lectureCall()) {
		if err := p.print(e); err != nil {
			t.Fatal(err)
		}
	}
	want := `call 1: laptop-b (172.28.5.20:41234) calls laptop-a (172.28.5.10:8000)
+0.000ms   laptop-b → laptop-a  SYN      seq=0            len=0   ← the phone rings: laptop-b calls laptop-a at port 8000
+0.100ms   laptop-a → laptop-b  SYN-ACK  seq=0 ack=1      len=0   ← laptop-a's kernel answers, before its program calls accept()
+0.200ms   laptop-b → laptop-a  ACK      seq=1 ack=1      len=0   ← three-way handshake done: the phone is picked up
+0.300ms   laptop-a → laptop-b  PSH,ACK  seq=1 ack=1      len=6  "hello\n"   ← the greeting: laptop-a speaks first
+0.400ms   laptop-b → laptop-a  ACK      seq=1 ack=7      len=0
+0.500ms   laptop-b → laptop-a  PSH,ACK  seq=1 ack=7      len=14  "hi back atcha\n"   ← the message: laptop-b speaks
+0.600ms   laptop-a → laptop-b  PSH,ACK  seq=7 ack=15     len=14  "hi back atcha\n"   ← the echo: laptop-a sends laptop-b's bytes back
+0.700ms   laptop-a → laptop-b  FIN,ACK  seq=21 ack=15    len=0   ← laptop-a hangs up first (FIN): it will send nothing more, but may still listen
+0.800ms   laptop-b → laptop-a  FIN,ACK  seq=15 ack=22    len=0   ← laptop-b hangs up too
+0.900ms   laptop-a → laptop-b  ACK      seq=22 ack=16    len=0   ← the call is over
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestTrackerLectureCallJSON(t *testing.T) {
	events := observe(t, lectureCall())
	b, err := json.Marshal(events[3])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"call":1,"time":"2026-01-12T09:00:00.0003Z","ms":0.3,"from":"laptop-a","to":"laptop-b","src":"172.28.5.10:8000","dst":"172.28.5.20:41234","flags":"PSH,ACK","seq":1,"ack":1,"len":6,"data":"hello\n","moments":["greeting"],"gloss":"the greeting: laptop-a speaks first"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(events[0])
	if strings.Contains(string(b), `"ack"`) {
		t.Errorf("a SYN has no ack; got %s", b)
	}
}

func TestTrackerMoments(t *testing.T) {
	const isnB, isnA = 1000, 5000
	handshake := lectureCall()[:4] // SYN, SYN-ACK, ACK, greeting
	big := strings.Repeat("x", 1000)
	tests := []struct {
		name string
		segs []seg
		want []string
	}{
		{
			name: "lecture call",
			segs: lectureCall(),
			want: []string{"ring", "answer", "handshake", "greeting", "-", "message", "echo", "hang-up-first", "hang-up", "over"},
		},
		{
			name: "refused: nothing listens",
			segs: []seg{
				{src: laptopB, dst: laptopA, seq: isnB, flags: SYN},
				{src: laptopA, dst: laptopB, ack: isnB + 1, flags: RST | ACK},
			},
			want: []string{"ring", "reset-refused"},
		},
		{
			name: "the SYN sent again",
			segs: []seg{
				{src: laptopB, dst: laptopA, seq: isnB, flags: SYN},
				{src: laptopB, dst: laptopA, seq: isnB, flags: SYN},
			},
			want: []string{"ring", "ring-again"},
		},
		{
			name: "naive close: 3000 bytes sent, 1000 read",
			segs: append(slices.Clone(handshake),
				seg{src: laptopB, dst: laptopA, seq: isnB + 1, ack: isnA + 7, flags: ACK, payload: big},
				seg{src: laptopB, dst: laptopA, seq: isnB + 1001, ack: isnA + 7, flags: ACK, payload: big},
				seg{src: laptopB, dst: laptopA, seq: isnB + 2001, ack: isnA + 7, flags: PSH | ACK, payload: big},
				seg{src: laptopA, dst: laptopB, seq: isnA + 7, ack: isnB + 3001, flags: PSH | ACK, payload: big},
				seg{src: laptopA, dst: laptopB, seq: isnA + 1007, ack: isnB + 3001, flags: RST | ACK},
			),
			want: []string{"ring", "answer", "handshake", "greeting", "message", "-", "-", "echo", "reset-unread"},
		},
		{
			name: "data after the hang-up",
			segs: append(slices.Clone(handshake),
				seg{src: laptopA, dst: laptopB, seq: isnA + 7, ack: isnB + 1, flags: FIN | ACK},
				seg{src: laptopB, dst: laptopA, seq: isnB + 1, ack: isnA + 8, flags: PSH | ACK, payload: "late\n"},
				seg{src: laptopA, dst: laptopB, seq: isnA + 8, flags: RST},
				seg{src: laptopB, dst: laptopA, seq: isnB + 6, ack: isnA + 8, flags: PSH | ACK, payload: "later\n"},
				seg{src: laptopA, dst: laptopB, seq: isnA + 8, flags: RST},
			),
			want: []string{"ring", "answer", "handshake", "greeting", "hang-up-first", "message", "reset-after-hang", "-", "reset-again"},
		},
		{
			name: "an old call on the same ports still closing",
			segs: append(lectureCall(), oldCallStillClosing()...),
			want: []string{"ring", "answer", "handshake", "greeting", "-", "message", "echo", "hang-up-first", "hang-up", "over",
				"ring", "old-call", "reset-old-call", "ring-again", "answer", "handshake", "greeting"},
		},
		{
			name: "closed while on hold: reset after the handshake, nothing said",
			segs: append(slices.Clone(handshake[:3]),
				seg{src: laptopA, dst: laptopB, seq: isnA + 1, ack: isnB + 1, flags: RST | ACK},
			),
			want: []string{"ring", "answer", "handshake", "reset-on-hold"},
		},
		{
			name: "the caller resets before the greeting",
			segs: append(slices.Clone(handshake[:3]),
				seg{src: laptopB, dst: laptopA, seq: isnB + 1, ack: isnA + 1, flags: RST | ACK},
			),
			want: []string{"ring", "answer", "handshake", "reset-abort"},
		},
		{
			name: "the caller hangs up without reading the greeting",
			segs: append(slices.Clone(handshake),
				seg{src: laptopB, dst: laptopA, seq: isnB + 1, ack: isnA + 7, flags: RST | ACK},
			),
			want: []string{"ring", "answer", "handshake", "greeting", "reset-unread"},
		},
		{
			name: "busy signal",
			segs: append(slices.Clone(handshake[:3]),
				seg{src: laptopA, dst: laptopB, seq: isnA + 1, ack: isnB + 1, flags: FIN | PSH | ACK, payload: "busy\n"},
			),
			want: []string{"ring", "answer", "handshake", "busy+hang-up-first"},
		},
		{
			name: "echo mode: two turns, a retransmission",
			segs: append(slices.Clone(handshake),
				seg{src: laptopB, dst: laptopA, seq: isnB + 1, ack: isnA + 7, flags: PSH | ACK, payload: "one\n"},
				seg{src: laptopA, dst: laptopB, seq: isnA + 7, ack: isnB + 5, flags: PSH | ACK, payload: "one\n"},
				seg{src: laptopB, dst: laptopA, seq: isnB + 5, ack: isnA + 11, flags: PSH | ACK, payload: "two\n"},
				seg{src: laptopB, dst: laptopA, seq: isnB + 5, ack: isnA + 11, flags: PSH | ACK, payload: "two\n"},
				seg{src: laptopA, dst: laptopB, seq: isnA + 11, ack: isnB + 9, flags: PSH | ACK, payload: "two\n"},
			),
			want: []string{"ring", "answer", "handshake", "greeting", "message", "echo", "message", "retransmission", "echo"},
		},
		{
			name: "watching from the middle of a call",
			segs: []seg{
				{src: laptopA, dst: laptopB, seq: 77, ack: 99, flags: PSH | ACK, payload: "hello\n"},
				{src: laptopB, dst: laptopA, seq: 99, ack: 83, flags: PSH | ACK, payload: "hi\n"},
				{src: laptopA, dst: laptopB, seq: 83, ack: 102, flags: PSH | ACK, payload: "hi\n"},
			},
			want: []string{"greeting", "message", "echo"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := observe(t, tt.segs)
			if got := moments(events); !slices.Equal(got, tt.want) {
				t.Errorf("got moments  %q\nwant moments %q", got, tt.want)
			}
			for _, e := range events {
				if len(e.Moments) > 0 && e.Gloss == "" {
					t.Errorf("event %+v has moments but no gloss", e)
				}
			}
		})
	}
}

func TestTrackerGlossesSayWhy(t *testing.T) {
	const isnB, isnA = 1000, 5000
	big := strings.Repeat("x", 1000)
	segs := append(lectureCall()[:4],
		seg{src: laptopB, dst: laptopA, seq: isnB + 1, ack: isnA + 7, flags: ACK, payload: big},
		seg{src: laptopB, dst: laptopA, seq: isnB + 1001, ack: isnA + 7, flags: ACK, payload: big},
		seg{src: laptopB, dst: laptopA, seq: isnB + 2001, ack: isnA + 7, flags: PSH | ACK, payload: big},
		seg{src: laptopA, dst: laptopB, seq: isnA + 7, ack: isnB + 3001, flags: PSH | ACK, payload: big},
		seg{src: laptopA, dst: laptopB, seq: isnA + 1007, ack: isnB + 3001, flags: RST | ACK},
	)
	events := observe(t, segs)
	got := events[len(events)-1].Gloss
	want := "reset: laptop-a closed its socket with data unread (laptop-b sent 3000 bytes, laptop-a read and echoed 1000), so its kernel hangs up rudely and drops what is in flight"
	if got != want {
		t.Errorf("got gloss %q\nwant %q", got, want)
	}
	refused := observe(t, []seg{
		{src: laptopB, dst: laptopA, seq: isnB, flags: SYN},
		{src: laptopA, dst: laptopB, ack: isnB + 1, flags: RST | ACK},
	})
	onHold := observe(t, append(lectureCall()[:3], seg{src: laptopA, dst: laptopB, seq: isnA + 1, ack: isnB + 1, flags: RST | ACK}))
	if got, want := onHold[3].Gloss, "reset: laptop-a closed its listening socket while laptop-b was still on hold in the queue: its kernel had picked up, but no program ever took the call"; got != want {
		t.Errorf("got gloss %q\nwant %q", got, want)
	}
	e := refused[1]
	if want := "reset: nothing is listening at laptop-a at port 8000, so its kernel refuses the call (connection refused)"; e.Gloss != want {
		t.Errorf("got gloss %q\nwant %q", e.Gloss, want)
	}
	if e.Flags != "RST,ACK" || e.Seq != 1 || e.Ack == nil || *e.Ack != 1 {
		t.Errorf("got %s seq=%d ack=%v; want RST,ACK seq=1 ack=1", e.Flags, e.Seq, e.Ack)
	}
}

// oldCallStillClosing follows lectureCall on the same ports: laptop-b
// rings again from port 41234 while laptop-a still holds the old call in
// TIME_WAIT, and its new SYN's number (900) is below the old call's, so
// laptop-a's kernel answers with the old call's ACK. laptop-b's kernel
// resets that, and a second later sends the same SYN again, which now
// finds the listener.
func oldCallStillClosing() []seg {
	const isnB, isnA = 900, 7000
	return []seg{
		{src: laptopB, dst: laptopA, seq: isnB, flags: SYN, tcpOpts: synOptions},
		{src: laptopA, dst: laptopB, seq: 5023, ack: 1016, flags: ACK},
		{src: laptopB, dst: laptopA, seq: 1016, flags: RST},
		{src: laptopB, dst: laptopA, seq: isnB, flags: SYN, tcpOpts: synOptions},
		{src: laptopA, dst: laptopB, seq: isnA, ack: isnB + 1, flags: SYN | ACK, tcpOpts: synOptions},
		{src: laptopB, dst: laptopA, seq: isnB + 1, ack: isnA + 1, flags: ACK},
		{src: laptopA, dst: laptopB, seq: isnA + 1, ack: isnB + 1, flags: PSH | ACK, payload: "hello\n"},
	}
}

func TestTrackerOldCallStillClosing(t *testing.T) {
	var b strings.Builder
	p := newPrinter(&b, false)
	for i, e := range observe(t, append(lectureCall(), oldCallStillClosing()...)) {
		if want := 1 + min(i/len(lectureCall()), 1); e.Call != want {
			t.Errorf("segment %d: got call %d; want %d: the SYN sent again rings the same call", i, e.Call, want)
		}
		if i >= len(lectureCall()) {
			if err := p.print(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := `call 2: laptop-b (172.28.5.20:41234) calls laptop-a (172.28.5.10:8000)
+0.000ms   laptop-b → laptop-a  SYN      seq=0            len=0   ← the phone rings: laptop-b calls laptop-a at port 8000
+0.100ms   laptop-a → laptop-b  ACK      seq=1 ack=116    len=0   ← an old call on these ports is still closing: laptop-a's kernel answers with the old call's numbers
+0.200ms   laptop-b → laptop-a  RST      seq=116          len=0   ← reset: laptop-b's kernel clears the old call off these ports, so that it can ring again
+0.300ms   laptop-b → laptop-a  SYN      seq=0            len=0   ← rings again: the old call is cleared, so the SYN is sent again
+0.400ms   laptop-a → laptop-b  SYN-ACK  seq=0 ack=1      len=0   ← laptop-a's kernel answers, before its program calls accept()
+0.500ms   laptop-b → laptop-a  ACK      seq=1 ack=1      len=0   ← three-way handshake done: the phone is picked up
+0.600ms   laptop-a → laptop-b  PSH,ACK  seq=1 ack=1      len=6  "hello\n"   ← the greeting: laptop-a speaks first
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestTrackerCallsAndNames(t *testing.T) {
	tr := NewTracker(18090, nil)
	lo := func(port uint16) netip.AddrPort { return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port) }
	first := tr.Observe(at(0), Segment{Src: lo(50000), Dst: lo(18090), Seq: 1, Flags: SYN})
	other := tr.Observe(at(1), Segment{Src: lo(50002), Dst: lo(18090), Seq: 9, Flags: SYN})
	again := tr.Observe(at(2), Segment{Src: lo(18090), Dst: lo(50000), Seq: 4, Ack: 2, Flags: SYN | ACK})
	switch {
	case first.Call != 1 || !first.NewCall || other.Call != 2 || !other.NewCall || again.Call != 1 || again.NewCall:
		t.Errorf("got calls %d %d %d; want 1 2 1, the first two new", first.Call, other.Call, again.Call)
	case first.From != "127.0.0.1:50000" || first.To != "127.0.0.1:18090":
		t.Errorf("one host at both ends: got %s → %s; want the ports shown", first.From, first.To)
	case first.Caller != "127.0.0.1:50000" || first.Server != "127.0.0.1:18090":
		t.Errorf("got caller %s, server %s", first.Caller, first.Server)
	case again.Since != at(2).Sub(at(0)):
		t.Errorf("got %v since the call began; want %v", again.Since, at(2).Sub(at(0)))
	}
	if tr.Calls() != 2 {
		t.Errorf("got %d calls; want 2", tr.Calls())
	}

	named := NewTracker(8000, labNames).Observe(at(0), Segment{
		Src: netip.MustParseAddrPort(laptopB), Dst: netip.MustParseAddrPort("172.28.5.99:8000"), Flags: SYN})
	if named.From != "laptop-b" || named.To != "172.28.5.99" || named.Caller != "laptop-b (172.28.5.20:41234)" {
		t.Errorf("got %s → %s, caller %s; want names where known, IPs elsewhere", named.From, named.To, named.Caller)
	}
}

func TestTrackerNewCallOnReusedPorts(t *testing.T) {
	tr := NewTracker(8000, labNames)
	var last Event
	for i, s := range lectureCall() {
		d, _ := Decode(build(s))
		last = tr.Observe(at(i), d)
	}
	d, _ := Decode(build(seg{src: laptopB, dst: laptopA, seq: 90000, flags: SYN}))
	next := tr.Observe(at(20), d)
	if last.Call != 1 || next.Call != 2 || !next.NewCall || next.Since != 0 {
		t.Errorf("got call %d then %d (new %v, since %v); want a new call 2 from 0", last.Call, next.Call, next.NewCall, next.Since)
	}
}

func TestTrackerEvictsOldCalls(t *testing.T) {
	tr := NewTracker(8000, nil)
	for i := range maxCalls + 10 {
		s := Segment{Src: netip.AddrPortFrom(netip.MustParseAddr("10.0.0.1"), uint16(1024+i)), Dst: netip.MustParseAddrPort("10.0.0.2:8000"), Flags: SYN}
		tr.Observe(at(i), s)
	}
	if len(tr.calls) > maxCalls {
		t.Errorf("got %d calls kept; want at most %d", len(tr.calls), maxCalls)
	}
}
