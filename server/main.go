// Command server is the lecture's socket server: it binds to the IPv4
// address of one network interface on port 8000, greets each caller with
// "hello", reads once (up to 1000 bytes), echoes what it read and hangs up.
// Flags turn it into the lecture's call center: one employee or many,
// callers on hold, a busy signal.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/socketlab/socketlab/internal/callcenter"
	"github.com/socketlab/socketlab/internal/fdlimit"
	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/netif"
)

func main() {
	// The processes model starts this executable again for each call.
	if code, isChild := callcenter.RunHandedCall(); isChild {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the server at once
	}()
	os.Exit(exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// usageError is bad input on the command line: exit code 2.
type usageError struct{ error }

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var q quiet
	if !errors.As(err, &q) {
		fmt.Fprintf(stderr, "server: %v\n", err)
	}
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// serverExits ends the usage text: the exit statuses, as exitCode gives them.
const serverExits = `
exit status: 0 ok (after -once's call, after SIGTERM or Ctrl-C, a probe that
was greeted), 1 runtime error (the address is in use or not on this machine,
a probe that was not greeted), 2 bad usage (an unknown -iface among them).
`

type config struct {
	iface, addr  string
	port         int
	backlog      int
	once         bool
	mode         string
	model        callcenter.Model
	workers      int
	busy         bool
	think        time.Duration
	idleTimeout  time.Duration
	grace        time.Duration
	listIfaces   bool
	probe        bool
	probeTimeout time.Duration
	status       string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.iface, "iface", netif.Auto, "`interface` whose first IPv4 address to bind (auto: the first one up, not loopback); see -list-interfaces")
	fs.StringVar(&c.addr, "addr", "", "bind this `IP` instead of an interface's (0.0.0.0: every interface)")
	fs.IntVar(&c.port, "port", lab.DefaultPort, "TCP `port` to listen on (0: any free port)")
	fs.IntVar(&c.backlog, "backlog", 5, "listen(2) queue length: how many callers can wait on hold")
	fs.BoolVar(&c.once, "once", false, "the lecture's script exactly: serve one call, then exit")
	fs.StringVar(&c.mode, "mode", string(callcenter.ModeLecture), "lecture: greet, read once, echo, hang up; echo: echo everything until the caller hangs up")
	model := fs.String("model", string(callcenter.ModelThreads), "how calls get an employee: threads (a goroutine per call), processes (a new\nprocess per call) or eventloop (one thread answers every call, epoll)")
	fs.IntVar(&c.workers, "workers", 0, "calls served at once (service employees); 0: one goroutine (or process) per call")
	fs.BoolVar(&c.busy, "busy", false, "with -workers: answer \"busy\" when every employee is on a call, instead of putting callers on hold")
	fs.DurationVar(&c.think, "think", 0, "time an employee spends on the answer (the balance lookup) before echoing")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 30*time.Second, "hang up on a caller who says nothing for this long (0: wait forever)")
	fs.DurationVar(&c.grace, "grace", 5*time.Second, "on SIGTERM or Ctrl-C: how long calls in progress may finish")
	fs.BoolVar(&c.listIfaces, "list-interfaces", false, "print each network interface with its addresses and exit")
	fs.BoolVar(&c.probe, "probe", false, "health check: call the server these flags describe, expect the greeting, exit 0 or 1")
	fs.DurationVar(&c.probeTimeout, "probe-timeout", 3*time.Second, "how long -probe waits for the greeting")
	fs.StringVar(&c.status, "status", "", "serve the call center's numbers as JSON at http://`IP:PORT`/status, a loopback\naddress only, for the web view (client view -status); with port 0 the kernel\npicks the port, and the log says it")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: server [flags]\n\n"+
			"Listens on an interface's IPv4 address, greets each caller with %q,\n"+
			"reads once (up to %d bytes), echoes it and hangs up.\n\nflags:\n", lab.Greeting, lab.MaxRead)
		fs.PrintDefaults()
		fmt.Fprint(stderr, serverExits)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, usageError{err}
	}
	bad := func(format string, a ...any) (config, error) {
		err := fmt.Errorf(format, a...)
		fmt.Fprintf(stderr, "server: %v\n", err)
		fs.Usage()
		return c, usageError{err}
	}
	var err error
	if c.model, err = callcenter.ParseModel(*model); err != nil {
		return bad("%v", err)
	}
	switch {
	case fs.NArg() > 0:
		return bad("unexpected argument %q (flags only; did you mean -addr %s?)", fs.Arg(0), fs.Arg(0))
	case c.mode != string(callcenter.ModeLecture) && c.mode != string(callcenter.ModeEcho):
		return bad("-mode %q: want lecture or echo", c.mode)
	case c.port < 0 || c.port > 65535:
		return bad("-port %d: want 0 to 65535", c.port)
	case c.backlog < 1:
		return bad("-backlog %d: want at least 1", c.backlog)
	case c.workers < 0:
		return bad("-workers %d: want 0 (no limit) or more", c.workers)
	case c.busy && c.workers == 0:
		return bad("-busy needs -workers N: with no limit nobody is ever busy")
	case c.status != "" && checkStatusAddr(c.status) != nil:
		return bad("%v", checkStatusAddr(c.status))
	case c.think < 0 || c.idleTimeout < 0 || c.grace < 0:
		return bad("durations must not be negative")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) || errors.As(err, new(usageError)) {
			return silenced(err)
		}
		return err
	}
	if c.listIfaces {
		return listIfaces(stdout)
	}
	ip, err := bindIP(c)
	if err != nil {
		return err
	}
	if c.probe {
		return probe(ctx, ip, c.port, c.probeTimeout, stdout)
	}
	fdlimit.Raise() // best effort: without it a crowd meets "too many open files" sooner

	l, err := callcenter.Listen(ip, c.port, c.backlog, c.idleTimeout == 0)
	if err != nil {
		addr := net.JoinHostPort(ip.String(), strconv.Itoa(c.port))
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("listen %s: address already in use (is another server running? stop it or pick another -port)", addr)
		}
		if errors.Is(err, syscall.EADDRNOTAVAIL) {
			return fmt.Errorf("listen %s: this machine has no such address (see -list-interfaces)", addr)
		}
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	// The log is never closed: a stop that cuts calls short leaves them
	// running, and they may still log after run returns.
	log := callcenter.NewCallLog(stdout, stderr)
	defer log.Flush()
	log.Printf("server listening at %s", l.Addr())
	if c.model != callcenter.ModelThreads {
		log.Printf("model %s: %s", c.model, c.model.Describe())
	}

	srv := &callcenter.Server{
		Mode:        callcenter.Mode(c.mode),
		Model:       c.model,
		Workers:     c.workers,
		Busy:        c.busy,
		Think:       c.think,
		IdleTimeout: c.idleTimeout,
		Once:        c.once,
		Log:         log,
	}
	if c.status != "" {
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		at, err := serveStatus(sctx, c.status, c, srv)
		if err != nil {
			l.Close()
			return err
		}
		// The endpoint is for the web view, which is told where it is. The
		// log names it only when the kernel chose its port, which the caller
		// cannot know otherwise: in the lab it is laptop-a's own loopback,
		// which no browser on the student's computer reaches (just view says
		// the page's address instead).
		if _, port, _ := net.SplitHostPort(c.status); port == "0" {
			log.Printf("status at http://%s/status", at)
		}
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case err := <-served:
		if err != nil && !errors.Is(err, callcenter.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	log.Printf("stopping: no new calls; %d in progress get up to %v to finish", srv.InProgress(), c.grace)
	sctx, cancel := context.WithTimeout(context.Background(), c.grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Errorf("stopped with calls cut short: %v", err)
		return nil
	}
	<-served
	log.Printf("stopped")
	return nil
}

// silenced marks an error already shown to the user with the usage text.
func silenced(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{quiet{err}}
}

type quiet struct{ error }

func bindIP(c config) (net.IP, error) {
	if c.addr != "" {
		ip := net.ParseIP(c.addr)
		if ip == nil {
			return nil, usageError{fmt.Errorf("-addr %q is not an IP address", c.addr)}
		}
		return ip, nil
	}
	ifs, err := netif.System()
	if err != nil {
		return nil, err
	}
	ip, err := resolveIface(c.iface, ifs)
	if err != nil {
		return nil, usageError{err}
	}
	return ip, nil
}

func listIfaces(w io.Writer) error {
	ifs, err := netif.System()
	if err != nil {
		return err
	}
	for _, i := range ifs {
		fmt.Fprintf(w, "%-12s %s\n", i.Name, i)
	}
	return nil
}

// probe calls the server as a health check would. A busy signal counts as
// healthy: the server is there and answering.
func probe(ctx context.Context, ip net.IP, port int, timeout time.Duration, stdout io.Writer) error {
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	addr := net.JoinHostPort(ip.String(), strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return lab.Wrap("probe "+addr, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// Half-close after the probe's line: an echo-mode server hangs up only
	// when its caller does.
	res, err := lab.Exchange(halfCloser{conn}, []byte(callcenter.ProbeMsg))
	if lab.Classify(err) == lab.KindBusy {
		fmt.Fprintf(stdout, "probe %s: answered busy (server is up)\n", addr)
		return nil
	}
	if err != nil {
		return fmt.Errorf("probe %s: %w", addr, err)
	}
	if err := lab.Verify(res, []byte(callcenter.ProbeMsg)); err != nil {
		return fmt.Errorf("probe %s: %w", addr, err)
	}
	fmt.Fprintf(stdout, "probe %s: greeted and echoed\n", addr)
	return nil
}

// halfCloser sends FIN right after its one write.
type halfCloser struct{ net.Conn }

func (h halfCloser) Write(p []byte) (int, error) {
	n, err := h.Conn.Write(p)
	if err == nil {
		lab.CloseWrite(h.Conn)
	}
	return n, err
}
