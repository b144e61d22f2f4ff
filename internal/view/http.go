package view

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed assets
var assets embed.FS

// DefaultInterval is the shortest time between two updates of a page: a
// crowd of thousands of calls a second becomes ten updates a second.
const DefaultInterval = 100 * time.Millisecond

// keepAlive is how often an idle stream says something, so a proxy or the
// browser does not take a quiet page for a dead one.
const keepAlive = 15 * time.Second

// Page serves the web view: the embedded page, the stream of updates and
// each call's downloads. It is an http.Handler.
type Page struct {
	calls    *Calls
	interval time.Duration

	mu     sync.Mutex
	center Center

	mux *http.ServeMux
}

// NewPage serves calls, sending a page at most one update per interval
// (DefaultInterval when not positive).
func NewPage(calls *Calls, interval time.Duration) *Page {
	if interval <= 0 {
		interval = DefaultInterval
	}
	p := &Page{calls: calls, interval: interval, mux: http.NewServeMux()}
	static, _ := fs.Sub(assets, "assets")
	p.mux.Handle("GET /", http.FileServerFS(static))
	p.mux.HandleFunc("GET /events", p.events)
	p.mux.HandleFunc("GET /state", p.state)
	p.mux.HandleFunc("GET /calls/{file}", p.download)
	return p
}

// SetCenter stores the call center's latest numbers and wakes the pages.
func (p *Page) SetCenter(c Center) {
	p.mu.Lock()
	changed := !sameCenter(p.center, c)
	p.center = c
	p.mu.Unlock()
	if changed {
		p.calls.Changed()
	}
}

// sameCenter compares two samples by value, the server's report included.
func sameCenter(a, b Center) bool {
	if (a.Server == nil) != (b.Server == nil) {
		return false
	}
	if a.Server != nil && *a.Server != *b.Server {
		return false
	}
	a.Server, b.Server = nil, nil
	return a == b
}

// update is one message of the stream: the calls' snapshot and the call center.
type update struct {
	Snapshot
	Center Center `json:"center"`
	Time   int64  `json:"time"` // when it was sent, Unix milliseconds
}

func (p *Page) update(since uint64) update {
	now := time.Now()
	p.mu.Lock()
	c := p.center
	p.mu.Unlock()
	return update{Snapshot: p.calls.Since(since, now), Center: c, Time: now.UnixMilli()}
}

// ServeHTTP answers only requests addressed to this machine by IP or as
// localhost: a web page elsewhere that points a name of its own at
// 127.0.0.1 (DNS rebinding) cannot read the calls.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !localHost(r.Host) {
		http.Error(w, "this page answers only to localhost or an IP address", http.StatusForbidden)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
	p.mux.ServeHTTP(w, r)
}

func localHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	return host == "localhost" || net.ParseIP(host) != nil
}

// events is the stream of server-sent events. Each client gets the whole
// page first, then only what changed, never more often than p.interval:
// changes in between are folded into the next update, not queued.
func (p *Page) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	changed, cancel := p.calls.Subscribe()
	defer cancel()
	enc := json.NewEncoder(w)
	var since uint64
	send := func() error {
		u := p.update(since)
		since = u.Version
		if _, err := fmt.Fprint(w, "event: update\ndata: "); err != nil {
			return err
		}
		if err := enc.Encode(u); err != nil { // Encode ends the line
			return err
		}
		if _, err := fmt.Fprint(w, "\n"); err != nil {
			return err
		}
		return rc.Flush()
	}
	// retry: how soon the browser calls again after the view restarts.
	fmt.Fprint(w, "retry: 1000\n\n")
	if send() != nil {
		return
	}
	idle := time.NewTimer(keepAlive)
	defer idle.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-idle.C:
			if _, err := fmt.Fprint(w, ": still here\n\n"); err != nil || rc.Flush() != nil {
				return
			}
			idle.Reset(keepAlive)
			continue
		case <-changed:
		}
		if send() != nil {
			return
		}
		idle.Reset(keepAlive)
		// Coalesce: whatever changes during the pause goes in one update.
		select {
		case <-r.Context().Done():
			return
		case <-time.After(p.interval):
		}
	}
}

// state is the whole page as one JSON object, for scripts and tests.
func (p *Page) state(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(p.update(0))
}

// download serves /calls/N.pcap, N.svg, N.mmd (Mermaid) and N.json.
func (p *Page) download(w http.ResponseWriter, r *http.Request) {
	name, ext, _ := strings.Cut(r.PathValue("file"), ".")
	n, err := strconv.Atoi(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	c, ok := p.calls.Call(n)
	if !ok {
		http.Error(w, fmt.Sprintf("call %d is no longer kept: the page keeps the last %d calls", n, p.calls.keep), http.StatusNotFound)
		return
	}
	types := map[string]string{
		"pcap": "application/vnd.tcpdump.pcap",
		"svg":  "image/svg+xml",
		"mmd":  "text/plain; charset=utf-8",
		"json": "application/json",
	}
	typ, ok := types[ext]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", typ)
	if r.URL.Query().Has("download") {
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"call-%d.%s\"", n, ext))
	}
	switch ext {
	case "pcap":
		err = WritePcap(w, c)
	case "svg":
		err = WriteSVG(w, c)
	case "mmd":
		err = WriteMermaid(w, c)
	case "json":
		err = json.NewEncoder(w).Encode(c)
	}
	_ = err // the headers are sent: a broken download is the client's to see
}

// serve runs the page on l until ctx ends.
func serve(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		// Requests live in ctx, so the pages' streams end with it.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(sctx) // streams end with their requests' contexts
		srv.Close()
	})
	defer stop()
	if err := srv.Serve(l); err != http.ErrServerClosed {
		return err
	}
	return nil
}
