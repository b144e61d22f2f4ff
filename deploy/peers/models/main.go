// Command models measures the call center's models side by side on this
// machine (127.0.0.1 only) and prints one table: for the server run with
// -model threads, -model processes, -model eventloop, and the lecture's one
// employee (-workers 1), a crowd's calls per second, the server's CPU per
// call, its memory per caller on hold, the crowd's p50 and p99, and what
// one caller who says nothing does to the others' p99. `just models` runs it.
//
//	go run ./deploy/peers/models [-c 64] [-n 20000] [-d 15s] [-hold 1000] [-hold-processes 200] [-slow 2s] [-port 18300] [-server PATH]
//
// Without -server it builds ./server into a temporary folder first. Every
// server it starts it stops, by PID; their logs are kept in the temporary
// folder only while it runs.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/socketlab/socketlab/internal/fdlimit"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "models: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := Config{}
	fs := flag.NewFlagSet("models", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Server, "server", "", "the server `binary` to measure (default: go build ./server)")
	fs.IntVar(&cfg.Port, "port", 18300, "the first of four `port`s the servers listen on, on 127.0.0.1")
	fs.IntVar(&cfg.Concurrency, "c", 64, "the crowd's callers at once")
	fs.IntVar(&cfg.Calls, "n", 20000, "the crowd's calls")
	fs.DurationVar(&cfg.Duration, "d", 15*time.Second, "the crowd's time at most (a process per call is slow)")
	fs.IntVar(&cfg.Hold, "hold", 1000, "callers on hold, for the memory each costs")
	fs.IntVar(&cfg.HoldProcs, "hold-processes", 200, "callers on hold for -model processes, each a process")
	fs.DurationVar(&cfg.Slow, "slow", 2*time.Second, "how long the slow caller says nothing (the server's -idle-timeout then)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.Concurrency < 1 || cfg.Calls < 1 || cfg.Hold < 1 || cfg.HoldProcs < 1 || cfg.Slow <= 0 {
		return fmt.Errorf("-c, -n, -hold, -hold-processes and -slow must be positive")
	}
	dir, err := os.MkdirTemp("", "socketlab-models-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.Dir = dir
	if cfg.Server == "" {
		fmt.Fprintln(stderr, "models: go build ./server")
		build := exec.CommandContext(ctx, "go", "build", "-o", dir, "./server")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./server (run this from the repository): %w", err)
		}
		cfg.Server = filepath.Join(dir, "server")
	}
	// The callers on hold need a descriptor each, here and in the server.
	if limit, _ := fdlimit.Raise(); limit > 0 && limit < uint64(cfg.Hold)+64 {
		return fmt.Errorf("the open-files limit is %d, too few for -hold %d (raise it: ulimit -n %d)", limit, cfg.Hold, 2*cfg.Hold+64)
	}
	cfg.Progress = func(s string) { fmt.Fprintln(stderr, "models: "+s) }
	rows, err := Run(ctx, cfg)
	if err != nil {
		return err
	}
	return WriteTable(stdout, rows, cfg)
}
