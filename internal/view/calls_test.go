package view

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/wire"
)

func TestCallsShowALectureCallSegmentBySegment(t *testing.T) {
	cs := NewCalls(0, labNames)
	tr := wire.NewTracker(8000, labNames)
	start := time.Unix(1700000000, 0)
	frames, times := lectureCall(netip.AddrPortFrom(laptopB, 41234), start, "hi back atcha\n")
	feed(cs, tr, frames, times)

	snap := cs.Since(0, start.Add(20*time.Millisecond))
	require.Len(t, snap.Calls, 1)
	c := snap.Calls[0]
	require.Equal(t, Party{"laptop-b", "172.28.5.20:41234"}, c.Caller)
	require.Equal(t, Party{"laptop-a", "172.28.5.10:8000"}, c.Server)
	require.True(t, c.Over)
	require.Equal(t, "echoed", c.Outcome)

	var got []string
	for _, s := range c.Segs {
		dir := "→"
		if s.FromServer {
			dir = "←"
		}
		got = append(got, dir+" "+s.Label())
	}
	require.Equal(t, []string{
		`→ SYN`, `← SYN-ACK`, `→ ACK`,
		`← PSH,ACK len=6 "hello\n"`, `→ ACK`,
		`→ PSH,ACK len=14 "hi back atcha\n"`, `← ACK`,
		`← PSH,ACK len=14 "hi back atcha\n"`,
		`← FIN,ACK`, `→ FIN,ACK`, `← ACK`,
	}, got)
	require.Equal(t, "seq=1 ack=7 len=14", c.Segs[5].Numbers())
	require.Contains(t, c.Segs[0].Gloss, "the phone rings: laptop-b calls laptop-a")
	require.Equal(t, 2.0, c.Segs[2].MS)

	require.Equal(t, Totals{Calls: 1, Segments: 11, Shown: 1, Answered: 1, Echoed: 1, PerSecond: 1}, snap.Totals)

	t.Run("nothing changed since", func(t *testing.T) {
		require.Empty(t, cs.Since(snap.Version, start).Calls)
	})
}

func TestCallsKeepTheLastCallsAndCountTheRest(t *testing.T) {
	cs := NewCalls(3, labNames)
	tr := wire.NewTracker(8000, labNames)
	start := time.Unix(1700000000, 0)
	for i := range 10 {
		f, ts := lectureCall(netip.AddrPortFrom(gateway, uint16(40000+i)), start.Add(time.Duration(i)*20*time.Millisecond), "x\n")
		feed(cs, tr, f, ts)
	}
	snap := cs.Since(0, start.Add(200*time.Millisecond))
	require.Equal(t, 8, snap.Oldest)
	require.Len(t, snap.Calls, 3)
	require.Equal(t, []int{8, 9, 10}, []int{snap.Calls[0].N, snap.Calls[1].N, snap.Calls[2].N})
	require.Equal(t, YourComputer, snap.Calls[0].Caller.Name, "calls through the published port come from the gateway")
	require.Equal(t, 10, snap.Totals.Calls)
	require.Equal(t, 3, snap.Totals.Shown)
	require.Equal(t, 110, snap.Totals.Segments)
	require.Equal(t, 10, snap.Totals.Echoed)
	require.InDelta(t, 10.0, snap.Totals.PerSecond, 0.01, "10 calls in the last second")

	_, ok := cs.Call(7)
	require.False(t, ok, "call 7 is gone from the page")
	c, ok := cs.Call(10)
	require.True(t, ok)
	require.Len(t, c.frames, 11)
}

func TestCallsBoundTheSegmentsOfALongCall(t *testing.T) {
	cs := NewCalls(0, labNames)
	tr := wire.NewTracker(8000, labNames)
	caller, server := netip.AddrPortFrom(laptopB, 41000), netip.AddrPortFrom(laptopA, 8000)
	now := time.Unix(1700000000, 0)
	var frames [][]byte
	var times []time.Time
	frames = append(frames, frameOf(caller, server, 1, 0, wire.SYN, ""))
	for i := range maxSegs + 50 {
		frames = append(frames, frameOf(caller, server, uint32(2+i), 1, wire.ACK|wire.PSH, "a"))
	}
	for range frames {
		times = append(times, now)
	}
	feed(cs, tr, frames, times)
	c, ok := cs.Call(1)
	require.True(t, ok)
	require.Len(t, c.Segs, maxSegs)
	require.Equal(t, 51, c.More)
}

func TestShowBytes(t *testing.T) {
	for _, tc := range []struct{ in, text, hex string }{
		{"hello\n", "hello\n", ""},
		{"héllo\r\n\t", "héllo\r\n\t", ""},
		{"\x00\x01\xff", "", "0001ff"},
		{"\x1b[2J", "", "1b5b324a"},
		{"", "", ""},
	} {
		text, hex := showBytes(tc.in)
		require.Equal(t, [2]string{tc.text, tc.hex}, [2]string{text, hex}, "%q", tc.in)
	}
}

func TestParseRouteFindsTheDefaultGateway(t *testing.T) {
	const route = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t00000000\t01051CAC\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
		"eth0\t00051CAC\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	gw, err := parseRoute(stringsReader(route))
	require.NoError(t, err)
	if nativeLittle() {
		require.Equal(t, gateway, gw)
	}
	_, err = parseRoute(stringsReader("Iface\tDestination\tGateway\n"))
	require.Error(t, err)
}

// BenchmarkObserve is the capture's work per lecture call once a frame is
// read: decoding, the tracker's explanations and keeping it for the page
// (11 segments a call). The web view's CPU at a given calls/s follows.
func BenchmarkObserve(b *testing.B) {
	cs := NewCalls(0, labNames)
	tr := wire.NewTracker(8000, labNames)
	start := time.Unix(1700000000, 0)
	var calls [64][][]byte
	var times []time.Time
	for i := range calls {
		calls[i], times = lectureCall(netip.AddrPortFrom(gateway, uint16(20000+i)), start, "hi back atcha\n")
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		feed(cs, tr, calls[i%len(calls)], times)
	}
}
