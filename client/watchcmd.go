package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/wire"
)

const watchUsage = `usage: client watch [flags]

Watch the calls to a TCP port on this machine's network interface, as they
cross the wire: one line per segment, with time since the call began, who
sends it, the flags (SYN, SYN-ACK, ACK, PSH, FIN, RST), sequence and ack
numbers counted from the call's start, the payload, and at the key moments a
note on what it means: the handshake that picks up the phone, the greeting,
the echo, who hangs up first, a reset and why.

Capturing needs the CAP_NET_RAW capability: run as root, or in Docker as a
root user with cap_add: [NET_RAW]. It runs until -count or -duration is
reached or it is interrupted (Ctrl-C). With -json, each segment is one JSON
object on a line of its own.

flags:
`

const watchUsageEnd = `
example, on laptop-a:
  client watch -names 172.28.5.20=laptop-b,172.28.5.10=laptop-a -pcap-file /captures/call.pcap
`

// watchOptions is "client watch" as its flags describe it. The pcap file
// is created only once the capture is open, so a watch that cannot capture
// leaves no empty file behind.
type watchOptions struct {
	cfg      wire.Config
	pcapPath string
}

func parseWatch(args []string, stderr io.Writer) (watchOptions, error) {
	var o watchOptions
	var names string
	fs := newFlagSet("client watch", watchUsage, watchUsageEnd, stderr)
	fs.IntVar(&o.cfg.Port, "port", lab.DefaultPort, "TCP `PORT` to watch, at either end of a call")
	fs.StringVar(&o.cfg.Iface, "iface", wire.AutoIface, "interface `NAME` to capture on; auto: the first that is up, not loopback,\nwith an IPv4 address, as the server picks it")
	fs.file(&o.pcapPath, "pcap")
	fs.IntVar(&o.cfg.Count, "count", 0, "stop after `N` segments (default 0: no limit)")
	fs.DurationVar(&o.cfg.Duration, "duration", 0, "stop after `D` (default 0: no limit)")
	fs.json(&o.cfg.JSON)
	fs.names(&names)
	if err := fs.parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, badUsage(fs, "unexpected arguments: %q (watch takes only flags)", fs.Args())
	case o.cfg.Port < 1 || o.cfg.Port > 65535:
		return o, badUsage(fs, "-port %d: want a number from 1 to 65535", o.cfg.Port)
	case o.cfg.Count < 0:
		return o, badUsage(fs, "-count must not be negative, not %d", o.cfg.Count)
	case o.cfg.Duration < 0:
		return o, badUsage(fs, "-duration must not be negative, not %v", o.cfg.Duration)
	}
	var err error
	if o.cfg.Names, err = wire.ParseNames(names); err != nil {
		return o, badUsage(fs, "-names: %v", err)
	}
	return o, nil
}

// runWatch is "client watch": it fills a wire.Config from the flags, opens
// the capture and shows segments until told to stop.
func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseWatch(args, stderr)
	if err != nil {
		return usageExit(err)
	}
	o.cfg.Out = stdout
	w, err := wire.Open(o.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "client: watch: %v\n", err)
		if errors.Is(err, wire.ErrNoSuchIface) {
			return exitUsage
		}
		return exitNetwork
	}
	var pcapFile *os.File
	if o.pcapPath != "" {
		if pcapFile, err = os.Create(o.pcapPath); err != nil {
			w.Close()
			fmt.Fprintf(stderr, "client: watch: %v\n", err)
			return exitNetwork
		}
		w.SetPcap(pcapFile)
	}
	fmt.Fprintf(stderr, "client: watching TCP port %d on %s%s; %s\n", o.cfg.Port, w.Iface().Name, ifaceAddrs(w.Iface()), stopsWhen(o.cfg))

	st, err := w.Run(ctx)
	if pcapFile != nil {
		if cerr := pcapFile.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", o.pcapPath, cerr)
		}
	}
	// Drops last: scripts match the line's start, pcap path included.
	fmt.Fprintf(stderr, "client: watch saw %s in %s%s%s\n", plural(st.Segments, "segment"), plural(st.Calls, "call"), wrote(o.pcapPath), drops(st))
	if err != nil {
		fmt.Fprintf(stderr, "client: watch: %v\n", err)
		return exitNetwork
	}
	return exitOK
}

func ifaceAddrs(i wire.Iface) string {
	v4 := i.IPv4()
	if len(v4) == 0 {
		return ""
	}
	s := make([]string, len(v4))
	for k, a := range v4 {
		s[k] = a.String()
	}
	return " (" + strings.Join(s, ", ") + ")"
}

// stopsWhen tells the user how the watch will end.
func stopsWhen(cfg wire.Config) string {
	var s []string
	if cfg.Count > 0 {
		s = append(s, fmt.Sprintf("after %d segments", cfg.Count))
	}
	if cfg.Duration > 0 {
		s = append(s, "after "+cfg.Duration.Round(time.Millisecond).String())
	}
	s = append(s, "on Ctrl-C")
	return "stops " + strings.Join(s, " or ")
}

func wrote(path string) string {
	if path == "" {
		return ""
	}
	return "; pcap written to " + path
}

// drops says how many frames the kernel dropped, if it could tell. They
// are not in -json's output: its readers take every line for a segment.
func drops(st wire.Stats) string {
	switch {
	case !st.DropsKnown:
		return ""
	case st.Dropped == 0:
		return "; the kernel dropped 0 frames"
	}
	return fmt.Sprintf("; the kernel dropped %s: they came faster than watch read them, so segments may be missing above", plural(st.Dropped, "frame"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
