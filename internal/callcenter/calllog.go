package callcenter

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// outcome is how a call ended.
type outcome int

const (
	outcomeEchoed outcome = iota // the caller spoke and got its words back
	outcomeHungUp                // the caller hung up before saying anything
	outcomeIdle                  // the caller said nothing within -idle-timeout
	outcomeBusy                  // every employee was on a call (-busy)
	outcomeError                 // the network failed mid-call
)

// record is one call as the log tells it.
type record struct {
	caller  net.Addr       // who called, from the threads model's net.Conn
	from    netip.AddrPort // who called, where caller is nil (the event loop's calls)
	said    []byte         // the one read (lecture mode); only valid until the call ends
	echoed  int
	outcome outcome
	err     error
	took    time.Duration
	probe   bool
}

// CallLog writes the server's story to stdout, a plain line per event. It
// has no goroutine of its own and nothing to close, so it outlives every
// call that can still log, even one cut short by a stop.
//
// A call's line is queued, and the lines queued are written together
// flushDelay after the first of them: to a student reading the log that is
// at once, and a call costs no write(2) of its own. One write per call,
// from the call's goroutine or a writer goroutine woken for it, measured
// about 8% of the server's CPU per call on a quiet server; one write per
// window costs nothing a bench can see. The server's own lines (Printf) are
// written at once.
//
// The wait is not a runtime timer: a timer that keeps firing every few
// milliseconds, as one would while calls come, cost the server about 6 µs of
// CPU per call at one call at a time (a plain Go server with a 10 ms ticker
// that does nothing, against the same server without it). A goroutine that
// sleeps in the kernel (sleepOutsideRuntime) costs one wake-up per window.
type CallLog struct {
	out    io.Writer
	raw    int // out's descriptor, when out is a regular file (see rawFile)
	isRaw  bool
	errOut io.Writer
	errMu  sync.Mutex

	mu        sync.Mutex
	roomy     sync.Cond     // signalled when queued has been taken out, and when writing stops
	queued    []byte        // lines waiting to be written
	spare     []byte        // the last buffer written, reused for the next lines
	scheduled bool          // a goroutine will write what is queued, flushDelay after the first
	writing   bool          // a goroutine is writing queued out
	delay     time.Duration // flushDelay; longer in a test that must see only full queues written
}

const (
	// previewLen is how much of what a caller said a log line shows.
	previewLen = 80
	// maxQueued bounds the lines waiting while stdout is slow: past it,
	// calls wait to log, rather than the server's memory growing.
	maxQueued = 256 << 10
	// flushDelay is how long a call's line may wait for others to share
	// its write.
	flushDelay = 10 * time.Millisecond
)

// NewCallLog logs lines to out and problems to errOut.
func NewCallLog(out, errOut io.Writer) *CallLog {
	l := &CallLog{out: out, errOut: errOut, delay: flushDelay}
	l.raw, l.isRaw = rawFile(out)
	l.roomy.L = &l.mu
	return l
}

// log queues line, to be written within flushDelay.
func (l *CallLog) log(line []byte) {
	l.end(append(l.begin(), line...))
}

// begin takes the queue, for a line to be appended to it in place; end
// gives it back. A line built in place costs no copy and no buffer on the
// call's stack, which would make the goroutine grow its stack every call.
func (l *CallLog) begin() []byte {
	l.mu.Lock()
	for len(l.queued) >= maxQueued {
		// A full queue is written now, by the call that found it full,
		// rather than at the end of the window: the window bounds how
		// late a line is, not how many lines a second the log can take.
		if l.writing {
			l.roomy.Wait()
		} else {
			l.write()
		}
	}
	return l.queued
}

func (l *CallLog) end(queued []byte) {
	l.queued = queued
	if !l.scheduled {
		l.scheduled = true
		go l.flushLater()
	}
	l.mu.Unlock()
}

// endHeld is end for a line whose write its logger (the event loop)
// schedules itself, calling Flush within flushDelay: no goroutine sleeps
// for it.
func (l *CallLog) endHeld(queued []byte) {
	l.queued = queued
	l.mu.Unlock()
}

func (l *CallLog) flushLater() {
	sleepOutsideRuntime(l.delay)
	l.Flush()
}

// Flush writes every line logged so far, and returns when they are written.
func (l *CallLog) Flush() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.write()
}

// write writes out what is queued, with l.mu held; it lets go of the lock
// while it writes.
func (l *CallLog) write() {
	for l.writing {
		l.roomy.Wait()
	}
	l.writing = true
	// Lines logged from now on are for a later write; this one may take
	// them too, and then that one finds nothing to do.
	l.scheduled = false
	for len(l.queued) > 0 {
		buf := l.queued
		l.queued = l.spare[:0]
		l.roomy.Broadcast()
		l.mu.Unlock()
		// A log that cannot be written is not a reason to stop serving.
		if l.isRaw {
			writeRaw(l.raw, buf)
		} else {
			l.out.Write(buf)
		}
		l.mu.Lock()
		l.spare = buf
	}
	l.writing = false
	l.roomy.Broadcast()
}

// Printf logs a line about the server itself.
func (l *CallLog) Printf(format string, args ...any) {
	if l == nil {
		return
	}
	l.log(fmt.Appendf(nil, format+"\n", args...))
	l.Flush()
}

// Errorf reports a problem on stderr.
func (l *CallLog) Errorf(format string, args ...any) {
	if l == nil {
		return
	}
	l.errMu.Lock()
	defer l.errMu.Unlock()
	fmt.Fprintf(l.errOut, "server: "+format+"\n", args...)
}

// said logs one read of c, an echo-mode call, as it happens.
func (l *CallLog) said(c *record, b []byte) {
	if l == nil {
		return
	}
	l.end(appendSaidLine(l.begin(), c, b))
}

// saidHeld is said whose write the logger schedules (see endHeld).
func (l *CallLog) saidHeld(c *record, b []byte) {
	if l != nil {
		l.endHeld(appendSaidLine(l.begin(), c, b))
	}
}

func appendSaidLine(line []byte, c *record, b []byte) []byte {
	line = append(line, "call from "...)
	line = appendCaller(line, c)
	line = append(line, ": said "...)
	line = appendSaid(line, b)
	return append(line, '\n')
}

// call logs a finished call.
func (l *CallLog) call(c *record) {
	if l == nil {
		return
	}
	l.end(appendCall(l.begin(), c))
}

// callHeld is call whose write the logger schedules (see endHeld).
func (l *CallLog) callHeld(c *record) {
	if l != nil {
		l.endHeld(appendCall(l.begin(), c))
	}
}

// appendCall writes c's line.
func appendCall(line []byte, c *record) []byte {
	line = append(line, "call from "...)
	line = appendCaller(line, c)
	line = append(line, ": "...)
	switch c.outcome {
	case outcomeEchoed:
		if c.said != nil {
			line = append(line, "said "...)
			line = appendSaid(line, c.said)
			line = append(line, ", echoed it"...)
		} else {
			line = append(line, "echoed "...)
			line = strconv.AppendInt(line, int64(c.echoed), 10)
			line = append(line, " bytes, caller hung up"...)
		}
	case outcomeHungUp:
		line = append(line, "hung up without saying anything, nothing echoed"...)
	case outcomeIdle:
		if c.echoed > 0 {
			line = append(line, "went quiet after "...)
			line = strconv.AppendInt(line, int64(c.echoed), 10)
			line = append(line, " bytes; hung up on them (-idle-timeout)"...)
		} else {
			line = append(line, "said nothing; hung up on them (-idle-timeout)"...)
		}
	case outcomeBusy:
		line = append(line, "every employee was busy; said busy and hung up"...)
	case outcomeError:
		if len(c.said) > 0 {
			line = append(line, "said "...)
			line = appendSaid(line, c.said)
			line = append(line, ", then "...)
		}
		line = append(line, "the call failed: "...)
		if c.err != nil {
			line = append(line, c.err.Error()...)
		}
	}
	line = append(line, " ("...)
	line = appendDuration(line, c.took)
	return append(line, ")\n"...)
}

// appendCaller writes who made c.
func appendCaller(line []byte, c *record) []byte {
	if c.caller == nil {
		return c.from.AppendTo(line)
	}
	return appendAddr(line, c.caller)
}

// appendAddr writes a caller's ip:port into the line itself: Addr.String
// would allocate a string for every call.
func appendAddr(line []byte, a net.Addr) []byte {
	if t, ok := a.(*net.TCPAddr); ok {
		ap := t.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).AppendTo(line)
	}
	return append(line, a.String()...)
}

func appendSaid(line, b []byte) []byte {
	cut := b
	if len(cut) > previewLen {
		cut = cut[:previewLen]
	}
	line = strconv.AppendQuote(line, string(cut))
	if len(cut) < len(b) {
		line = append(line, "…"...)
	}
	line = append(line, " ("...)
	line = strconv.AppendInt(line, int64(len(b)), 10)
	if len(b) == 1 {
		return append(line, " byte)"...)
	}
	return append(line, " bytes)"...)
}

// appendDuration prints a call's length to a precision a student can read.
func appendDuration(line []byte, d time.Duration) []byte {
	switch {
	case d < time.Millisecond:
		line = strconv.AppendFloat(line, float64(d)/float64(time.Millisecond), 'f', 2, 64)
		return append(line, "ms"...)
	case d < time.Second:
		line = strconv.AppendFloat(line, float64(d)/float64(time.Millisecond), 'f', 1, 64)
		return append(line, "ms"...)
	default:
		line = strconv.AppendFloat(line, d.Seconds(), 'f', 2, 64)
		return append(line, "s"...)
	}
}
