// Package class grades a class: every submission of an LMS export (read by
// internal/roster) runs as laptop-a in a lab of its own and is called and
// graded from laptop-b across hosts, exactly as `just my-server` does,
// several labs at once, each isolated and time-limited. It drives the
// engine with `docker compose` commands whose arguments and settings are
// values, never words for a shell: a student named Bob O'Neil is a value in
// the environment, not a piece of a command line. The student's files reach
// the engine as a build context, so a remote engine grades as a local one
// does, and the reports come back with `docker compose cp`.
package class

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/socketlab/socketlab/internal/lms"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/roster"
)

// Defaults for Config's zero fields.
const (
	DefaultJobs    = 3
	DefaultTimeout = 60 * time.Second
	DefaultNet     = "10.214"
	DefaultProject = "socketlab-class"
	// logCap is how much of what a program printed a report keeps.
	logCap = 200_000
)

// Config is one grading of a class.
type Config struct {
	Dir  string // the export: one folder per student, Canvas's flat folder, a .zip of either, ...
	Out  string // the reports' folder, made if missing
	Repo string // socketlab's folder: compose.yaml and deploy/
	// Jobs labs run at once; Timeout bounds each, from lab start to verdict.
	Jobs    int
	Timeout time.Duration
	// Net is the first two octets of the labs' subnets: lab N uses
	// Net.N.0/24 and Net.(100+N).0/24. Project prefixes the labs' compose
	// project names, Project-N.
	Net     string
	Project string
	// GradeFlags are the grader's policies, as client grade's:
	// "-max-read", "1000"; "-quiet-warn".
	GradeFlags []string
	// Weights give each check its points in results.json and junit.xml
	// (default: results.Default(), the weights every grader ships, so a
	// class scores as Gradescope and client grade do).
	Weights results.Weights
	// Progress gets a line per submission graded, with done/total and the
	// time left; nil is silent.
	Progress io.Writer
	// Docker is the docker command (default "docker"): for tests.
	Docker string
	// LMS is what the files going back into the LMS need beyond the
	// export (internal/lms): the assignment's column, its gradebook.
	LMS lms.Config
}

// Verdicts of a row beyond the grade's own PASS and FAIL.
const (
	NotGraded   = "not graded"
	TimedOut    = "timed out"
	LabError    = "error"
	Interrupted = "interrupted"
)

// Row is one submission's outcome.
type Row struct {
	Sub     roster.Submission
	Verdict string              // PASS, FAIL, or one of the words above
	Grade   *results.Submission // nil unless laptop-b graded it
	Took    time.Duration
	Note    string // why, for a verdict that is not the grade's
}

// Summary is the class's outcome, one row per submission in the roster's order.
type Summary struct {
	Layout      string
	Rows        []Row
	Skipped     []roster.Skip
	Took        time.Duration
	Interrupted bool
}

// LabErrors counts the submissions the lab could not grade through its own fault.
func (s Summary) LabErrors() int {
	n := 0
	for _, r := range s.Rows {
		if r.Verdict == LabError {
			n++
		}
	}
	return n
}

func (cfg Config) withDefaults() (Config, error) {
	if cfg.Jobs == 0 {
		cfg.Jobs = DefaultJobs
	}
	if cfg.Jobs < 1 || cfg.Jobs > 50 {
		return cfg, fmt.Errorf("labs at once must be 1 to 50, not %d", cfg.Jobs)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Net == "" {
		cfg.Net = DefaultNet
	}
	if cfg.Project == "" {
		cfg.Project = DefaultProject
	}
	if cfg.Docker == "" {
		cfg.Docker = "docker"
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.Weights.Points == nil {
		cfg.Weights = results.Default()
	}
	for _, f := range []string{"compose.yaml", "deploy/compose/my-server.yaml", "deploy/compose/class.yaml"} {
		if _, err := os.Stat(filepath.Join(cfg.Repo, f)); err != nil {
			return cfg, fmt.Errorf("socketlab's %s is not in %s: %w", f, cfg.Repo, err)
		}
	}
	return cfg, nil
}

// Run grades every submission of cfg.Dir and writes the reports into
// cfg.Out: per student (in a folder named by the roster's Key) junit.xml
// and results.json (Gradescope's, with cfg.Weights' points), grade.txt
// (laptop-b's words) and laptop-a.log (the program's output, capped), and
// summary.csv and summary.md for the class. When ctx ends, the labs running are taken down, the submissions
// not yet graded are rows that say so, and the summary is still written.
// The error is for a class that could not be graded at all.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Summary{}, err
	}
	r, err := roster.Read(cfg.Dir, roster.Want{Role: "server"})
	if err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return Summary{}, fmt.Errorf("the reports' folder: %w", err)
	}
	start := time.Now()
	sum := Summary{Layout: r.Layout, Skipped: r.Skipped, Rows: make([]Row, len(r.Submissions))}
	fmt.Fprintf(cfg.Progress, "class: %d submissions in %s (%s), %d at a time, %s each at most; reports in %s\n",
		len(r.Submissions), cfg.Dir, layoutName(r.Layout), cfg.Jobs, cfg.Timeout, cfg.Out)
	for _, s := range r.Skipped {
		fmt.Fprintf(cfg.Progress, "class: left out %s: %s\n", s.Path, s.Why)
	}

	d := &docker{cfg: cfg}
	if err := d.warm(ctx); err != nil {
		if ctx.Err() == nil {
			return sum, err
		}
	}

	p := newProgress(cfg.Progress, len(r.Submissions), start)
	slots := make(chan int, cfg.Jobs)
	for i := range cfg.Jobs {
		slots <- i
	}
	var wg sync.WaitGroup
	for i, sub := range r.Submissions {
		var slot int
		select {
		case slot = <-slots:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			sum.Rows[i] = Row{Sub: sub, Verdict: Interrupted, Note: "not graded: the grading was interrupted"}
			continue
		}
		wg.Go(func() {
			defer func() { slots <- slot }()
			row := d.gradeOne(ctx, sub, slot)
			if err := writeReports(cfg.Out, row, cfg.Weights); err != nil && row.Verdict != LabError {
				row.Verdict, row.Note = LabError, err.Error()
			}
			sum.Rows[i] = row
			p.done(row)
		})
	}
	wg.Wait()
	d.run(context.WithoutCancel(ctx), nil, "image", "rm", d.clientImage())
	sum.Took = time.Since(start)
	sum.Interrupted = ctx.Err() != nil
	if err := writeSummary(cfg.Out, cfg.Dir, sum, cfg); err != nil {
		return sum, err
	}
	if err := writeBack(cfg, r, sum); err != nil {
		return sum, err
	}
	graded := 0
	for _, r := range sum.Rows {
		if r.Grade != nil {
			graded++
		}
	}
	fmt.Fprintf(cfg.Progress, "class: %d submissions, %d graded in %s: %s, %s\n", len(sum.Rows), graded, sum.Took.Round(time.Second),
		filepath.Join(cfg.Out, "summary.csv"), filepath.Join(cfg.Out, "summary.md"))
	if sum.Interrupted {
		return sum, errors.Join(context.Cause(ctx), ctx.Err())
	}
	return sum, nil
}

func layoutName(l string) string { return roster.Describe(l) }

// progress says, after each submission, how far the class is and how long
// the rest will take at the pace so far.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	total, n int
	start    time.Time
	width    int
}

func newProgress(w io.Writer, total int, start time.Time) *progress {
	return &progress{w: w, total: total, start: start, width: len(fmt.Sprint(total))}
}

func (p *progress) done(r Row) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	left := ""
	if p.n < p.total {
		per := time.Since(p.start) / time.Duration(p.n)
		left = fmt.Sprintf(", about %s left", (per * time.Duration(p.total-p.n)).Round(time.Second))
	}
	what := r.Verdict
	if r.Note != "" && r.Grade == nil {
		what += ": " + r.Note
	}
	fmt.Fprintf(p.w, "class: [%*d/%d] %s  %s (%s)%s\n", p.width, p.n, p.total, r.Sub.Name, what, r.Took.Round(time.Second), left)
}
