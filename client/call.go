package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

const (
	// defaultTimeout is the lecture-sized patience: a server on the same
	// network answers in milliseconds, a dead one should not hang a script.
	defaultTimeout = 10 * time.Second
	// firstBackoff and maxBackoff pace -wait's retries: quick enough that a
	// container starting a moment later is caught at once, slow enough not
	// to flood a network that is still coming up.
	firstBackoff = 100 * time.Millisecond
	maxBackoff   = time.Second
	// closedLine is telnet's words when the server hangs up.
	closedLine = "Connection closed by foreign host.\n"
	// maxLine bounds one line read from stdin; a longer one is sent in pieces.
	maxLine = 64 << 10
)

// callOptions is one call as the flags describe it.
type callOptions struct {
	host       string // as typed, for "Connected to <host>."
	port       int
	crlf       bool
	send       string
	sendSet    bool // -send "" still sends an empty line
	expectEcho bool
	wait       time.Duration
	timeout    time.Duration
}

func (o callOptions) eol() string {
	if o.crlf {
		return "\r\n"
	}
	return "\n"
}

const callUsage = `usage: client [flags] HOST [PORT]
       client bench [flags] HOST [PORT]
       client grade [flags] HOST [PORT]
       client watch [flags]

Call HOST at PORT (default 8000) the way the lecture's telnet does: print what
the server says, send what you type line by line, and stop when the server
hangs up. "client bench -h" describes the load generator (the "10,000 callers"),
"client grade -h" the grader of any server against the lecture, and
"client watch -h" the capture that shows a call's packets on the wire.

flags:
`

const callUsageEnd = `
exit status: 0 ok, 1 network error (refused, timeout, reset), 2 bad usage,
3 protocol mismatch (wrong greeting or wrong echo, with -expect-echo).
`

// parseCall reads the flags of a plain call. Errors have been reported on
// stderr with the usage text by the time it returns.
func parseCall(args []string, stderr io.Writer) (callOptions, error) {
	o := callOptions{timeout: defaultTimeout}
	fs := newFlagSet("client", callUsage, callUsageEnd, stderr)
	fs.BoolVar(&o.crlf, "crlf", false, "end each line sent with \\r\\n, as telnet does (default \\n)")
	fs.StringVar(&o.send, "send", "", "send `TEXT` and a newline after the greeting instead of reading stdin, then\nprint everything the server says until it hangs up (default: read stdin)")
	fs.BoolVar(&o.expectEcho, "expect-echo", false, "with -send: exit 3 unless the greeting is exactly \"hello\\n\"\nand the echo equals what was sent")
	fs.DurationVar(&o.wait, "wait", 0, "keep retrying a refused, unreachable or timed-out connect for up to `D`,\nfor a server that is still starting (default 0: try once)")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "deadline `D` for connecting; with -send also for the whole exchange after it.\nAn interactive session waits for you and the server without limit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	fs.Visit(func(f *flag.Flag) { o.sendSet = o.sendSet || f.Name == "send" })
	switch {
	case o.timeout <= 0:
		return o, badUsage(fs, "-timeout must be positive, not %v", o.timeout)
	case o.wait < 0:
		return o, badUsage(fs, "-wait must not be negative, not %v", o.wait)
	case o.expectEcho && !o.sendSet:
		return o, badUsage(fs, "-expect-echo needs -send: it checks the echo of what -send sent")
	}
	var err error
	o.host, o.port, err = parseTarget(fs)
	return o, err
}

// call runs one call: connect, then either the -send script or an
// interactive session.
func call(ctx context.Context, o callOptions, stdin io.Reader, stdout, stderr io.Writer) error {
	out := &trackWriter{w: stdout}
	conn, err := connect(ctx, o, out, stderr)
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintf(out, "Connected to %s.\n", o.host)
	if o.sendSet {
		return sendOnce(ctx, conn, o, out)
	}
	return interactive(ctx, conn, o, stdin, out)
}

// connect resolves the host and dials each of its addresses, printing
// telnet's "Trying <ip>..." for each. With -wait it starts over after a
// refused, unreachable or timed-out round until the wait is used up; the
// whole connect then ends within -wait, a single attempt within -timeout.
func connect(ctx context.Context, o callOptions, out, stderr io.Writer) (net.Conn, error) {
	port := strconv.Itoa(o.port)
	where := net.JoinHostPort(o.host, port)
	dctx := ctx
	if o.wait > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, o.wait)
		defer cancel()
	}
	d := net.Dialer{Timeout: o.timeout}
	backoff := firstBackoff
	announced, waiting := false, false
	var last error
	// Each round takes at least firstBackoff and the rounds end at the
	// wait's deadline, so this loop ends; the count is a second bound.
	for round := 0; round <= int(o.wait/firstBackoff)+1; round++ {
		ips, err := resolve(dctx, o.host)
		if err == nil {
			var first error
			for _, ip := range ips {
				addr := net.JoinHostPort(ip.String(), port)
				if !announced {
					fmt.Fprintf(out, "Trying %s...\n", ip)
				}
				conn, derr := d.DialContext(dctx, "tcp", addr)
				if derr == nil {
					return conn, nil
				}
				if first == nil {
					first = lab.Wrap("connect "+addr, derr)
				}
			}
			announced = true
			err = first
		}
		if ctx.Err() != nil {
			return nil, errInterrupted
		}
		// An attempt cut off by the end of the wait says "timed out";
		// the round before it knew better why the server did not answer.
		// The dialer may see the deadline pass before dctx's timer fires.
		end, hasEnd := dctx.Deadline()
		if cut := hasEnd && !time.Now().Before(end); last == nil || !cut {
			last = err
		}
		if o.wait == 0 || !retryable(err) {
			return nil, err
		}
		if !waiting {
			waiting = true
			fmt.Fprintf(stderr, "client: waiting up to %v for %s...\n", o.wait, where)
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-dctx.Done():
			t.Stop()
		}
		if ctx.Err() != nil {
			return nil, errInterrupted
		}
		if dctx.Err() != nil {
			return nil, gaveUp(last, o.wait)
		}
		backoff = min(2*backoff, maxBackoff)
	}
	return nil, gaveUp(last, o.wait)
}

// gaveUp adds the wait to err's message and keeps its kind.
func gaveUp(err error, wait time.Duration) error {
	var ce *lab.CallError
	if errors.As(err, &ce) {
		return &lab.CallError{Kind: ce.Kind, Msg: fmt.Sprintf("%s (gave up after waiting %v)", ce.Msg, wait), Err: ce.Err}
	}
	return fmt.Errorf("gave up after waiting %v: %w", wait, err)
}

// retryable says whether -wait should try again: the server may simply not
// be up yet. A name that does not resolve may be a container not yet started.
func retryable(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	switch lab.Classify(err) {
	case lab.KindRefused, lab.KindUnreachable, lab.KindTimeout:
		return true
	}
	return false
}

// sendOnce is the lecture's call scripted: greeting, TEXT, echo, hang-up.
// The server hangs up, as in the lecture; see teeConn for an echo-mode
// server, which waits for the caller to hang up.
func sendOnce(ctx context.Context, conn net.Conn, o callOptions, out *trackWriter) error {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := conn.SetDeadline(time.Now().Add(o.timeout)); err != nil {
		return lab.Wrap("set deadline", err)
	}
	msg := []byte(o.send + o.eol())
	tc := &teeConn{Conn: conn, w: out}
	defer tc.stop()
	res, err := lab.Exchange(tc, msg)
	if ctx.Err() != nil {
		return errInterrupted
	}
	switch lab.Classify(err) {
	case "", lab.KindWrongGreeting:
		// A server that hangs up without a greeting line is a protocol
		// failure at most, not a network one.
	case lab.KindBusy:
		// Exchange stops at "busy\n"; show the rest, as telnet would.
		if _, cerr := io.Copy(io.Discard, tc); cerr != nil {
			return lab.Wrap("reading after the busy signal", cerr)
		}
	default:
		return err
	}
	out.hangUp()
	if !o.expectEcho {
		return nil
	}
	if err != nil {
		return err
	}
	return lab.Verify(res, msg)
}

// interactive relays stdin to the server line by line and the server to
// stdout, until the server hangs up. Ending stdin half-closes the
// connection, so a server still has the chance to answer.
func interactive(ctx context.Context, conn net.Conn, o callOptions, stdin io.Reader, out *trackWriter) error {
	go sendLines(conn, stdin, o.eol())
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(out, conn)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return lab.Wrap("reading from "+conn.RemoteAddr().String(), err)
		}
	case <-ctx.Done():
		conn.Close()
		<-done
		return errInterrupted
	}
	out.hangUp()
	return nil
}

// sendLines sends each line of stdin with eol as its ending, then
// half-closes. It stops early when the connection refuses a write: the
// reading side reports why. A stdin that never ends (a terminal) keeps it
// blocked until the process exits, which is why nobody waits for it.
func sendLines(conn net.Conn, stdin io.Reader, eol string) {
	br := bufio.NewReaderSize(stdin, maxLine)
	var buf []byte
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			// line points into br's buffer: build the ending in buf.
			buf = append(buf[:0], line...)
			if buf[len(buf)-1] == '\n' {
				buf = buf[:len(buf)-1]
				if eol == "\r\n" && len(buf) > 0 && buf[len(buf)-1] == '\r' {
					buf = buf[:len(buf)-1]
				}
				buf = append(buf, eol...)
			}
			if _, werr := conn.Write(buf); werr != nil {
				return
			}
		}
		if err == nil || errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		lab.CloseWrite(conn)
		return
	}
}

// trackWriter remembers whether the last byte shown ended a line, so
// telnet's closing words start on a line of their own.
type trackWriter struct {
	w       io.Writer
	midLine bool
}

// hangUp prints telnet's words for a server that closed the connection.
func (t *trackWriter) hangUp() {
	if t.midLine {
		fmt.Fprintln(t)
	}
	fmt.Fprint(t, closedLine)
}

func (t *trackWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if n > 0 {
		t.midLine = p[n-1] != '\n'
	}
	return n, err
}

// teeConn shows the user every byte the server sends, the moment it
// arrives, while lab.Exchange parses the same bytes.
//
// Like telnet, it leaves hanging up to the server: the lecture's server
// closes right after the echo, and the wire shows its FIN first. Only when
// the whole echo is back and the server then stays quiet for echoQuiet (an
// echo-mode server waits for more) does it half-close, as ending stdin would.
type teeConn struct {
	net.Conn
	w       io.Writer
	sent    int // bytes of the message; 0 until it is sent
	got     int // bytes read since the message was sent
	hangUp  *time.Timer
	stopped bool
}

// echoQuiet is how long a complete echo may be followed by silence before
// the caller half-closes.
const echoQuiet = 300 * time.Millisecond

func (c *teeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		if _, werr := c.w.Write(p[:n]); werr != nil {
			return n, fmt.Errorf("write stdout: %w", werr)
		}
		if c.sent > 0 {
			c.got += n
			if c.got >= c.sent && c.hangUp == nil && !c.stopped {
				// A failed half-close means the server is gone
				// already; the read that follows says how.
				c.hangUp = time.AfterFunc(echoQuiet, func() { lab.CloseWrite(c.Conn) })
			}
		}
	}
	return n, err
}

func (c *teeConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.sent += n
	return n, err
}

// stop cancels a pending half-close once the call is over.
func (c *teeConn) stop() {
	c.stopped = true
	if c.hangUp != nil {
		c.hangUp.Stop()
	}
}
