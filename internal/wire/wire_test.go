package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSource hands out frames, then blocks until the read deadline, as
// the packet socket does on a quiet network.
type fakeSource struct {
	mu       sync.Mutex
	frames   [][]byte
	n        int
	deadline time.Time
	kick     chan struct{}
	closed   bool
	drops    int   // what dropped reports
	dropsErr error // or this error
}

func newFakeSource(frames ...[]byte) *fakeSource {
	return &fakeSource{frames: frames, kick: make(chan struct{}, 1)}
}

func (f *fakeSource) read() ([]byte, time.Time, int, error) {
	for {
		f.mu.Lock()
		if !f.deadline.IsZero() && !time.Now().Before(f.deadline) {
			f.mu.Unlock()
			return nil, time.Time{}, 0, os.ErrDeadlineExceeded
		}
		if len(f.frames) > 0 {
			fr := f.frames[0]
			f.frames = f.frames[1:]
			ts := at(f.n)
			f.n++
			f.mu.Unlock()
			return fr, ts, len(fr), nil
		}
		var timer <-chan time.Time
		if !f.deadline.IsZero() {
			timer = time.After(time.Until(f.deadline))
		}
		f.mu.Unlock()
		select {
		case <-f.kick:
		case <-timer:
		}
	}
}

func (f *fakeSource) setReadDeadline(t time.Time) error {
	f.mu.Lock()
	f.deadline = t
	f.mu.Unlock()
	select {
	case f.kick <- struct{}{}:
	default:
	}
	return nil
}

func (f *fakeSource) dropped() (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, errors.New("dropped: the source is closed")
	}
	return f.drops, f.dropsErr
}

func (f *fakeSource) close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return nil
}

// busyWire is the lecture call with other traffic around it: another
// port, ARP-sized junk, IPv6 and a broken frame.
func busyWire() [][]byte {
	var frames [][]byte
	for i, s := range lectureCall() {
		frames = append(frames, build(s))
		switch i {
		case 1:
			frames = append(frames, build(seg{src: "172.28.5.20:50000", dst: "172.28.5.10:22", flags: PSH | ACK, payload: "ssh"}))
		case 4:
			frames = append(frames, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 0x86, 0xdd, 0x60})
		case 6:
			frames = append(frames, build(lectureCall()[0])[:30]) // cut short: malformed
		}
	}
	return frames
}

func TestRunShowsOnlyThePort(t *testing.T) {
	var out, pcap bytes.Buffer
	src := newFakeSource(busyWire()...)
	src.drops = 2
	w := &Watcher{cfg: Config{Port: 8000, Count: len(lectureCall()), Names: labNames, JSON: true, Out: &out, Pcap: &pcap}, src: src}
	st, err := w.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := (Stats{Segments: 10, Calls: 1, Malformed: 1, Dropped: 2, DropsKnown: true}); st != want {
		t.Errorf("got %+v; want %+v", st, want)
	}
	if !src.closed {
		t.Error("Run left the capture open")
	}
	var flags []string
	dec := json.NewDecoder(&out)
	for dec.More() {
		var e Event
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("JSON line %d: %v", len(flags), err)
		}
		if e.Src.Port() != 8000 && e.Dst.Port() != 8000 {
			t.Errorf("got a segment of another port: %+v", e)
		}
		flags = append(flags, e.Flags)
	}
	if got, want := strings.Join(flags, " "), "SYN SYN-ACK ACK PSH,ACK ACK PSH,ACK PSH,ACK FIN,ACK FIN,ACK ACK"; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	f, err := readPcap(pcap.Bytes())
	if err != nil {
		t.Fatalf("pcap: %v", err)
	}
	if len(f.records) != 10 {
		t.Fatalf("pcap: got %d records; want 10", len(f.records))
	}
	for i, r := range f.records {
		if !bytes.Equal(r.data, build(lectureCall()[i])) {
			t.Errorf("pcap record %d is not segment %d's frame", i, i)
		}
	}
	checkMonotonic(t, f.records)
}

func TestRunStops(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		cancel time.Duration // cancel the context after this, if positive
		want   int
	}{
		{name: "count", cfg: Config{Count: 3}, want: 3},
		{name: "duration", cfg: Config{Duration: 50 * time.Millisecond}, want: 10},
		{name: "context", cancel: 50 * time.Millisecond, want: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel > 0 {
				time.AfterFunc(tt.cancel, cancel)
			}
			tt.cfg.Port = 8000
			var out bytes.Buffer
			tt.cfg.Out = &out
			w := &Watcher{cfg: tt.cfg, src: newFakeSource(busyWire()...)}
			done := make(chan struct{})
			var st Stats
			var err error
			go func() { st, err = w.Run(ctx); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not stop")
			}
			if err != nil || st.Segments != tt.want {
				t.Errorf("got %d segments, %v; want %d, no error", st.Segments, err, tt.want)
			}
			if lines := strings.Count(out.String(), "\n"); lines != tt.want+1 { // and the call's header
				t.Errorf("got %d lines; want %d:\n%s", lines, tt.want+1, out.String())
			}
		})
	}
}

func TestRunReadsDropsBeforeClosing(t *testing.T) {
	tests := []struct {
		name      string
		drops     int
		err       error
		want      int
		wantKnown bool
	}{
		{name: "none", wantKnown: true},
		{name: "some", drops: 7, want: 7, wantKnown: true},
		{name: "unknown", drops: 7, err: errors.New("no statistics")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFakeSource(busyWire()...)
			src.drops, src.dropsErr = tt.drops, tt.err
			st, err := (&Watcher{cfg: Config{Port: 8000, Count: 2}, src: src}).Run(context.Background())
			if err != nil || st.Dropped != tt.want || st.DropsKnown != tt.wantKnown {
				t.Errorf("got %d dropped (known %v), %v; want %d (known %v), no error", st.Dropped, st.DropsKnown, err, tt.want, tt.wantKnown)
			}
		})
	}
}

// failingWriter fails every write, as stdout does when a pipe reader left.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestRunReportsWriteErrors(t *testing.T) {
	w := &Watcher{cfg: Config{Port: 8000, Out: failingWriter{}}, src: newFakeSource(busyWire()...)}
	if _, err := w.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Errorf("got %v; want the write error", err)
	}
}

func TestOpenChecksConfig(t *testing.T) {
	for _, cfg := range []Config{{Port: 0}, {Port: 70000}, {Port: 8000, Count: -1}, {Port: 8000, Iface: "no-such-if0"}} {
		if w, err := Open(cfg); err == nil {
			w.Close()
			t.Errorf("Open(%+v): got no error", cfg)
		}
	}
	_, err := Open(Config{Port: 8000, Iface: "no-such-if0"})
	if !errors.Is(err, ErrNoSuchIface) || !strings.Contains(err.Error(), "have: ") || !strings.Contains(err.Error(), "lo") {
		t.Errorf("got %v; want ErrNoSuchIface with the list of interfaces", err)
	}
}
