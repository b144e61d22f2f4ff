package student

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/lab"
)

// greetingSettle is how long the call waits, once something has arrived,
// for the rest of the greeting's line: a greeting without a newline would
// otherwise be waited on until the timeout.
const greetingSettle = 300 * time.Millisecond

// Call is the lecture's call as laptop-b made it and heard it.
type Call struct {
	DialErr  error
	Greeting []byte // what came before the caller spoke
	Reply    []byte // what came after
	// Spoke says laptop-b's line was sent.
	Spoke bool
	// hungUpSide says laptop-b hung up its side to see whether the server
	// waited for that, whatever came of it.
	hungUpSide bool
	// HalfClosed says the reply came only after the caller hung up its
	// side (a server that reads until the caller hangs up).
	HalfClosed bool
	// End is how the call ended: "closed" (the server hung up), "reset",
	// "open" (still open when the caller gave up), or an error.
	End string
}

// Complete says the call went as the lecture's: greeted with hello, the
// line echoed byte for byte, the server hung up.
func (c Call) Complete(msg []byte) bool {
	return c.DialErr == nil && string(c.Greeting) == lab.Greeting && bytes.Equal(c.Reply, msg) && !c.HalfClosed && c.End == "closed"
}

// gradeCall is the call as the grader judges a first call: the lab's call
// is the grade's first, so a server that serves one call is graded on it.
func (c Call) gradeCall() grade.Call {
	end := c.End
	if end == "kept talking" {
		end = "enough"
	}
	return grade.Call{DialErr: c.DialErr, Early: c.Greeting, Late: c.Reply, Spoke: c.Spoke, End: end, HalfClosed: c.hungUpSide}
}

// Transcript calls addr as the lab's laptop-b does (telnet, then a typed
// line) and prints what telnet would: Trying, Connected, what the server
// said, Connection closed. Each wait is bounded by timeout. A server that
// only answers once its caller hangs up is given that, after a timeout,
// to tell it apart from one that never answers.
func Transcript(ctx context.Context, addr string, msg []byte, timeout time.Duration, out io.Writer) Call {
	var c Call
	host, _, _ := net.SplitHostPort(addr)
	fmt.Fprintf(out, "Trying %s...\n", host)
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		c.DialErr = err
		fmt.Fprintf(out, "telnet: Unable to connect to remote host: %s\n", describeDial(err))
		return c
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	fmt.Fprintf(out, "Connected to %s.\n", host)

	// The greeting: up to its newline, or what came before a pause.
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(timeout))
	for len(c.Greeting) < lab.MaxGreeting {
		n, err := conn.Read(buf)
		c.Greeting = append(c.Greeting, buf[:n]...)
		if bytes.IndexByte(c.Greeting, '\n') >= 0 {
			break
		}
		if err != nil {
			if !isTimeout(err) {
				c.End = endWord(err)
			}
			break
		}
		conn.SetReadDeadline(time.Now().Add(greetingSettle))
	}
	printed(out, c.Greeting)
	if c.End != "" {
		fmt.Fprintln(out, "Connection closed by foreign host.")
		return c
	}

	if _, err := conn.Write(msg); err != nil {
		c.End = endWord(err)
		fmt.Fprintln(out, "Connection closed by foreign host.")
		return c
	}
	c.Spoke = true
	c.Reply, c.End = readToEnd(conn, timeout)
	if c.End == "open" && len(c.Reply) == 0 {
		// Nothing back, the line still open: does it wait for the caller
		// to hang up (recv until b"")? telnet never does; try it.
		if lab.CloseWrite(conn) == nil {
			c.hungUpSide = true
			c.Reply, c.End = readToEnd(conn, timeout)
			c.HalfClosed = len(c.Reply) > 0
		}
	}
	printed(out, c.Reply)
	switch c.End {
	case "open":
		fmt.Fprintf(out, "(nothing more for %v: telnet would wait; hanging up)\n", timeout)
	default:
		fmt.Fprintln(out, "Connection closed by foreign host.")
	}
	return c
}

// readToEnd reads until the server hangs up or goes quiet for timeout.
func readToEnd(conn net.Conn, timeout time.Duration) ([]byte, string) {
	var got []byte
	buf := make([]byte, 4096)
	for len(got) < 64<<10 {
		conn.SetReadDeadline(time.Now().Add(timeout))
		n, err := conn.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			if isTimeout(err) {
				return got, "open"
			}
			return got, endWord(err)
		}
	}
	return got, "kept talking"
}

// printed writes what the server sent as telnet shows it, ending the line.
func printed(out io.Writer, b []byte) {
	if len(b) == 0 {
		return
	}
	out.Write(b)
	if b[len(b)-1] != '\n' {
		fmt.Fprintln(out)
	}
}

func endWord(err error) string {
	switch {
	case errors.Is(err, io.EOF):
		return "closed"
	case lab.Classify(err) == lab.KindReset:
		return "reset"
	case isTimeout(err):
		return "open"
	}
	return err.Error()
}

func isTimeout(err error) bool { return lab.Classify(err) == lab.KindTimeout }

// describeDial says why a call was not picked up, as telnet would.
func describeDial(err error) string {
	switch lab.Classify(err) {
	case lab.KindRefused:
		return "Connection refused"
	case lab.KindTimeout:
		return "Connection timed out"
	case lab.KindUnreachable:
		return "No route to host"
	}
	return strings.TrimPrefix(err.Error(), "dial tcp ")
}
