//go:build linux && !386

package callcenter

import (
	"bytes"
	"io"
	"net/netip"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// FuzzEventLoop drives the event loop's calls with no socket: a fake kernel
// stands in for the system calls, and the fuzzer picks what the callers do
// and when (speak in pieces, hang up, reset, read slowly, wait) and how the
// server is set up (echo mode, think time, idle timeout, employees, busy
// signal, once). Whatever happens, each call must hear the greeting (or the
// busy signal) first, then only a prefix of what it said, one read of it in
// the lecture's mode; no call is touched after its close; the employees on
// a call never exceed Workers; every call picked up is closed once the
// callers are gone and the deadlines have passed, and is logged once.
func FuzzEventLoop(f *testing.F) {
	f.Add([]byte{0, 0, 200, 1, 0, 1, 14, 2, 0})                   // one call: greeted, speaks, hangs up
	f.Add([]byte{0x02, 0, 200, 1, 0, 1, 14, 5, 50, 5, 50})        // the think time
	f.Add([]byte{0x04, 0, 200, 5, 255, 5, 255})                   // silent: the idle timeout
	f.Add([]byte{0x01, 0, 200, 1, 0, 1, 10, 1, 0, 1, 10, 2, 0})   // echo mode, twice
	f.Add([]byte{0x28, 0, 200, 0, 200, 0, 200, 1, 0, 1, 5, 2, 0}) // one employee, -busy
	f.Add([]byte{0x08, 0, 200, 0, 200, 2, 0, 0, 200})             // one employee, callers on hold
	f.Add([]byte{0, 0, 0, 4, 1, 1, 0, 1, 200, 4, 255, 3, 0})      // a slow reader, then a reset
	f.Add([]byte{0, 0, 200, 1, 0, 1, 255, 1, 0, 1, 255, 5, 255})  // more than one read's worth
	f.Add([]byte{0x40, 0, 200, 7, 0, 0, 200, 1, 0, 1, 3})         // once, after a probe
	f.Fuzz(func(t *testing.T, script []byte) {
		if len(script) == 0 {
			return
		}
		run := newFakeRun(t, script[0])
		for i := 1; i+1 < len(script); i += 2 {
			run.step(script[i], script[i+1])
		}
		run.finish()
	})
}

// fakeCaller is one call as the fake kernel keeps it.
type fakeCaller struct {
	fd             int32
	sent           []byte // all the caller sent
	read           int    // how much of sent the server has read
	fin, rst       bool   // the caller half-closed, or reset the call
	room           int    // bytes the server may write before the send queue is full
	heard          []byte // all the server wrote
	shut, closed   bool   // the server half-closed, closed
	reads          int    // the server's reads that returned words, before its half-close
	drained        int    // what it read after
	firstSaid      []byte // its first read that returned words
	saidAt, echoAt int64  // when that read was, and the first byte after the greeting written
	watching       bool
}

// fakeRun is one fuzzed run: a Server's loop over a fake kernel.
type fakeRun struct {
	t         *testing.T
	s         *Server
	lp        *loop
	out       *labtest.Buffer
	now       int64
	callers   []*fakeCaller
	byFD      map[int32]*fakeCaller
	listening bool
}

func newFakeRun(t *testing.T, setup byte) *fakeRun {
	s := &Server{Model: ModelEventLoop}
	if setup&0x01 != 0 {
		s.Mode = ModeEcho
	}
	if setup&0x02 != 0 {
		s.Think = 30 * time.Millisecond
	}
	if setup&0x04 != 0 {
		s.IdleTimeout = 200 * time.Millisecond
	}
	s.Workers = int(setup>>3) & 3
	s.Busy = setup&0x20 != 0 && s.Workers > 0
	s.Once = setup&0x40 != 0
	out := &labtest.Buffer{}
	s.Log = NewCallLog(out, out)
	s.Log.delay = 0
	s.init()
	r := &fakeRun{t: t, s: s, out: out, byFD: map[int32]*fakeCaller{}, listening: true}
	r.lp = newLoop(s, r)
	r.lp.clock = func() int64 { return r.now }
	return r
}

// step does what one pair of the script says.
func (r *fakeRun) step(op, arg byte) {
	open := r.open()
	var c *fakeCaller
	if len(open) > 0 {
		c = open[int(arg)%len(open)]
	}
	switch op % 8 {
	case 0: // a caller dials; arg is the room in its send queue
		if r.listening && len(r.callers) < 12 {
			c := &fakeCaller{fd: int32(10 + len(r.callers)), room: int(arg) * 8}
			r.callers = append(r.callers, c)
			r.byFD[c.fd] = c
			r.lp.pickUp(c.fd, netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, byte(c.fd)}), 40000))
		}
	case 1, 7: // the caller says something: arg's pattern, longer than a read when arg is high
		if c != nil && !c.fin && !c.rst {
			n := 1 + int(arg)%64
			if arg > 200 {
				n = lab.MaxRead + int(arg)
			}
			if op%8 == 7 {
				c.sent = append(c.sent, ProbeMsg...)
			} else {
				for i := range n {
					c.sent = append(c.sent, byte(len(c.sent)+i))
				}
			}
			r.lp.ready(c.fd, true, false)
		}
	case 2: // the caller hangs up
		if c != nil && !c.fin {
			c.fin = true
			r.lp.ready(c.fd, true, false)
		}
	case 3: // the caller resets the call
		if c != nil && !c.rst {
			c.rst = true
			r.lp.ready(c.fd, true, true)
		}
	case 4: // the caller reads: room in the send queue
		if c != nil {
			c.room += int(arg) * 16
			if c.watching {
				r.lp.ready(c.fd, false, true)
			}
		}
	case 5: // time passes
		r.now += int64(arg) * int64(time.Millisecond)
		r.lp.expire(r.now)
	case 6: // the kernel reports something that is not there
		if c != nil {
			r.lp.ready(c.fd, arg&1 != 0, arg&2 != 0)
		}
	}
	r.check()
}

func (r *fakeRun) open() []*fakeCaller {
	var open []*fakeCaller
	for _, c := range r.callers {
		if !c.closed {
			open = append(open, c)
		}
	}
	return open
}

// check is what must hold after every step.
func (r *fakeRun) check() {
	t := r.t
	t.Helper()
	if got, want := r.s.InProgress(), int64(len(r.open())); got != want {
		t.Fatalf("InProgress %d; want %d, the calls not closed", got, want)
	}
	if n := r.s.Serving(); n < 0 || (r.s.Workers > 0 && n > int64(r.s.Workers)) || (r.s.Once && n > 1) {
		t.Fatalf("Serving %d with Workers %d, Once %v", n, r.s.Workers, r.s.Once)
	}
}

// finish lets every caller hang up and read all, lets the deadlines pass,
// and checks that every call ended as the protocol says.
func (r *fakeRun) finish() {
	t := r.t
	// Each round lets each call go one step: with a think time, an echo
	// mode call echoes one read a round.
	rounds := 50
	for _, c := range r.callers {
		rounds += len(c.sent) / lab.MaxRead
	}
	for round := 0; len(r.open()) > 0; round++ {
		if round == rounds {
			t.Fatalf("%d calls still open after every caller hung up and the deadlines passed", len(r.open()))
		}
		for _, c := range r.open() {
			c.fin, c.room = true, 1<<30
			r.lp.ready(c.fd, true, true)
		}
		r.now += int64(10 * time.Second)
		r.lp.expire(r.now)
		r.check()
	}
	if r.lp.active != 0 || len(r.lp.pending) != 0 || r.s.Serving() != 0 {
		t.Fatalf("after every call: %d active, %d pending echoes, Serving %d", r.lp.active, len(r.lp.pending), r.s.Serving())
	}
	for list := listIdle; list < numLists; list++ {
		if r.lp.lists[list].head >= 0 {
			t.Fatalf("deadline list %d still holds a call", list)
		}
	}
	logged := 0
	for _, c := range r.callers {
		r.checkCall(c)
		if !bytes.Equal(c.firstSaid, []byte(ProbeMsg)) {
			logged++
		}
	}
	r.s.Log.Flush()
	if got := len(callEnd.FindAllString(r.out.String(), -1)); got != logged {
		t.Fatalf("logged %d ended calls; want %d:\n%s", got, logged, r.out.String())
	}
}

// callEnd is the end of a call's log line: how long it took.
var callEnd = regexp.MustCompile(`\([0-9.]+m?s\)\n`)

func (r *fakeRun) checkCall(c *fakeCaller) {
	t := r.t
	greeting := lab.Greeting
	if len(c.heard) > 0 && c.heard[0] == lab.Busy[0] {
		greeting = lab.Busy
	}
	if len(c.heard) <= len(greeting) {
		if !bytes.HasPrefix([]byte(greeting), c.heard) {
			t.Fatalf("call %d heard %q; want the greeting first", c.fd, c.heard)
		}
		return
	}
	echo, ok := bytes.CutPrefix(c.heard, []byte(greeting))
	if !ok || greeting == lab.Busy {
		t.Fatalf("call %d heard %q; want %q, then at most the echo", c.fd, c.heard, greeting)
	}
	if !bytes.HasPrefix(c.sent, echo) {
		t.Fatalf("call %d: echo %q is not a prefix of what it said, %q", c.fd, echo, c.sent)
	}
	if r.s.Mode != ModeEcho {
		if len(echo) > lab.MaxRead || c.reads != 1 {
			t.Fatalf("call %d: %d bytes echoed after %d reads; want one read of at most %d", c.fd, len(echo), c.reads, lab.MaxRead)
		}
		if c.drained > maxDrain+len(r.lp.buf) {
			t.Fatalf("call %d: drained %d bytes; want at most about %d", c.fd, c.drained, maxDrain)
		}
	}
	if r.s.Think > 0 && !bytes.Equal(c.firstSaid, []byte(ProbeMsg)) && c.echoAt < c.saidAt+int64(r.s.Think) {
		t.Fatalf("call %d echoed at %v, heard at %v; want the think time %v between", c.fd, time.Duration(c.echoAt), time.Duration(c.saidAt), r.s.Think)
	}
}

// The fake kernel: the sysOps of fakeRun's callers.

func (r *fakeRun) caller(fd int32, op string) *fakeCaller {
	c := r.byFD[fd]
	if c == nil || c.closed {
		r.t.Fatalf("%s on descriptor %d, which is no open call", op, fd)
	}
	return c
}

func (r *fakeRun) write(fd int32, p []byte) (int, syscall.Errno) {
	c := r.caller(fd, "write")
	switch {
	case c.shut:
		r.t.Fatalf("write on call %d after its half-close", fd)
	case c.rst:
		return 0, syscall.EPIPE
	case c.room == 0:
		return 0, syscall.EAGAIN
	}
	n := min(c.room, len(p))
	c.room -= n
	if c.echoAt == 0 && len(c.heard)+n > len(lab.Greeting) {
		c.echoAt = r.now
	}
	c.heard = append(c.heard, p[:n]...)
	return n, 0
}

func (r *fakeRun) read(fd int32, p []byte) (int, syscall.Errno) {
	c := r.caller(fd, "read")
	switch {
	case c.rst:
		return 0, syscall.ECONNRESET
	case c.read < len(c.sent):
		n := copy(p, c.sent[c.read:])
		if c.shut {
			c.drained += n
		} else {
			if c.reads == 0 {
				c.firstSaid, c.saidAt = bytes.Clone(p[:n]), r.now
			}
			c.reads++
		}
		c.read += n
		return n, 0
	case c.fin:
		return 0, 0
	}
	return 0, syscall.EAGAIN
}

func (r *fakeRun) unread(fd int32) bool {
	c := r.caller(fd, "peek")
	return c.rst || c.read < len(c.sent)
}

func (r *fakeRun) shutdownWrite(fd int32) syscall.Errno {
	r.caller(fd, "shutdown").shut = true
	return 0
}

func (r *fakeRun) close(fd int32) { r.caller(fd, "close").closed = true }

func (r *fakeRun) watchWrite(fd int32, on bool) { r.caller(fd, "watch").watching = on }

func (r *fakeRun) keepAlive(fd int32) {
	if r.s.IdleTimeout > 0 {
		r.t.Fatalf("keepalive on call %d with an idle timeout", fd)
	}
}

func (r *fakeRun) accepting(on bool) { r.listening = on }

// TestEventLoopCallAllocatesNothing: a whole lecture call through the
// loop, logged, costs no allocation: the table, the buffer and the log's
// queue are reused (a kernel that keeps nothing stands in for the real one).
func TestEventLoopCallAllocatesNothing(t *testing.T) {
	s := &Server{Model: ModelEventLoop, IdleTimeout: time.Second}
	s.Log = NewCallLog(io.Discard, io.Discard)
	s.init()
	k := &quietKernel{said: []byte("hi back atcha\n")}
	lp := newLoop(s, k)
	from := netip.MustParseAddrPort("10.0.0.20:40000")
	call := func() {
		k.spoke = false
		lp.pickUp(7, from)
		lp.ready(7, true, false)
		lp.expire(lp.now())
		s.Log.Flush()
	}
	call() // the table and the log's queue grow once
	if n := testing.AllocsPerRun(100, call); n != 0 {
		t.Fatalf("%v allocations per call; want none", n)
	}
	if lp.active != 0 {
		t.Fatalf("%d calls still open", lp.active)
	}
}

// quietKernel is a kernel whose caller says its words once and takes every
// write whole.
type quietKernel struct {
	said  []byte
	spoke bool
}

func (k *quietKernel) write(_ int32, p []byte) (int, syscall.Errno) { return len(p), 0 }
func (k *quietKernel) read(_ int32, p []byte) (int, syscall.Errno) {
	if k.spoke {
		return 0, syscall.EAGAIN
	}
	k.spoke = true
	return copy(p, k.said), 0
}
func (k *quietKernel) unread(int32) bool                 { return false }
func (k *quietKernel) shutdownWrite(int32) syscall.Errno { return 0 }
func (k *quietKernel) close(int32)                       {}
func (k *quietKernel) watchWrite(int32, bool)            {}
func (k *quietKernel) keepAlive(int32)                   {}
func (k *quietKernel) accepting(bool)                    {}
