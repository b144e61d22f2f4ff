package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/socketlab/socketlab/internal/callcenter"
)

// status is what -status answers at /status: what only the server knows of
// its call center, for the web view (client view -status). The kernel's
// side, the listen queue, the view reads itself.
type status struct {
	Model      string  `json:"model"`       // -model: threads, processes or eventloop
	Processes  int64   `json:"processes"`   // processes started for calls (-model processes)
	Workers    int     `json:"workers"`     // -workers; 0: one goroutine (or process) per call
	BusyMode   bool    `json:"busy_mode"`   // -busy
	Backlog    int     `json:"backlog"`     // -backlog, as asked of listen(2)
	Busy       int64   `json:"busy"`        // employees on a call now
	InProgress int64   `json:"in_progress"` // calls from pick-up to close
	CPUSeconds float64 `json:"cpu_seconds"` // user+system CPU time since start, ended children's included
}

// checkStatusAddr accepts only a loopback address for -status: the
// endpoint is for a watcher in the server's own network namespace, never
// for the network.
func checkStatusAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-status %q: want IP:PORT, such as 127.0.0.1:8081", addr)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-status %q: bind a loopback address (127.0.0.1): the status is for a watcher on this machine, not for the network", addr)
	}
	return nil
}

// serveStatus answers GET /status on addr with srv's numbers as JSON until
// ctx ends. It returns once the address is bound.
func serveStatus(ctx context.Context, addr string, c config, srv *callcenter.Server) (net.Addr, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("-status: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(status{
			Model:      string(c.model),
			Processes:  srv.Started(),
			Workers:    c.workers,
			BusyMode:   c.busy,
			Backlog:    c.backlog,
			Busy:       srv.Serving(),
			InProgress: srv.InProgress(),
			CPUSeconds: cpuSeconds(),
		})
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 2 * time.Second}
	go func() {
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			srv.Log.Errorf("status endpoint: %v", err)
		}
	}()
	context.AfterFunc(ctx, func() { hs.Close() })
	return l.Addr(), nil
}
