package view

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/wire"
)

// newTestPage serves a page of cs on 127.0.0.1 for the test.
func newTestPage(t *testing.T, cs *Calls, interval time.Duration) (*Page, *httptest.Server) {
	t.Helper()
	p := NewPage(cs, interval)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv
}

// stream reads a page's server-sent events, one update at a time.
type stream struct {
	t    *testing.T
	body io.ReadCloser
	sc   *bufio.Scanner
}

func openStream(t *testing.T, url string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/events", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 1<<16), 16<<20)
	return &stream{t: t, body: resp.Body, sc: sc}
}

// next returns the next update's data.
func (s *stream) next() update {
	s.t.Helper()
	event := ""
	for s.sc.Scan() {
		line := s.sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "update":
			var u update
			require.NoError(s.t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &u))
			return u
		}
	}
	s.t.Fatalf("the stream ended: %v", s.sc.Err())
	return update{}
}

func TestEventsSendTheWholePageThenWhatChanged(t *testing.T) {
	cs := NewCalls(0, labNames)
	tr := wire.NewTracker(8000, labNames)
	start := time.Now()
	f, ts := lectureCall(netip.AddrPortFrom(laptopB, 41234), start, "hi back atcha\n")
	feed(cs, tr, f, ts)
	p, srv := newTestPage(t, cs, 10*time.Millisecond)

	s := openStream(t, srv.URL)
	first := s.next()
	require.Len(t, first.Calls, 1, "the first update holds every call kept")
	require.Len(t, first.Calls[0].Segs, 11)

	f, ts = lectureCall(netip.AddrPortFrom(gateway, 50000), start, "from the host\n")
	feed(cs, tr, f[:3], ts[:3]) // the handshake alone
	u := s.next()
	require.Len(t, u.Calls, 1, "only the call that changed")
	require.Equal(t, 2, u.Calls[0].N)
	require.Equal(t, YourComputer, u.Calls[0].Caller.Name)

	p.SetCenter(Center{Queue: 3, Backlog: 5, Listening: true, QueueKnown: true})
	for u = s.next(); u.Center.Queue != 3; u = s.next() { // bounded by the test's timeout
	}
	require.Equal(t, 5, u.Center.Backlog)
	require.Empty(t, u.Calls, "the call center moved, no call did")
}

// TestEventsCoalesceACrowd feeds 2,000 calls (22,000 segments) as fast as
// it can while a page listens: the page gets a handful of updates, the
// last of which counts every call.
func TestEventsCoalesceACrowd(t *testing.T) {
	cs := NewCalls(0, labNames)
	tr := wire.NewTracker(8000, labNames)
	_, srv := newTestPage(t, cs, 200*time.Millisecond)
	s := openStream(t, srv.URL)
	s.next()

	const calls = 2000
	go func() {
		start := time.Now()
		for i := range calls {
			f, ts := lectureCall(netip.AddrPortFrom(gateway, uint16(10000+i)), start, "x\n")
			feed(cs, tr, f, ts)
		}
	}()
	updates := 0
	for {
		u := s.next()
		updates++
		require.LessOrEqual(t, len(u.Calls), DefaultKeep, "an update holds at most the calls kept")
		if u.Totals.Calls == calls && u.Totals.Segments == 11*calls {
			break
		}
	}
	t.Logf("%d calls, %d segments: %d updates", calls, 11*calls, updates)
	require.Less(t, updates, 50, "updates are coalesced, not one per segment")
}

func TestPageServesItsAssetsAndDownloads(t *testing.T) {
	cs := NewCalls(0, labNames)
	tr := wire.NewTracker(8000, labNames)
	f, ts := lectureCall(netip.AddrPortFrom(laptopB, 41234), time.Now(), "hi back atcha\n")
	feed(cs, tr, f, ts)
	_, srv := newTestPage(t, cs, 0)

	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}
	for _, tc := range []struct{ path, typ, has string }{
		{"/", "text/html", "<script src=\"app.js\">"},
		{"/app.js", "javascript", "new EventSource(\"events\")"},
		{"/style.css", "text/css", "#ladder"},
		{"/calls/1.svg", "image/svg+xml", "<svg"},
		{"/calls/1.mmd", "text/plain", "sequenceDiagram"},
		{"/calls/1.pcap", "application/vnd.tcpdump.pcap", "\xd4\xc3\xb2\xa1"},
		{"/calls/1.json", "application/json", `"caller":{"name":"laptop-b"`},
		{"/state", "application/json", `"calls":[{"n":1`},
	} {
		resp, body := get(tc.path)
		require.Equal(t, http.StatusOK, resp.StatusCode, tc.path)
		require.Contains(t, resp.Header.Get("Content-Type"), tc.typ, tc.path)
		require.Contains(t, body, tc.has, tc.path)
	}
	for _, path := range []string{"/calls/2.svg", "/calls/1.exe", "/calls/x.svg"} {
		resp, _ := get(path)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
	resp, _ := get("/calls/1.pcap?download")
	require.Equal(t, `attachment; filename="call-1.pcap"`, resp.Header.Get("Content-Disposition"))

	t.Run("a name other than localhost is refused", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/state", nil)
		require.NoError(t, err)
		req.Host = "attacker.example:8080"
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		for _, host := range []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080", "172.28.5.10"} {
			require.True(t, localHost(host), host)
		}
	})
}
