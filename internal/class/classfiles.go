package class

import (
	"errors"
	"path/filepath"
	"sync"
	"time"
)

// summaryWriter keeps the class's rows as the labs finish and writes the
// class files from them: now and then while the class is graded (so a run
// that is killed leaves a summary of what it did) and at the end.
type summaryWriter struct {
	mu    sync.Mutex
	cfg   Config
	sum   *Summary
	start time.Time
	last  time.Time
	err   error
}

func newSummaryWriter(cfg Config, sum *Summary, start time.Time) *summaryWriter {
	return &summaryWriter{cfg: cfg, sum: sum, start: start, last: time.Now()}
}

// set puts row i in place, and writes the class files when the last write
// is old enough.
func (w *summaryWriter) set(i int, r Row) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sum.Rows[i] = r
	switch r.Verdict {
	case "PASS", "FAIL", NotGraded, TimedOut:
		w.sum.Graded++
	}
	if time.Since(w.last) >= summaryEvery {
		w.writeLocked()
	}
}

func (w *summaryWriter) write() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeLocked()
}

func (w *summaryWriter) writeLocked() {
	w.sum.Took = time.Since(w.start)
	w.err = writeClassFiles(w.cfg, *w.sum)
	w.last = time.Now()
}

// final writes the class files once more, and says whether that failed.
func (w *summaryWriter) final() error {
	w.write()
	return w.err
}

// writeClassFiles writes the class's own files from sum, each whole:
// summary.csv and summary.md (writeSummary) and report.html (writeReport).
// The files an LMS imports belong here too, written from the same rows.
func writeClassFiles(cfg Config, sum Summary) error {
	return errors.Join(
		writeSummary(cfg.Out, cfg.Dir, sum, cfg),
		writeReport(filepath.Join(cfg.Out, "report.html"), sum, cfg),
	)
}
