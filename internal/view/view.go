// Package view is the engine of "client view": a live web page of the
// calls to one port, each drawn as a ladder diagram (one column per party,
// one arrow per TCP segment, time downwards) with the watcher's
// explanations, and of the call center: employees busy and free, callers
// waiting in the kernel's listen queue against the backlog, overflows,
// busy signals and calls per second.
//
// It captures with package wire (the same decoder and explanations as
// "client watch") and sends each page server-sent events, at most one
// update per interval however fast calls come. The page is plain HTML,
// JavaScript and SVG embedded in the binary: no CDN, no build step, it
// works offline. Like wire, it knows nothing of flags: fill a Config,
// Open it, Run it.
package view

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/wire"
)

// DefaultSample is how often the call center is sampled while a page is open.
const DefaultSample = 250 * time.Millisecond

// YourComputer is what the page calls the Docker bridge's gateway: calls
// through a published port come from there.
const YourComputer = "your computer"

// Config says what to watch and where to serve the page. Zero fields take
// their defaults.
type Config struct {
	// Iface and Port are what to capture, as in wire.Config.
	Iface string
	Port  int
	// Names names addresses on the page. The default gateway, when
	// unnamed, is YourComputer.
	Names wire.Names
	// Listen is the page's address (default ":8080").
	Listen string
	// Status is the URL of the server's status endpoint; "" shows the
	// call center without employees.
	Status string
	// Keep is how many calls the page keeps (DefaultKeep).
	Keep int
	// Interval is the shortest time between two updates of a page (DefaultInterval).
	Interval time.Duration
	// Sample is how often the call center is read (DefaultSample).
	Sample time.Duration
}

// View is an open capture and page, ready to Run.
type View struct {
	cfg   Config
	w     *wire.Watcher
	l     net.Listener
	calls *Calls
	page  *Page
	probe *centerProbe
}

// Open opens the capture and the page's listener.
func Open(cfg Config) (*View, error) {
	if cfg.Listen == "" {
		cfg.Listen = ":8080"
	}
	if cfg.Sample <= 0 {
		cfg.Sample = DefaultSample
	}
	names := wire.Names{}
	for a, n := range cfg.Names {
		names[a] = n
	}
	if gw, err := defaultGateway(); err == nil {
		if _, named := names[gw]; !named {
			names[gw] = YourComputer
		}
	}
	cfg.Names = names
	calls := NewCalls(cfg.Keep, names)
	w, err := wire.Open(wire.Config{Iface: cfg.Iface, Port: cfg.Port, Names: names, Segment: calls.Observe})
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("serve the page: %w", err)
	}
	probe := &centerProbe{port: cfg.Port, listen: listenQueue, overflows: netstatOverflows}
	if cfg.Status != "" {
		probe.status = httpStatus(cfg.Status)
	}
	return &View{cfg: cfg, w: w, l: l, calls: calls, page: NewPage(calls, cfg.Interval), probe: probe}, nil
}

// Iface is the interface being watched.
func (v *View) Iface() wire.Iface { return v.w.Iface() }

// Addr is where the page is served.
func (v *View) Addr() net.Addr { return v.l.Addr() }

// Run captures and serves until ctx ends (nil) or the capture fails.
func (v *View) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- serve(ctx, v.l, v.page) }()
	go v.sampleCenter(ctx)
	_, err := v.w.Run(ctx)
	cancel()
	if serr := <-served; err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	return nil
}

// sampleCenter reads the call center every cfg.Sample while a page is
// open: with no page, the view asks the server nothing, and the server
// sleeps undisturbed.
func (v *View) sampleCenter(ctx context.Context) {
	t := time.NewTicker(v.cfg.Sample)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if v.calls.Watchers() > 0 {
				v.page.SetCenter(v.probe.sample(ctx, now))
			}
		}
	}
}

// defaultGateway reads this network namespace's default IPv4 gateway from
// /proc/net/route: in a container, the Docker bridge's address.
func defaultGateway() (netip.Addr, error) {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return netip.Addr{}, err
	}
	defer f.Close()
	return parseRoute(f)
}

// parseRoute finds the default route's gateway in /proc/net/route, whose
// addresses are hex in the kernel's byte order.
func parseRoute(r io.Reader) (netip.Addr, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[1] != "00000000" || f[2] == "00000000" {
			continue
		}
		b, err := hex.DecodeString(f[2])
		if err != nil || len(b) != 4 {
			continue
		}
		// The kernel prints the address's 4 bytes as a native-endian
		// number: write that number back natively to get them.
		var ip [4]byte
		binary.NativeEndian.PutUint32(ip[:], binary.BigEndian.Uint32(b))
		return netip.AddrFrom4(ip), nil
	}
	if err := sc.Err(); err != nil {
		return netip.Addr{}, err
	}
	return netip.Addr{}, errors.New("no default route")
}
