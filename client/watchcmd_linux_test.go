package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/labtest"
)

// announcer is stderr for a watch run in the background: it says when the
// capture is open, which the watch announces before showing anything.
type announcer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	opened chan struct{}
	once   sync.Once
}

func (a *announcer) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if bytes.Contains(p, []byte("watching")) {
		a.once.Do(func() { close(a.opened) })
	}
	return a.buf.Write(p)
}

func (a *announcer) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.buf.String()
}

// startWatch runs "client watch args..." in the background and returns once
// the capture is open; wait returns its stdout, stderr and exit code.
func startWatch(t *testing.T, args ...string) (wait func() (string, string, int)) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, 0)
	if err != nil {
		t.Skipf("this process cannot open a packet socket (%v): client watch needs CAP_NET_RAW", err)
	}
	syscall.Close(fd)
	var out bytes.Buffer
	errb := &announcer{opened: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"watch"}, args...), strings.NewReader(""), &out, errb) }()
	select {
	case <-errb.opened:
	case code := <-done:
		t.Fatalf("watch exited %d before capturing: %s", code, errb.String())
	}
	return func() (string, string, int) {
		code := <-done
		return out.String(), errb.String(), code
	}
}

func TestWatchCommand(t *testing.T) {
	srv := labtest.Start(t, labtest.Lecture)
	host, port := srv.Host(), srv.Port()
	pcap := filepath.Join(t.TempDir(), "call.pcap")
	wait := startWatch(t, "-iface", "lo", "-port", port, "-count", "3", "-pcap-file", pcap, "-names", "127.0.0.1=here")
	if _, errOut, code := runClient(t, "", "-send", "hi back atcha", host, port); code != exitOK {
		t.Fatalf("call: exit %d: %s", code, errOut)
	}
	out, errOut, code := wait()
	if code != exitOK {
		t.Fatalf("watch: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{"call 1: here (127.0.0.1:", "SYN      seq=0", "SYN-ACK  seq=0 ack=1", "ACK      seq=1 ack=1"}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines; want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d lacks %q:\n%s", i, w, out)
		}
	}
	if !strings.Contains(lines[1], "+0.000ms   here:") || !strings.Contains(lines[3], "three-way handshake done") {
		t.Errorf("want named ends with ports, and the handshake explained:\n%s", out)
	}
	for _, w := range []string{"watching TCP port " + port + " on lo (127.0.0.1)", "saw 3 segments in 1 call; pcap written to " + pcap + "; the kernel dropped "} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	b, err := os.ReadFile(pcap)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 || binary.LittleEndian.Uint32(b[20:]) != 1 {
		t.Fatalf("pcap file starts % x; want the pcap magic and link type 1 (Ethernet)", b[:min(24, len(b))])
	}
	records := 0
	for rest := b[24:]; len(rest) >= 16; records++ {
		rest = rest[16+int(binary.LittleEndian.Uint32(rest[8:])):]
	}
	if records != 3 {
		t.Errorf("pcap holds %d records; want 3", records)
	}
}

func TestWatchCommandRefused(t *testing.T) {
	hp := closedPort(t)
	wait := startWatch(t, "-iface", "lo", "-port", hp[1], "-count", "2", "-json")
	if _, _, code := runClient(t, "", append([]string{"-send", "hi"}, hp...)...); code != exitNetwork {
		t.Errorf("call to a closed port: exit %d; want %d", code, exitNetwork)
	}
	out, errOut, code := wait()
	if code != exitOK {
		t.Fatalf("watch: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"flags":"RST,ACK"`) || !strings.Contains(out, `"moments":["reset-refused"]`) || !strings.Contains(out, "connection refused") {
		t.Errorf("want the reset explained as a refusal:\n%s", out)
	}
}

func TestWatchCommandDuration(t *testing.T) {
	start := time.Now()
	wait := startWatch(t, "-iface", "lo", "-port", closedPort(t)[1], "-duration", "100ms")
	out, errOut, code := wait()
	if code != exitOK || out != "" || !strings.Contains(errOut, "saw 0 segments in 0 calls; the kernel dropped 0 frames\n") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 0 and nothing seen", code, out, errOut)
	}
	if took := time.Since(start); took > 10*time.Second { // a ceiling a loaded machine cannot reach
		t.Errorf("took %v; want it to end at its -duration, 100ms", took)
	}
}
