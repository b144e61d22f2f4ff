package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// Outcome is how a call ended.
type Outcome int

const (
	OutcomeEchoed Outcome = iota // the caller spoke and got its words back
	OutcomeHungUp                // the caller hung up before saying anything
	OutcomeIdle                  // the caller said nothing within -idle-timeout
	OutcomeBusy                  // every employee was on a call (-busy)
	OutcomeError                 // the network failed mid-call
)

// Call is one call as the log tells it.
type Call struct {
	Caller  net.Addr
	Said    []byte // the one read (lecture mode); only valid until the call ends
	Echoed  int
	Outcome Outcome
	Err     error
	Took    time.Duration
	Probe   bool
}

// CallLog writes the server's story to stdout, a plain line per event. Calls
// hand their line to one writer goroutine, so a crowd of calls never queues on
// a lock around stdout, and the writer flushes whenever it has caught up, so
// each line still appears at once. A nil *CallLog logs nothing.
type CallLog struct {
	lines  chan []byte
	errOut io.Writer
	errMu  sync.Mutex
	done   chan struct{}
}

// previewLen is how much of what a caller said a log line shows.
const previewLen = 80

// NewCallLog starts the writer goroutine; Close stops it after the last line.
func NewCallLog(out, errOut io.Writer) *CallLog {
	l := &CallLog{lines: make(chan []byte, 4096), errOut: errOut, done: make(chan struct{})}
	go l.write(out)
	return l
}

func (l *CallLog) write(out io.Writer) {
	defer close(l.done)
	bw := bufio.NewWriterSize(out, 64<<10)
	for line := range l.lines {
		bw.Write(line)
		if len(l.lines) == 0 {
			bw.Flush()
		}
	}
	bw.Flush()
}

// Close writes what is queued and stops the writer.
func (l *CallLog) Close() {
	if l == nil {
		return
	}
	close(l.lines)
	<-l.done
}

// Printf logs a line about the server itself.
func (l *CallLog) Printf(format string, args ...any) {
	if l == nil {
		return
	}
	l.lines <- fmt.Appendf(nil, format+"\n", args...)
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

// Said logs one read of an echo-mode call as it happens.
func (l *CallLog) Said(caller net.Addr, b []byte) {
	if l == nil {
		return
	}
	line := make([]byte, 0, 64+min(len(b), previewLen)*2)
	line = append(line, "call from "...)
	line = appendAddr(line, caller)
	line = append(line, ": said "...)
	line = appendSaid(line, b)
	l.lines <- append(line, '\n')
}

// Call logs a finished call.
func (l *CallLog) Call(c Call) {
	if l == nil {
		return
	}
	line := make([]byte, 0, 96+min(len(c.Said), previewLen)*2)
	line = append(line, "call from "...)
	line = appendAddr(line, c.Caller)
	line = append(line, ": "...)
	switch c.Outcome {
	case OutcomeEchoed:
		if c.Said != nil {
			line = append(line, "said "...)
			line = appendSaid(line, c.Said)
			line = append(line, ", echoed it"...)
		} else {
			line = append(line, "echoed "...)
			line = strconv.AppendInt(line, int64(c.Echoed), 10)
			line = append(line, " bytes, caller hung up"...)
		}
	case OutcomeHungUp:
		line = append(line, "hung up without saying anything, nothing echoed"...)
	case OutcomeIdle:
		if c.Echoed > 0 {
			line = append(line, "went quiet after "...)
			line = strconv.AppendInt(line, int64(c.Echoed), 10)
			line = append(line, " bytes; hung up on them (-idle-timeout)"...)
		} else {
			line = append(line, "said nothing; hung up on them (-idle-timeout)"...)
		}
	case OutcomeBusy:
		line = append(line, "every employee was busy; said busy and hung up"...)
	case OutcomeError:
		if len(c.Said) > 0 {
			line = append(line, "said "...)
			line = appendSaid(line, c.Said)
			line = append(line, ", then "...)
		}
		line = append(line, "the call failed: "...)
		if c.Err != nil {
			line = append(line, c.Err.Error()...)
		}
	}
	line = append(line, " ("...)
	line = appendDuration(line, c.Took)
	line = append(line, ")\n"...)
	l.lines <- line
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
