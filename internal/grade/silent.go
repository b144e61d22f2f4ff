package grade

import (
	"fmt"
	"net"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// silentRun is the two-caller experiment behind the silent-caller and
// model checks. Caller A is greeted and says nothing; caller B calls while
// A is still on the line. Is B greeted before the server lets go of A (many
// employees) or only after (one)? Does the server ever let go of A?
type silentRun struct {
	skip  string // why the experiment could not run
	model Model  // "" when the calls did not tell
	how   string // what showed the model, in a student's words
	// hungUp says the server hung up on A by itself, hungUpAfter how long
	// after greeting it (at most).
	hungUp      bool
	hungUpAfter time.Duration
	// busy says B heard the busy signal instead of a greeting.
	busy bool
	// waited is how long the experiment waited: the timeout, or less in a
	// grade where a wait already ran out (see grader.wait).
	waited time.Duration
}

func (g *grader) silentRun() *silentRun {
	if g.silent == nil {
		g.silent = g.runSilent()
	}
	return g.silent
}

// runSilent makes the two calls. It takes about one wait (grader.wait): B
// waits that long for its greeting; with many employees, A waits that long
// for the hang-up instead. Both calls end politely, B with the lecture's line, so
// that even a fragile server sees only ordinary callers.
func (g *grader) runSilent() *silentRun {
	s := &silentRun{}
	timeout := g.wait()
	s.waited = timeout
	a, skip := g.greeted("first")
	if skip != "" {
		s.skip = skip
		return s
	}
	greetedA := time.Now()
	hung := watch(a)
	defer func() {
		// Hang up on A politely: say so, and wait for the server to
		// hang up too, so its employee is free for the next call.
		lab.CloseWrite(a.Conn)
		t := time.AfterFunc(timeout, func() { a.Close() })
		for range hung {
		}
		t.Stop()
		a.Close()
	}()
	// wait waits up to d for the server to hang up on A.
	wait := func(d time.Duration) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case at, ok := <-hung:
			if ok {
				s.hungUp, s.hungUpAfter = true, at.Sub(greetedA)
			}
		case <-t.C:
		}
	}

	b, err := g.dial(g.cfg.Addr)
	if err != nil {
		s.skip = g.dialSkip("second", err)
		return s
	}
	defer b.Close()
	bc := &conversation{}
	g.hear(b, bc, timeout)
	// A hang-up that let B through came before B's greeting; give its
	// news the moment it may still need to reach the watcher.
	wait(peekWait)
	bGreeted := bc.greetedFirst() && bc.end == endNone
	busy := string(bc.greeting()) == lab.Busy
	s.busy = busy
	switch {
	case busy:
		s.model, s.how = ModelOne, `a second caller heard "busy\n" during the first call`
	case bGreeted && !s.hungUp:
		s.model, s.how = ModelMany, "a second caller was greeted during the first call"
	case bGreeted:
		s.model, s.how = ModelOne, "a second caller was greeted only after the first call"
	case !bc.heard() && bc.end == endNone && !s.hungUp:
		s.model, s.how = ModelOne, fmt.Sprintf("a second caller waited %v in vain during the first call", timeout)
	default:
		s.how = fmt.Sprintf("a second caller was not greeted (%s)", endWords(bc, timeout))
	}

	if s.model == ModelOne && !s.hungUp && !busy {
		// One employee, still waiting for A: let A go, so B is served.
		a.Close()
		g.hear(b, bc, timeout)
		bGreeted = bc.greetedFirst() && bc.end == endNone
	}
	if bGreeted {
		g.speak(b, bc, shortLine, g.patience(shortLine))
	}
	if bc.heard() {
		g.served++
	}
	if !s.hungUp && (s.model == ModelMany || busy) {
		// Others are served meanwhile; does the server ever let go of A?
		wait(time.Until(greetedA.Add(timeout)))
	}
	return s
}

// watch listens on a call the caller stays silent on, and hangs up as
// soon as the server does, as telnet would: a server that drains before
// closing (the lab's) waits for that. The channel gets the moment of the
// server's hang-up, and is closed when watch stops: after the hang-up, or
// when the caller closes the call itself.
func watch(conn net.Conn) <-chan time.Time {
	hung := make(chan time.Time, 1)
	conn.SetReadDeadline(time.Time{})
	go func() {
		defer close(hung)
		var b [64]byte
		for {
			_, err := conn.Read(b[:])
			if err == nil {
				continue
			}
			if e := endOf(err); e == endEOF || e == endReset {
				hung <- time.Now()
				conn.Close()
			}
			return
		}
	}()
	return hung
}

// greeted calls the graded address and waits for the greeting, saying
// nothing, and returns the open call; skip says why there is none.
func (g *grader) greeted(which string) (*line, string) {
	for i := 0; ; i++ {
		conn, err := g.dial(g.cfg.Addr)
		if err != nil {
			return nil, g.dialSkip(which, err)
		}
		c := &conversation{}
		g.hear(conn, c, g.wait())
		if c.greetedFirst() && c.end == endNone && string(c.early) != lab.Busy {
			g.served++
			return conn, ""
		}
		conn.Close()
		if string(c.early) == lab.Busy && i < busyRetries && g.sleep(50*time.Millisecond<<i) {
			continue
		}
		if !c.heard() && (c.end == endEOF || c.end == endReset) && g.goneAfterDrop() {
			return nil, g.goneSkip()
		}
		return nil, fmt.Sprintf("not observed: the %s caller was not greeted (%s)", which, endWords(c, g.wait()))
	}
}

// dialSkip is the reason a call that was not picked up gives.
func (g *grader) dialSkip(which string, err error) string {
	if g.goneAfterFailedDial() {
		return g.goneSkip()
	}
	return fmt.Sprintf("not observed: the %s caller got no answer (%s)", which, lab.Classify(err))
}
