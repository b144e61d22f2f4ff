package callcenter

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/labtest"
)

// slowWriter is a stdout that takes a while for each write, so lines pile
// up behind the one being written.
type slowWriter struct {
	labtest.Buffer
	writes int
}

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(50 * time.Microsecond)
	w.writes++ // one writer at a time: the race detector checks that too
	return w.Buffer.Write(p)
}

// TestCallLogManyAtOnce: lines logged from many goroutines at once all
// appear, whole, each once, in fewer writes than lines; after Flush every
// one is out.
func TestCallLogManyAtOnce(t *testing.T) {
	const goroutines, lines = 32, 300
	out := &slowWriter{}
	log := NewCallLog(out, out)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range lines {
				log.Printf("caller %d line %d %s.", g, i, strings.Repeat("x", i%50))
			}
		})
	}
	wg.Wait()
	log.Flush()
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != goroutines*lines {
		t.Fatalf("%d lines; want %d", len(got), goroutines*lines)
	}
	seen := map[string]bool{}
	for _, l := range got {
		var g, i int
		var rest string
		if _, err := fmt.Sscanf(l, "caller %d line %d %s", &g, &i, &rest); err != nil || rest != strings.Repeat("x", i%50)+"." || seen[l] {
			t.Fatalf("line %q is cut, mixed or repeated", l)
		}
		seen[l] = true
	}
	if out.writes >= goroutines*lines {
		t.Errorf("%d writes for %d lines; want lines to share writes while stdout is busy", out.writes, len(got))
	}
}

// TestCallLogOutlivesFlush: a call cut short by a stop logs after run has
// flushed the log for the last time; its line is still written, within
// flushDelay and without another Flush.
func TestCallLogOutlivesFlush(t *testing.T) {
	var out labtest.Buffer
	log := NewCallLog(&out, &out)
	log.Printf("stopped")
	if got := out.String(); got != "stopped\n" {
		t.Fatalf("log %q; want the server's line at once", got)
	}
	log.Flush()
	log.call(&record{caller: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, outcome: outcomeHungUp, took: time.Millisecond})
	out.WaitFor(t, "stopped\ncall from 127.0.0.1:40000: hung up without saying anything, nothing echoed (1.0ms)\n")
}

// TestCallLogFullQueueIsWrittenAtOnce: a log taking lines faster than its
// window writes a full queue as soon as it is full, in order, instead of
// holding every call until the window ends.
func TestCallLogFullQueueIsWrittenAtOnce(t *testing.T) {
	var out labtest.Buffer
	log := NewCallLog(&out, &out)
	log.delay = time.Hour // only a full queue gets written
	caller := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	said := []byte(strings.Repeat("x", 60))
	line := "call from 127.0.0.1:40000: said \"" + string(said) + "\" (60 bytes), echoed it (1.0ms)\n"
	n := 3*maxQueued/len(line) + 1
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range n {
			log.call(&record{caller: caller, said: said, echoed: len(said), outcome: outcomeEchoed, took: time.Millisecond})
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%d lines not logged in 10 s: the log waits for its window once its queue is full", n)
	}
	written := out.String()
	if len(written) < 2*maxQueued {
		t.Fatalf("%d bytes written of %d logged; want every full queue written at once", len(written), n*len(line))
	}
	log.Flush()
	if got := out.String(); got != strings.Repeat(line, n) {
		t.Fatalf("after Flush the log is %d bytes; want the %d lines, whole and in order", len(got), n)
	}
}
