package labtest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

func TestHandlers(t *testing.T) {
	msg := []byte("hi back atcha\n")
	tests := []struct {
		name    string
		h       Handler
		want    lab.Kind // what lab.Exchange says; "" for a good call
		wantRes string   // the echo, for a good call
	}{
		{"lecture", Lecture, "", string(msg)},
		{"scripted", Scripted("howdy\n", func([]byte) []byte { return []byte("bye\n") }), "", "bye\n"},
		{"busy", Busy, lab.KindBusy, ""},
		{"hang up at once", HangUpAtOnce, lab.KindWrongGreeting, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Dial(t, Start(t, tt.h).Addr)
			res, err := lab.Exchange(c, msg)
			if lab.Classify(err) != tt.want || string(res.Echo) != tt.wantRes {
				t.Fatalf("got %q, %v; want %q and kind %q", res.Echo, err, tt.wantRes, tt.want)
			}
		})
	}
}

func TestSilentAndEchoAll(t *testing.T) {
	c := Dial(t, Start(t, Silent).Addr)
	if g, err := ReadGreeting(t, c, 100*time.Millisecond); lab.Classify(err) != lab.KindTimeout {
		t.Fatalf("silent server said %q, %v; want nothing", g, err)
	}
	c = Dial(t, Start(t, EchoAll).Addr)
	ReadGreeting(t, c, time.Second)
	for _, line := range []string{"one\n", "two\n"} {
		c.Write([]byte(line))
		got := make([]byte, len(line))
		if _, err := c.Read(got); err != nil || string(got) != line {
			t.Fatalf("echo %q, %v; want %q", got, err, line)
		}
	}
}

func TestOnce(t *testing.T) {
	s := Config{Once: true}.Start(t, Lecture)
	ServesNormally(t, s.Addr)
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if lab.Classify(err) == lab.KindRefused {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("second call: %v; want refused once the one call is served", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSerial(t *testing.T) {
	s := Config{Serial: true}.Start(t, Lecture)
	first := Dial(t, s.Addr)
	if _, err := ReadGreeting(t, first, time.Second); err != nil {
		t.Fatal(err)
	}
	second := Dial(t, s.Addr)
	if g, err := ReadGreeting(t, second, 200*time.Millisecond); lab.Classify(err) != lab.KindTimeout {
		t.Fatalf("second caller got %q, %v while the first was on the line; want to wait", g, err)
	}
	first.Close()
	if g, err := ReadGreeting(t, second, time.Second); err != nil || g != lab.Greeting {
		t.Fatalf("second caller got %q, %v after the first hung up; want the greeting", g, err)
	}
}

// recorder is a test that keeps its errors and cleanups to itself.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (r *recorder) Helper()          {}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Errorf(f string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(f, a...))
}

// TestCloseNamesWhatHangs: a handler that never returns is named, with
// where it waits, and hung up on; the server's close then returns.
func TestCloseNamesWhatHangs(t *testing.T) {
	defer func(d time.Duration) { closeWait = d }(closeWait)
	closeWait = 100 * time.Millisecond
	r := &recorder{TB: t}
	never := make(chan struct{})
	defer close(never)
	s := Start(r, func(c net.Conn) {
		// Stuck on something other than the call: only close's hang-up
		// and the call's deadline would end a read, not this.
		c.Write([]byte(lab.Greeting))
		<-never
	})
	c := Dial(t, s.Addr)
	ReadGreeting(t, c, time.Second)
	closed := make(chan struct{})
	go func() {
		s.close()
		close(closed)
	}()
	// The hang-up reaches the caller even though the handler is stuck.
	var b [1]byte
	if _, err := c.Read(b[:]); err == nil {
		t.Fatal("caller still on the line after close; want it hung up on")
	}
	r.mu.Lock()
	errs := strings.Join(r.errs, "\n")
	r.mu.Unlock()
	for _, want := range []string{"1 calls still open 100ms after the test: call from " + c.LocalAddr().String(), "TestCloseNamesWhatHangs"} {
		if !strings.Contains(errs, want) {
			t.Errorf("close said %q; want it to contain %q", errs, want)
		}
	}
	never <- struct{}{}
	<-closed
}

func TestBuffer(t *testing.T) {
	var b Buffer
	go fmt.Fprint(&b, "server listening at 127.0.0.1:8000\n")
	b.WaitFor(t, "listening")
	if !bytes.Contains([]byte(b.String()), []byte("8000")) {
		t.Fatalf("buffer %q", b.String())
	}
}

// TestNeverHangsUp: the echo comes, and then the line stays open until the
// caller hangs up.
func TestNeverHangsUp(t *testing.T) {
	c := Dial(t, Start(t, NeverHangsUp).Addr)
	if g, err := ReadGreeting(t, c, time.Second); err != nil || g != lab.Greeting {
		t.Fatalf("greeting %q, %v", g, err)
	}
	msg := "hi back atcha\n"
	c.Write([]byte(msg))
	echo := make([]byte, len(msg))
	if _, err := c.Read(echo); err != nil || string(echo) != msg {
		t.Fatalf("echo %q, %v; want %q", echo, err, msg)
	}
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := c.Read(echo); lab.Classify(err) != lab.KindTimeout {
		t.Fatalf("after the echo read %d bytes, %v; want the line still open", n, err)
	}
}

// TestSocketTimeout: a silent caller is hung up on at the timeout, which
// frees a one-at-a-time server for the next caller.
func TestSocketTimeout(t *testing.T) {
	s := Config{Serial: true}.Start(t, SocketTimeout(200*time.Millisecond, LectureScript))
	silent := Dial(t, s.Addr)
	if rest, err := io.ReadAll(silent); err != nil || string(rest) != lab.Greeting {
		t.Fatalf("silent caller got %q, %v; want the greeting, then the hang-up at the timeout", rest, err)
	}
	ServesNormally(t, s.Addr)
}
