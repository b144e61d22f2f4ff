// Package wire is the engine of "client watch": it captures the TCP
// segments of one port on a network interface and explains each one in
// the lecture's terms, the handshake that picks up the phone, the
// greeting, the echo and who hangs up first, optionally writing the frames
// to a pcap file that Wireshark opens.
//
// The capture is a Linux AF_PACKET socket opened with the standard
// library's syscall package: no libpcap, no cgo. Decoding (Decode) is a
// pure function of a frame's bytes, and the Tracker turns segments into
// Events apart from any I/O, so both are tested without a network.
//
// The engine knows nothing of flags: fill a Config, Open it, Run it.
package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/socketlab/socketlab/internal/netif"
)

// ErrNeedRawCapability is returned by Open when the process may not open a
// packet socket: it lacks the CAP_NET_RAW capability.
var ErrNeedRawCapability = errors.New("capturing needs the CAP_NET_RAW capability: run as root; in Docker, as user root with cap_add: [NET_RAW] (Docker does not pass capabilities to a non-root user)")

// Config says what to watch. The zero value of each field is its default.
type Config struct {
	// Iface is the interface to capture on; "" or AutoIface picks the first
	// that is up, not loopback, with an IPv4 address.
	Iface string
	// Port is the TCP port whose segments are shown, either end (1–65535).
	Port int
	// Count stops the watch after this many segments; 0 means no limit.
	Count int
	// Duration stops the watch once it has run this long; 0 means no limit.
	Duration time.Duration
	// Names names addresses in the output; others show as IPs.
	Names Names
	// JSON writes one JSON object per segment instead of a text line.
	JSON bool
	// Out receives the lines; nil prints nothing (and formats nothing).
	Out io.Writer
	// Segment, when set, is given each segment shown, with the frame that
	// carried it and the frame's length on the wire: the web view keeps
	// them per call. frame is valid only during the call.
	Segment func(e Event, frame []byte, origLen int)
	// Pcap, when set, receives a pcap file of the shown segments' frames.
	// Watcher.SetPcap sets it after Open.
	Pcap io.Writer
}

// Stats says what a watch saw.
type Stats struct {
	Segments  int // segments of the port shown
	Calls     int // connections they belonged to
	Malformed int // frames that could not be decoded
	// Dropped is how many frames, of any port, the kernel threw away
	// because they came faster than the watch read them; those of the
	// port are segments missing from what it showed. DropsKnown says the
	// count could be read.
	Dropped    int
	DropsKnown bool
}

// source is where frames come from: the packet socket, or a test's list.
type source interface {
	// read returns the next frame, valid until the next read, the time it
	// was captured and its length on the wire. Past the read deadline it
	// returns an error wrapping os.ErrDeadlineExceeded.
	read() (frame []byte, ts time.Time, origLen int, err error)
	setReadDeadline(t time.Time) error
	// dropped is how many frames the kernel dropped for lack of room in
	// the queue since the source was opened or last asked.
	dropped() (int, error)
	close() error
}

// Watcher is an open capture, ready to Run.
type Watcher struct {
	cfg   Config
	iface Iface
	src   source
}

// Open checks cfg, resolves the interface and opens the capture. From the
// moment it returns, frames are queued for Run.
func Open(cfg Config) (*Watcher, error) {
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("port %d: want a number from 1 to 65535", cfg.Port)
	}
	if cfg.Count < 0 || cfg.Duration < 0 {
		return nil, errors.New("count and duration must not be negative")
	}
	ifs, err := netif.System()
	if err != nil {
		return nil, err
	}
	iface, err := netif.Choose(cfg.Iface, ifs)
	if err != nil {
		return nil, err
	}
	src, err := openCapture(iface)
	if err != nil {
		return nil, err
	}
	return &Watcher{cfg: cfg, iface: iface, src: src}, nil
}

// SetPcap makes Run also write a pcap file of the segments it shows to w.
// It lets a caller create the file only once the capture is open.
func (w *Watcher) SetPcap(pcap io.Writer) { w.cfg.Pcap = pcap }

// Iface is the interface being watched.
func (w *Watcher) Iface() Iface { return w.iface }

// Close releases the capture; Run does so itself when it returns.
func (w *Watcher) Close() error { return w.src.close() }

// Run shows segments until Count or Duration is reached, or ctx is done;
// none of those is an error. It closes the capture before returning.
func (w *Watcher) Run(ctx context.Context) (st Stats, err error) {
	defer func() {
		// The kernel's count of drops goes with the socket: read it first.
		if n, derr := w.src.dropped(); derr == nil {
			st.Dropped, st.DropsKnown = n, true
		}
		w.src.close()
	}()
	cfg := w.cfg
	var pcap *PcapWriter
	if cfg.Pcap != nil {
		if pcap, err = NewPcapWriter(cfg.Pcap, DefaultSnaplen); err != nil {
			return st, err
		}
	}
	if cfg.Duration > 0 {
		if err := w.src.setReadDeadline(time.Now().Add(cfg.Duration)); err != nil {
			return st, fmt.Errorf("set the capture's deadline: %w", err)
		}
	}
	// A read blocks without spinning; ctx's end interrupts it through the
	// deadline, so there is no polling loop.
	stop := context.AfterFunc(ctx, func() { w.src.setReadDeadline(time.Now()) })
	defer stop()

	tr := NewTracker(uint16(cfg.Port), cfg.Names)
	var p *printer
	if cfg.Out != nil {
		p = newPrinter(cfg.Out, cfg.JSON)
	}
	port := uint16(cfg.Port)
	for cfg.Count == 0 || st.Segments < cfg.Count {
		frame, ts, origLen, err := w.src.read()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			return st, fmt.Errorf("capture on %s: %w", w.iface.Name, err)
		}
		seg, err := Decode(frame)
		if errors.Is(err, ErrMalformed) {
			st.Malformed++
		}
		if err != nil || (seg.Src.Port() != port && seg.Dst.Port() != port) {
			continue
		}
		st.Segments++
		e := tr.Observe(ts, seg)
		if p != nil {
			if err := p.print(e); err != nil {
				return st, fmt.Errorf("write: %w", err)
			}
		}
		if cfg.Segment != nil {
			cfg.Segment(e, frame, origLen)
		}
		if pcap != nil {
			if err := pcap.WritePacket(ts, frame, origLen); err != nil {
				return st, err
			}
		}
		st.Calls = tr.Calls()
	}
	return st, nil
}
