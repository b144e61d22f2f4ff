// Package lab holds what the server and the client must agree on: the
// lecture's protocol constants, one call as a caller makes it, and the words
// used to name what went wrong on the network.
package lab

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
)

const (
	// Greeting is the first thing the server says, before the caller speaks.
	Greeting = "hello\n"
	// Busy is what a server run with -busy says when every employee is on a call.
	Busy = "busy\n"
	// MaxRead is the lecture's recv(1000): the server reads once, at most this much.
	MaxRead = 1000
	// DefaultPort is the lecture's port.
	DefaultPort = 8000
	// MaxGreeting bounds how much a caller reads while waiting for the
	// greeting line, so a server that never sends '\n' cannot grow it forever.
	MaxGreeting = 256
	// maxEcho bounds how much a caller keeps of the echo; a lecture server
	// sends back at most MaxRead, an echo-mode server what it was sent.
	maxEcho = 16 << 20
)

// Kind names a failed call the way a student would say it.
type Kind string

// The kinds of failure a caller can meet. They are the bench report's
// columns and the words in the client's error messages.
const (
	KindRefused       Kind = "refused"
	KindTimeout       Kind = "timeout"
	KindReset         Kind = "reset"
	KindUnreachable   Kind = "unreachable"
	KindWrongGreeting Kind = "wrong greeting"
	KindWrongEcho     Kind = "wrong echo"
	KindBusy          Kind = "busy"
	KindOther         Kind = "other"
)

// Kinds lists every Kind in the order reports show them.
var Kinds = []Kind{KindRefused, KindTimeout, KindReset, KindUnreachable, KindWrongGreeting, KindWrongEcho, KindBusy, KindOther}

// Classify names a network error. It returns KindOther for errors it does not know.
func Classify(err error) Kind {
	var ce *CallError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce):
		return ce.Kind
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return KindReset
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return KindUnreachable
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT):
		return KindTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return KindTimeout
	}
	return KindOther
}

// CallError is a call that failed at the protocol level or on the network,
// with the kind of failure named.
type CallError struct {
	Kind Kind
	Msg  string
	Err  error
}

func (e *CallError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *CallError) Unwrap() error { return e.Err }

// Wrap names err's kind and says what the caller was doing when it happened.
func Wrap(doing string, err error) error {
	if err == nil {
		return nil
	}
	var ce *CallError
	if errors.As(err, &ce) {
		return err
	}
	k := Classify(err)
	var msg string
	switch k {
	case KindRefused:
		msg = doing + ": connection refused (nothing is listening there)"
	case KindTimeout:
		msg = doing + ": timed out"
	case KindReset:
		msg = doing + ": connection reset by peer"
	case KindUnreachable:
		msg = doing + ": host unreachable"
	default:
		msg = doing
	}
	return &CallError{Kind: k, Msg: msg, Err: err}
}

// Result is what one call heard.
type Result struct {
	Greeting []byte // the first line the server sent, newline included
	Echo     []byte // everything the server sent after the message, to EOF
}

// Exchange makes the lecture's call on an open connection: wait for the
// greeting, send msg, read the reply until the server closes. It checks
// nothing; see Verify. The connection's deadline is the caller's business.
func Exchange(conn net.Conn, msg []byte) (Result, error) {
	var res Result
	br := bufio.NewReaderSize(conn, 512)
	g, err := readLine(br, MaxGreeting)
	res.Greeting = g
	if err != nil {
		if errors.Is(err, io.EOF) {
			return res, &CallError{Kind: KindWrongGreeting, Msg: fmt.Sprintf("server hung up before greeting (got %q)", g)}
		}
		return res, Wrap("waiting for the greeting", err)
	}
	if string(g) == Busy {
		return res, &CallError{Kind: KindBusy, Msg: "server is busy: every employee is on a call"}
	}
	if _, err := conn.Write(msg); err != nil {
		return res, Wrap("sending the message", err)
	}
	echo, err := io.ReadAll(io.LimitReader(br, maxEcho))
	res.Echo = echo
	if err != nil {
		return res, Wrap("reading the echo", err)
	}
	return res, nil
}

// Verify checks a call against the lecture: greeting exactly "hello\n" and
// the echo equal to what was sent, cut to MaxRead as the server's one read
// is. A message longer than MaxRead may be split by the network, so only a
// non-empty prefix is required then.
func Verify(res Result, msg []byte) error {
	if string(res.Greeting) != Greeting {
		return &CallError{Kind: KindWrongGreeting, Msg: fmt.Sprintf("wrong greeting: got %q, want %q", res.Greeting, Greeting)}
	}
	if bytes.Equal(res.Echo, msg) {
		return nil
	}
	if len(msg) > MaxRead && len(res.Echo) > 0 && len(res.Echo) <= MaxRead && bytes.HasPrefix(msg, res.Echo) {
		return nil
	}
	return &CallError{Kind: KindWrongEcho, Msg: fmt.Sprintf("wrong echo: sent %d bytes %s, got %d bytes %s", len(msg), Preview(msg), len(res.Echo), Preview(res.Echo))}
}

// CloseWrite half-closes conn: it sends FIN after what was written, so the
// other end reads EOF, while conn can still read what that end sends. On a
// connection that cannot half-close it returns errors.ErrUnsupported.
func CloseWrite(conn net.Conn) error {
	cw, ok := conn.(interface{ CloseWrite() error })
	if !ok {
		return errors.ErrUnsupported
	}
	return cw.CloseWrite()
}

// Preview quotes b for a log line, cut short so a megabyte stays one line.
func Preview(b []byte) string {
	const max = 60
	if len(b) <= max {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%q…", b[:max])
}

func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for len(line) < max {
		c, err := br.ReadByte()
		if err != nil {
			return line, err
		}
		line = append(line, c)
		if c == '\n' {
			return line, nil
		}
	}
	return line, nil
}
