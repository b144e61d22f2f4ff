package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/view"
	"github.com/socketlab/socketlab/internal/wire"
)

const viewUsage = `usage: client view [flags]

Serve a live web page of the calls to a TCP port on this machine's network
interface: each call as a ladder diagram (one arrow per TCP segment, with what
it means, the bytes, seq/ack/len, a step-by-step replay and its pcap, SVG and
Mermaid), and the call center: employees busy and free (with -status), callers
waiting in the listen queue against the backlog, queue overflows, busy signals
and calls per second.

Capturing needs the CAP_NET_RAW capability, as for client watch. The page has
no other source than this program: it works offline. The default gateway is
"` + view.YourComputer + `" on the page unless -names names it.

flags:
`

const viewUsageEnd = `
example, in laptop-a's network namespace (just view):
  client view -listen :8080 -url http://localhost:8080 \
    -status http://127.0.0.1:8081/status \
    -names 172.28.5.10=laptop-a,172.28.5.20=laptop-b
`

// viewConfig is what "client view" runs: the engine's Config, and the
// page's address as the user opens it.
type viewConfig struct {
	view.Config
	url string
}

func parseView(args []string, stderr io.Writer) (viewConfig, error) {
	var vc viewConfig
	cfg := &vc.Config
	var names string
	fs := newFlagSet("client view", viewUsage, viewUsageEnd, stderr)
	fs.IntVar(&cfg.Port, "port", lab.DefaultPort, "TCP `PORT` whose calls to show")
	fs.StringVar(&cfg.Iface, "iface", wire.AutoIface, "interface `NAME` to capture on; auto: the first that is up, not loopback,\nwith an IPv4 address, as the server picks it")
	fs.StringVar(&cfg.Listen, "listen", ":8080", "serve the page on `ADDR`")
	fs.StringVar(&vc.url, "url", "", "the page's `URL` as a browser opens it, said at start: where it is published,\nwhen the view runs in a container (default: from -listen, localhost for\nevery address)")
	fs.StringVar(&cfg.Status, "status", "", "`URL` of the server's status endpoint (server -status), for the employees\nand the server's CPU (default: none)")
	fs.names(&names)
	fs.IntVar(&cfg.Keep, "keep", view.DefaultKeep, "show the last `N` calls; older ones are only counted")
	fs.DurationVar(&cfg.Interval, "interval", view.DefaultInterval, "at most one update of a page per `D`")
	if err := fs.parse(args); err != nil {
		return vc, err
	}
	switch {
	case fs.NArg() > 0:
		return vc, badUsage(fs, "unexpected arguments: %q (view takes only flags)", fs.Args())
	case cfg.Port < 1 || cfg.Port > 65535:
		return vc, badUsage(fs, "-port %d: want a number from 1 to 65535", cfg.Port)
	case cfg.Keep < 1:
		return vc, badUsage(fs, "-keep %d: want at least 1", cfg.Keep)
	case cfg.Interval <= 0:
		return vc, badUsage(fs, "-interval must be positive, not %v", cfg.Interval)
	case vc.url != "" && !strings.HasPrefix(vc.url, "http://") && !strings.HasPrefix(vc.url, "https://"):
		return vc, badUsage(fs, "-url %q: want an address a browser opens, http://HOST:PORT", vc.url)
	}
	var err error
	if cfg.Names, err = wire.ParseNames(names); err != nil {
		return vc, badUsage(fs, "-names: %v", err)
	}
	return vc, nil
}

// pageURL is the page's address as a browser on this machine opens it:
// given, or the listener's, where an address on every interface (":8080",
// "[::]:8080") is opened as localhost.
func pageURL(given string, listen net.Addr) string {
	if given != "" {
		return given
	}
	if a, ok := listen.(*net.TCPAddr); ok && (a.IP == nil || a.IP.IsUnspecified()) {
		return fmt.Sprintf("http://localhost:%d", a.Port)
	}
	return "http://" + listen.String()
}

// runView is "client view": it opens the capture and the page and serves
// until told to stop.
func runView(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	vc, err := parseView(args, stderr)
	if err != nil {
		return usageExit(err)
	}
	cfg := vc.Config
	v, err := view.Open(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "client: view: %v\n", err)
		if errors.Is(err, wire.ErrNoSuchIface) {
			return exitUsage
		}
		return exitNetwork
	}
	// Only an address the user can open: in the lab the listener's is the
	// container's, and the page is published elsewhere (-url).
	fmt.Fprintf(stdout, "client: view of TCP port %d on %s%s: open %s in a browser\n",
		cfg.Port, v.Iface().Name, ifaceAddrs(v.Iface()), pageURL(vc.url, v.Addr()))
	if err := v.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "client: view: %v\n", err)
		return exitNetwork
	}
	fmt.Fprintln(stdout, "client: view stopped")
	return exitOK
}
