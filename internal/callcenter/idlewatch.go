package callcenter

import (
	"net"
	"sync"
	"time"
)

// idleWatch hangs up on lecture calls that outlast the idle timeout, with one
// goroutine for all of them, asleep until the first call's time runs out.
// A deadline per call would arm a runtime timer for each call, and so would
// one time.Timer for all of them: while any runtime timer is pending, an idle
// thread of the scheduler wakes the thread waiting on the network poller to
// tell it of the timer (runtime.netpollBreak), at every call, measured at
// 1.4 µs of the server's CPU per call at one call at a time. The watch sleeps
// outside the runtime instead (sleepOutsideRuntime). Since every call gets
// the same timeout, a call that starts later never ends sooner, and the
// sleeper never needs waking early.
type idleWatch struct {
	mu       sync.Mutex
	calls    map[net.Conn]time.Time // when each call's time runs out
	sleeping bool                   // a goroutine will look at calls, at the first end
}

// watch starts conn's time: after timeout, its reads and writes fail with
// a timeout, as if it had had that deadline.
func (w *idleWatch) watch(conn net.Conn, timeout time.Duration) {
	end := time.Now().Add(timeout)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.calls == nil {
		w.calls = make(map[net.Conn]time.Time)
	}
	w.calls[conn] = end
	if !w.sleeping {
		w.sleeping = true
		go w.hangUpIdle(end)
	}
}

// forget stops watching conn, before it is closed.
func (w *idleWatch) forget(conn net.Conn) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.calls, conn)
}

// hangUpIdle sleeps until next, times out the calls whose time has run out,
// and goes on until no call is left.
func (w *idleWatch) hangUpIdle(next time.Time) {
	for {
		sleepOutsideRuntime(time.Until(next))
		now := time.Now()
		w.mu.Lock()
		next = time.Time{}
		for conn, end := range w.calls {
			if !end.After(now) {
				conn.SetDeadline(end) // in the past: a blocked read returns at once
				delete(w.calls, conn)
			} else if next.IsZero() || end.Before(next) {
				next = end
			}
		}
		if next.IsZero() {
			w.sleeping = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
	}
}
