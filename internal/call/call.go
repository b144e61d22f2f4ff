// Package call is the lecture's telnet as an engine: one call to a server,
// shown the way telnet shows it. It either relays what the user types line
// by line and what the server says, or, scripted, sends one line after the
// greeting and checks the echo. The client command fills a Config from its
// flags; Run makes the call.
package call

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// DefaultTimeout is the lecture-sized patience: a server on the same
// network answers in milliseconds, a dead one should not hang a script.
const DefaultTimeout = 10 * time.Second

// GreetWait bounds the wait for the greeting of a scripted call (or the
// timeout, if shorter). A server greets the moment it picks up; one that
// has said nothing this long is not going to greet (a web server waits for
// the caller to speak first), and a script should hear so at once.
const GreetWait = 3 * time.Second

const (
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

// errInterrupted ends a call cut short by ctx (SIGINT or SIGTERM); it is
// not a network failure, but the call did not finish either.
var errInterrupted = errors.New("interrupted")

// Config is one call. The zero value but for Host is an interactive call to
// port 8000 that gives up after DefaultTimeout.
type Config struct {
	Host string // as typed, for telnet's "Connected to <host>."
	Port int    // 0: lab.DefaultPort
	// Send is the line to say after the greeting, without its ending,
	// instead of relaying Stdin; nil relays Stdin. An empty, non-nil Send
	// says an empty line.
	Send       []byte
	CRLF       bool          // end each line sent with \r\n, as telnet does (default \n)
	ExpectEcho bool          // with Send: a wrong greeting or echo fails the call
	Wait       time.Duration // keep retrying a connect that finds no server for this long
	Timeout    time.Duration // connect, and with Send the exchange after the greeting; 0: DefaultTimeout
	Stdin      io.Reader     // what the user types; nil: nothing
	Stdout     io.Writer     // what the server says, and telnet's lines around it
	Stderr     io.Writer     // the notice that -wait is waiting
}

func (c Config) eol() string {
	if c.CRLF {
		return "\r\n"
	}
	return "\n"
}

func (c Config) withDefaults() Config {
	if c.Port == 0 {
		c.Port = lab.DefaultPort
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Stdin == nil {
		c.Stdin = eofReader{}
	}
	if c.Stdout == nil {
		c.Stdout = io.Discard
	}
	if c.Stderr == nil {
		c.Stderr = io.Discard
	}
	return c
}

// eofReader is a user who types nothing.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// Run makes the call: connect, then either say Send and hear the echo, or
// relay Stdin until the server hangs up. Its error names what went wrong in
// lab's words (lab.Classify tells the kind); a call cut short by ctx ends
// in an error that says "interrupted".
func Run(ctx context.Context, cfg Config) error {
	cfg = cfg.withDefaults()
	out := &trackWriter{w: cfg.Stdout}
	conn, err := connect(ctx, cfg, out)
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintf(out, "Connected to %s.\n", cfg.Host)
	if cfg.Send != nil {
		return sendOnce(ctx, conn, cfg, out)
	}
	return interactive(ctx, conn, cfg, out)
}

// connect resolves the host and dials each of its addresses, printing
// telnet's "Trying <ip>..." for each. With -wait it starts over after a
// refused, unreachable or timed-out round until the wait is used up; the
// whole connect then ends within -wait, a single attempt within -timeout.
func connect(ctx context.Context, o Config, out io.Writer) (net.Conn, error) {
	port := strconv.Itoa(o.Port)
	where := net.JoinHostPort(o.Host, port)
	dctx := ctx
	if o.Wait > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, o.Wait)
		defer cancel()
	}
	d := net.Dialer{Timeout: o.Timeout}
	backoff := firstBackoff
	announced, waiting := false, false
	var last error
	// Each round takes at least firstBackoff and the rounds end at the
	// wait's deadline, so this loop ends; the count is a second bound.
	for round := 0; round <= int(o.Wait/firstBackoff)+1; round++ {
		ips, err := Resolve(dctx, o.Host)
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
		if o.Wait == 0 || !retryable(err) {
			return nil, err
		}
		if !waiting {
			waiting = true
			fmt.Fprintf(o.Stderr, "client: waiting up to %v for %s...\n", o.Wait, where)
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
			return nil, gaveUp(last, o.Wait)
		}
		backoff = min(2*backoff, maxBackoff)
	}
	return nil, gaveUp(last, o.Wait)
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

// sendOnce is the lecture's call scripted: greeting, Send, echo, hang-up.
// The server hangs up, as in the lecture; see hangUpWhenEchoed for an
// echo-mode server, which waits for the caller to hang up. The greeting
// must come within GreetWait; the rest of the exchange has the timeout.
func sendOnce(ctx context.Context, conn net.Conn, o Config, out *trackWriter) error {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	greetWait := min(GreetWait, o.Timeout)
	if err := conn.SetDeadline(time.Now().Add(greetWait)); err != nil {
		return lab.Wrap("set deadline", err)
	}
	msg := append(o.Send[:len(o.Send):len(o.Send)], o.eol()...)
	hc := &hangUpWhenEchoed{Conn: conn, timeout: o.Timeout}
	defer hc.stop()
	tc := &teeConn{Conn: hc, w: out}
	res, err := lab.Exchange(tc, msg)
	if ctx.Err() != nil {
		return errInterrupted
	}
	if hc.sent == 0 && lab.Classify(err) == lab.KindTimeout {
		return noGreeting(res.Greeting, greetWait)
	}
	if unreadReset(err, res, msg) {
		// The lecture's server reads once and closes with the rest of a
		// long line unread, so the kernel resets the call: its echo came,
		// and that is the end of the call, not a failure.
		out.hangUp()
		fmt.Fprintf(o.Stderr, "client: the server read %d of the %d bytes sent, echoed them and hung up"+
			" with the rest unread (a reset), as the lecture's server does\n", len(res.Echo), len(msg))
		if o.ExpectEcho {
			return lab.Verify(res, msg)
		}
		return nil
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
	if !o.ExpectEcho {
		return nil
	}
	if err != nil {
		return err
	}
	return lab.Verify(res, msg)
}

// noGreeting is the error of a call whose greeting did not come within
// wait: nothing at all, or a line without its newline.
func noGreeting(got []byte, wait time.Duration) error {
	if len(got) > 0 {
		return &lab.CallError{Kind: lab.KindWrongGreeting,
			Msg: fmt.Sprintf("no whole greeting within %v: the server said %s and no newline", wait, lab.Preview(got))}
	}
	return &lab.CallError{Kind: lab.KindWrongGreeting,
		Msg: fmt.Sprintf("no greeting within %v: the server never said hello; it may be waiting for you"+
			" to speak first, like a web server (HTTP)", wait)}
}

// unreadReset says a call ended in a reset that only means the server
// left part of a long message unread: it echoed the start of the message,
// at most its one read of lab.MaxRead bytes.
func unreadReset(err error, res lab.Result, msg []byte) bool {
	return lab.Classify(err) == lab.KindReset && len(msg) > lab.MaxRead &&
		len(res.Echo) > 0 && len(res.Echo) <= lab.MaxRead && bytes.HasPrefix(msg, res.Echo)
}

// interactive relays stdin to the server line by line and the server to
// stdout, until the server hangs up. Ending stdin half-closes the
// connection, so a server still has the chance to answer.
func interactive(ctx context.Context, conn net.Conn, o Config, out *trackWriter) error {
	go sendLines(conn, o.Stdin, o.eol())
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
type teeConn struct {
	net.Conn
	w io.Writer
}

func (c *teeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		if _, werr := c.w.Write(p[:n]); werr != nil {
			return n, fmt.Errorf("write stdout: %w", werr)
		}
	}
	return n, err
}

// hangUpWhenEchoed half-closes once the whole message has come back and the
// server then stays quiet for echoQuiet, as ending stdin would.
//
// Like telnet, it leaves hanging up to the server: the lecture's server
// closes right after the echo, and the wire shows its FIN first. Only an
// echo-mode server, which waits for more, hears the caller hang up.
type hangUpWhenEchoed struct {
	net.Conn
	timeout time.Duration // the exchange's deadline, from the moment the message is sent
	sent    int           // bytes of the message; 0 until it is sent
	got     int           // bytes read since the message was sent
	hangUp  *time.Timer
	stopped bool
}

// echoQuiet is how long a complete echo may be followed by silence before
// the caller half-closes.
const echoQuiet = 300 * time.Millisecond

func (c *hangUpWhenEchoed) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.sent > 0 {
		c.got += n
		if c.got >= c.sent && c.hangUp == nil && !c.stopped {
			// A failed half-close means the server is gone already;
			// the read that follows says how.
			c.hangUp = time.AfterFunc(echoQuiet, func() { lab.CloseWrite(c.Conn) })
		}
	}
	return n, err
}

func (c *hangUpWhenEchoed) Write(p []byte) (int, error) {
	if c.sent == 0 && c.timeout > 0 {
		// The greeting came: the rest of the call has the whole timeout.
		c.Conn.SetDeadline(time.Now().Add(c.timeout))
	}
	n, err := c.Conn.Write(p)
	c.sent += n
	return n, err
}

// stop cancels a pending half-close once the call is over.
func (c *hangUpWhenEchoed) stop() {
	c.stopped = true
	if c.hangUp != nil {
		c.hangUp.Stop()
	}
}

// Resolve looks host up, IPv4 addresses first: the lecture's server binds
// an IPv4 address, so "localhost" should reach 127.0.0.1 before ::1.
func Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	slices.SortStableFunc(ips, func(a, b netip.Addr) int {
		switch {
		case a.Is4() == b.Is4():
			return 0
		case a.Is4():
			return -1
		}
		return 1
	})
	if len(ips) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	return ips, nil
}
