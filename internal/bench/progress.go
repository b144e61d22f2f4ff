package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress shows a status line while a bench runs. It is driven by the
// aggregating goroutine, which owns the numbers it shows.
type progress struct {
	w      io.Writer
	tty    bool
	ticker *time.Ticker
	shown  bool
	width  int    // of the last line on a terminal, to blank what is left of it
	last   string // the last line, shown once more at the end
}

func newProgress(cfg Config) *progress {
	p := &progress{w: cfg.Progress, tty: cfg.ProgressTTY}
	if p.w == nil {
		return p
	}
	every := time.Second
	if p.tty {
		every = 250 * time.Millisecond
	}
	p.ticker = time.NewTicker(every)
	return p
}

// tick fires when the line is due; never when there is nowhere to show it.
func (p *progress) tick() <-chan time.Time {
	if p.ticker == nil {
		return nil
	}
	return p.ticker.C
}

func (p *progress) show(line string) {
	p.shown, p.last = true, line
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	pad := max(p.width-len(line), 0)
	p.width = len(line)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
}

// finish stops the ticker and, if a line was shown, shows the final count
// so the last line seen is not a stale one.
func (p *progress) finish(line string) {
	if p.ticker == nil {
		return
	}
	p.ticker.Stop()
	if !p.shown {
		return
	}
	if line != p.last {
		p.show(line)
	}
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
