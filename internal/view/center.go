package view

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Center is the call center as the page shows it: what the kernel of the
// server's network namespace says of the listening socket, and what the
// server says of its employees on its status endpoint.
type Center struct {
	// Queue is how many callers wait in the listen queue, picked up by the
	// kernel but not yet by accept(); Backlog is its limit. Both are what
	// `ss -lt` shows as Recv-Q and Send-Q of the listening socket.
	Queue      int  `json:"queue"`
	Backlog    int  `json:"backlog"`
	Listening  bool `json:"listening"`
	QueueKnown bool `json:"queueKnown"`
	// Overflows counts the callers the kernel ignored because the queue
	// was full (TcpExt ListenOverflows), since the view started.
	Overflows int64 `json:"overflows"`
	// Server is the server's own report; nil when its endpoint is not
	// configured or does not answer (StatusError says why).
	Server      *ServerStatus `json:"server,omitempty"`
	StatusError string        `json:"statusError,omitempty"`
	// CPU is the server's CPU use since the last sample, in percent of one
	// core; Sleeping says it used none and serves nobody.
	CPU      float64 `json:"cpu"`
	Sleeping bool    `json:"sleeping"`
}

// ServerStatus is what the server's -status endpoint answers, as JSON.
type ServerStatus struct {
	Model      string  `json:"model"`       // threads, processes or eventloop; "" from a server before -model
	Processes  int64   `json:"processes"`   // processes started for calls (the processes model)
	Workers    int     `json:"workers"`     // employees; 0: one goroutine (or process) per call
	BusyMode   bool    `json:"busy_mode"`   // -busy: callers hear "busy" instead of waiting
	Backlog    int     `json:"backlog"`     // the -backlog it asked listen(2) for
	Busy       int     `json:"busy"`        // employees on a call now
	InProgress int64   `json:"in_progress"` // calls from pick-up to close, drains included
	CPUSeconds float64 `json:"cpu_seconds"` // user+system CPU time since it started
}

// centerProbe samples a Center; each part is a func so tests can fake it.
type centerProbe struct {
	port      int
	listen    func(port int) (queue, backlog int, ok bool, err error)
	overflows func() (int64, error)
	status    func(ctx context.Context) (*ServerStatus, error)

	base     int64 // overflows at the first sample
	baseSet  bool
	lastCPU  float64
	lastAt   time.Time
	lastSeen bool
}

// sample reads the call center now.
func (p *centerProbe) sample(ctx context.Context, now time.Time) Center {
	var c Center
	if p.listen != nil {
		q, b, ok, err := p.listen(p.port)
		c.Queue, c.Backlog, c.Listening, c.QueueKnown = q, b, ok, err == nil
	}
	if p.overflows != nil {
		if n, err := p.overflows(); err == nil {
			if !p.baseSet {
				p.base, p.baseSet = n, true
			}
			c.Overflows = n - p.base
		}
	}
	if p.status == nil {
		return c
	}
	st, err := p.status(ctx)
	if err != nil {
		c.StatusError = err.Error()
		p.lastSeen = false
		return c
	}
	c.Server = st
	if p.lastSeen && now.After(p.lastAt) && st.CPUSeconds >= p.lastCPU {
		c.CPU = 100 * (st.CPUSeconds - p.lastCPU) / now.Sub(p.lastAt).Seconds()
	}
	p.lastCPU, p.lastAt, p.lastSeen = st.CPUSeconds, now, true
	// Asking for the status costs the server a few microseconds: below
	// half a percent of a core it is asleep in accept() or in a read.
	c.Sleeping = st.InProgress == 0 && c.Queue == 0 && c.CPU < 0.5
	return c
}

// netstatOverflows reads TcpExt ListenOverflows from /proc/net/netstat,
// which, like every file of /proc/net, describes the reader's network
// namespace: in the sidecar, the server's.
func netstatOverflows() (int64, error) {
	f, err := os.Open("/proc/net/netstat")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return parseNetstat(f, "TcpExt:", "ListenOverflows")
}

// parseNetstat finds one counter in /proc/net/netstat's pairs of lines: a
// header line of names and a line of values, each starting with prefix.
func parseNetstat(r io.Reader, prefix, name string) (int64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 8192), 1<<20)
	var names []string
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != prefix {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		for i, n := range names {
			if n == name && i < len(f) {
				return strconv.ParseInt(f[i], 10, 64)
			}
		}
		break
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no %s %s in /proc/net/netstat", prefix, name)
}

// httpStatus asks the server's status endpoint, bounded in time: a
// server too busy to answer at once must not stall the page.
func httpStatus(url string) func(ctx context.Context) (*ServerStatus, error) {
	client := &http.Client{Timeout: 300 * time.Millisecond}
	return func(ctx context.Context) (*ServerStatus, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("the server's status endpoint does not answer: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("the server's status endpoint says %s", resp.Status)
		}
		var st ServerStatus
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&st); err != nil {
			return nil, fmt.Errorf("the server's status: %w", err)
		}
		return &st, nil
	}
}
