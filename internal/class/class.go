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
	"runtime"
	"sync"
	"time"

	"github.com/socketlab/socketlab/internal/lms"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/roster"
	"github.com/socketlab/socketlab/internal/swarm"
)

// Defaults for Config's zero fields.
const (
	DefaultTimeout = 60 * time.Second
	DefaultNet     = "10.214"
	DefaultProject = "socketlab-class"
	// logCap is how much of what a program printed a report keeps.
	logCap = 200_000
	// summaryEvery is how often the class files are written while a class
	// is graded, so that a run killed leaves a summary of what it did.
	summaryEvery = 15 * time.Second
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
	// Regrade grades every submission again. Without it, a submission
	// whose files, grader and policy are those of the grade in Out keeps
	// that grade (with new weights, its points are written again).
	Regrade bool
	// Progress gets a line per submission graded, with done/total and the
	// time left; nil is silent. Trace, when not nil, gets each docker
	// command and how long it took.
	Progress, Trace io.Writer
	// Docker is the docker command (default "docker"): for tests.
	Docker string
	// LMS is what the files going back into the LMS need beyond the
	// export (internal/lms): the assignment's column, its gradebook.
	LMS lms.Config
	// Swarm, when not nil, spreads the labs over a Docker Swarm's nodes
	// (swarm.go); Jobs is then two per node unless told.
	Swarm *Swarm
}

// DefaultJobs is how many labs run at once unless told: three per core,
// from 3 to 12. A lab spends most of its time waiting (for the program to
// listen, for the grader's timers), not computing, so a 2-core machine
// grades a class fastest with 6 at once (deploy/grading/README.md: How long
// it takes), and the verdicts are those of 3 at once.
func DefaultJobs() int { return min(max(3*runtime.NumCPU(), 3), 12) }

// Verdicts of a row beyond the grade's own PASS and FAIL.
const (
	NotGraded   = "not graded"
	TimedOut    = "timed out"
	LabError    = "error"
	Interrupted = "interrupted"
	// Waiting is a row not graded yet, in the summary written while the
	// class is graded.
	Waiting = "waiting"
)

// Row is one submission's outcome.
type Row struct {
	Sub     roster.Submission
	Verdict string              // PASS, FAIL, or one of the words above
	Grade   *results.Submission // nil unless laptop-b graded it
	Took    time.Duration
	Note    string // why, for a verdict that is not the grade's
	// Kept says the grade is an earlier run's, still good: the same files,
	// grader and policy.
	Kept bool
}

// Summary is the class's outcome, one row per submission in the roster's order.
type Summary struct {
	Layout      string
	Rows        []Row
	Skipped     []roster.Skip
	Took        time.Duration
	Interrupted bool
	// Kept counts the grades kept from an earlier run, Graded those made
	// by this one, Rescored the kept ones whose points were written again
	// with other weights.
	Kept, Graded, Rescored int
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
	if cfg.Jobs == 0 && cfg.Swarm == nil {
		cfg.Jobs = DefaultJobs()
	}
	if cfg.Jobs < 0 || cfg.Jobs > 50 || cfg.Jobs == 0 && cfg.Swarm == nil {
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
// (laptop-b's words), laptop-a.log (the program's output, capped) and
// record.json (what the next run needs to know), and for the class
// summary.csv, summary.md and report.html.
//
// A grade in cfg.Out from an earlier run is kept when the submission's
// files, the grader and its policy are the same (unless cfg.Regrade): a
// second run grades only what is new, changed or not graded yet. Each
// student's folder is replaced whole, and only by a complete grade, so a
// run interrupted or killed at any moment loses no grade made before.
// When ctx ends, the labs running are taken down, the submissions not yet
// graded are rows that say so, and the summary is still written.
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
	if err := recoverFolders(cfg.Out); err != nil {
		return Summary{}, fmt.Errorf("the reports' folder: %w", err)
	}
	var sw *swarm.Cluster
	if cfg.Swarm != nil {
		if sw, err = openSwarm(ctx, &cfg); err != nil {
			return Summary{}, err
		}
	}
	start := time.Now()
	sum := Summary{Layout: r.Layout, Skipped: r.Skipped, Rows: make([]Row, len(r.Submissions))}
	fmt.Fprintf(cfg.Progress, "class: %d submissions in %s (%s), %d at a time, %s each at most; reports in %s\n",
		len(r.Submissions), cfg.Dir, layoutName(r.Layout), cfg.Jobs, cfg.Timeout, cfg.Out)
	for _, s := range r.Skipped {
		fmt.Fprintf(cfg.Progress, "class: left out %s: %s\n", s.Path, s.Why)
	}

	todo, err := plan(cfg, r.Submissions, &sum)
	if err != nil {
		return sum, err
	}
	fmt.Fprintf(cfg.Progress, "class: %s\n", planWords(sum, todo, cfg.Regrade))
	w := newSummaryWriter(cfg, &sum, start)
	if len(todo) > 0 {
		w.write() // the kept grades and the rows to come, before the first lab
		if err := gradeAll(ctx, cfg, sw, todo, &sum, w, start); err != nil {
			return sum, err
		}
	}
	sum.Took = time.Since(start)
	sum.Interrupted = ctx.Err() != nil
	if err := w.final(); err != nil {
		return sum, err
	}
	// The files that go back into the LMS, from the final rows.
	if err := writeBack(cfg, r, sum); err != nil {
		return sum, err
	}
	fmt.Fprintf(cfg.Progress, "class: %d submissions, %d graded now and %d kept, in %s: %s, %s, %s\n",
		len(sum.Rows), sum.Graded, sum.Kept, sum.Took.Round(time.Second),
		filepath.Join(cfg.Out, "summary.csv"), filepath.Join(cfg.Out, "summary.md"), filepath.Join(cfg.Out, "report.html"))
	if sum.Interrupted {
		return sum, errors.Join(context.Cause(ctx), ctx.Err())
	}
	return sum, nil
}

// gradeAll grades the submissions of todo, jobs at once, into sum's rows.
// With sw, the labs run across that Swarm.
func gradeAll(ctx context.Context, cfg Config, sw *swarm.Cluster, todo []job, sum *Summary, w *summaryWriter, start time.Time) error {
	empty, err := os.MkdirTemp("", "socketlab-class-empty-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(empty)
	labs := 0 // the submissions with a program: a class of none runs no lab
	for _, j := range todo {
		if j.sub.Program != "" {
			labs++
		}
	}
	// No more slots than labs to run: each slot's networks (two pairs of
	// overlays on a Swarm) are made before the first lab.
	if labs > 0 {
		cfg.Jobs = min(cfg.Jobs, labs)
	}
	d := &docker{cfg: cfg, empty: empty, used: map[int]bool{}}
	gradeOne := d.gradeOne
	if sw != nil && labs > 0 {
		s := newSwarmLabs(d, sw)
		defer s.finish(context.WithoutCancel(ctx))
		if err := s.start(ctx); err != nil && ctx.Err() == nil {
			return err
		}
		gradeOne = s.gradeOne
	} else if labs > 0 {
		d.clean(ctx)
		if err := d.warm(ctx); err != nil && ctx.Err() == nil {
			return err
		}
		defer d.finish(context.WithoutCancel(ctx))
	}

	p := newProgress(cfg.Progress, len(todo), start)
	slots := make(chan int, cfg.Jobs)
	for i := range cfg.Jobs {
		slots <- i
	}
	var wg sync.WaitGroup
	for _, j := range todo {
		var slot int
		select {
		case slot = <-slots:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			w.set(j.i, Row{Sub: j.sub, Verdict: Interrupted, Note: "not graded: the grading was interrupted" + earlier(cfg.Out, j.sub)})
			continue
		}
		wg.Go(func() {
			defer func() { slots <- slot }()
			g := gradeOne(ctx, j.sub, slot)
			rec := record{Version: recordVersion, Name: j.sub.Name, ID: j.sub.ID, Files: j.fp.files, Grader: j.fp.grader,
				Weights: j.fp.weights, Timeout: cfg.Timeout, Verdict: g.row.Verdict, Note: g.row.Note, Took: g.row.Took,
				At: time.Now().UTC().Round(time.Second), Grade: g.row.Grade}
			var said, log []byte
			if g.haveSaid {
				said = g.said
			}
			if g.haveLog {
				log = g.log
			}
			if err := save(cfg, rec, g.row, said, log); err != nil && g.row.Verdict != LabError {
				g.row.Verdict, g.row.Note, g.row.Grade = LabError, "its reports could not be written: "+err.Error(), nil
			}
			if r := g.row; r.Verdict == Interrupted || r.Verdict == LabError {
				g.row.Note += earlier(cfg.Out, j.sub)
			}
			w.set(j.i, g.row)
			p.done(g.row)
		})
	}
	wg.Wait()
	return nil
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
