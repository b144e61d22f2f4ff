package class

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/socketlab/socketlab/internal/roster"
	"github.com/socketlab/socketlab/internal/student/lang"
)

// docker runs the labs of one grading with `docker compose` and `docker`.
//
// Each slot (one lab at a time, jobs of them at once) keeps its two
// networks from one student to the next; each student gets new containers
// and new volumes, removed when the grade is in. The laptop image is built
// once per grading, with no student's files: each student's folder is
// copied into a volume of the new lab before it starts (docker cp, so a
// remote engine works as a local one), and laptop-a mounts it read-only at
// /student. That spares a build, an image and two networks per student.
type docker struct {
	cfg Config
	// empty is an empty folder: STUDENT_DIR for compose, which names it in
	// laptop-a's build that a class never runs.
	empty string
	mu    sync.Mutex
	used  map[int]bool // the slots whose networks are up
}

// clientImage and laptopImage are the grading's own tags of laptop-b's and
// laptop-a's images (deploy/compose/class.yaml).
func (d *docker) clientImage() string { return "socketlab/client:" + d.cfg.Project }
func (d *docker) laptopImage() string { return "socketlab/laptop:" + d.cfg.Project }

func (d *docker) project(slot int) string { return fmt.Sprintf("%s-%d", d.cfg.Project, slot) }

// compose is the command line of a lab's compose project, without the
// subcommand.
func (d *docker) compose(project string) []string {
	return []string{"compose", "-p", project,
		"-f", filepath.Join(d.cfg.Repo, "compose.yaml"),
		"-f", filepath.Join(d.cfg.Repo, "deploy", "compose", "my-server.yaml"),
		"-f", filepath.Join(d.cfg.Repo, "deploy", "compose", "class.yaml")}
}

// run runs docker with args and env (beyond this process's), and returns
// what it printed, both streams.
func (d *docker) run(ctx context.Context, env []string, args ...string) ([]byte, error) {
	var out bytes.Buffer
	err := d.exec(ctx, env, nil, &out, &out, args...)
	return out.Bytes(), err
}

// output runs docker with stdin, and returns its standard output alone.
func (d *docker) output(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	var out, errs bytes.Buffer
	err := d.exec(ctx, nil, stdin, &out, &errs, args...)
	if err != nil {
		err = fmt.Errorf("%w: %s", err, lastLines(errs.Bytes(), 5))
	}
	return out.Bytes(), err
}

func (d *docker) exec(ctx context.Context, env []string, stdin io.Reader, stdout, stderr io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, d.cfg.Docker, args...)
	cmd.Dir = d.cfg.Repo
	cmd.Env = append(append(os.Environ(), "COMPOSE_ANSI=never", "BUILDKIT_PROGRESS=plain"), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.WaitDelay = 10 * time.Second
	ownGroup(cmd)
	start := time.Now()
	err := cmd.Run()
	if d.cfg.Trace != nil {
		fmt.Fprintf(d.cfg.Trace, "%6.2fs docker %s\n", time.Since(start).Seconds(), subcommand(args))
	}
	if err != nil {
		var b []byte
		if buf, ok := stderr.(*bytes.Buffer); ok {
			b = buf.Bytes()
		}
		return fmt.Errorf("docker %s: %w: %s", subcommand(args), err, lastLines(b, 15))
	}
	return nil
}

// warm builds the lab's two images once for the grading, with no
// student's files in them.
func (d *docker) warm(ctx context.Context) error {
	p := d.cfg.Project + "-warm"
	env := []string{"STUDENT_DIR=" + d.empty, "CLASS_CLIENT_IMAGE=" + d.clientImage(), "CLASS_LAPTOP_IMAGE=" + d.laptopImage()}
	if out, err := d.run(ctx, env, append(d.compose(p), "build", "laptop-a", "laptop-b")...); err != nil {
		if bytes.Contains(out, []byte("failed to resolve source metadata")) {
			// No registry: the bases are built by setup.sh, on the engine it ran against.
			hint := "run bash deploy/setup.sh against it first (DOCKER_HOST=... bash deploy/setup.sh --offline for another engine)"
			if d.cfg.Swarm != nil {
				hint += ", or leave DOCKER_HOST to this machine and name the manager in CLASS_SWARM"
			}
			return fmt.Errorf("building the lab's images: the engine they are built on has no base images, and nothing can be pulled: %s: %w", hint, err)
		}
		return fmt.Errorf("building the lab's images: %w", err)
	}
	return nil
}

// clean takes down the labs an earlier grading with the same project names
// left, killed before it could: their containers, networks and volumes.
func (d *docker) clean(ctx context.Context) {
	found := map[string]bool{}
	for _, what := range [][]string{
		{"ps", "-a", "--format", `{{.Label "com.docker.compose.project"}}`},
		{"network", "ls", "--format", `{{.Label "com.docker.compose.project"}}`},
		{"volume", "ls", "--format", `{{.Label "com.docker.compose.project"}}`},
	} {
		args := append(append([]string{}, what[:len(what)-2]...), "--filter", "label=com.docker.compose.project")
		out, err := d.output(ctx, nil, append(args, what[len(what)-2:]...)...)
		if err != nil {
			continue
		}
		for _, p := range strings.Fields(string(out)) {
			if n, ok := strings.CutPrefix(p, d.cfg.Project+"-"); ok {
				if _, err := strconv.Atoi(n); err == nil {
					found[p] = true
				}
			}
		}
	}
	var wg sync.WaitGroup
	for p := range found {
		wg.Go(func() { d.down(ctx, p) })
	}
	wg.Wait()
}

// down takes a lab's whole project down, networks and volumes too.
func (d *docker) down(ctx context.Context, project string) {
	env := []string{"STUDENT_DIR=" + d.empty, "CLASS_CLIENT_IMAGE=" + d.clientImage(), "CLASS_LAPTOP_IMAGE=" + d.laptopImage()}
	d.run(ctx, env, append(d.compose(project), "down", "-v", "--remove-orphans", "-t", "0")...)
}

// finish takes down every slot's lab and removes the grading's images.
func (d *docker) finish(ctx context.Context) {
	var wg sync.WaitGroup
	d.mu.Lock()
	for slot := range d.used {
		wg.Go(func() { d.down(ctx, d.project(slot)) })
	}
	d.used = nil
	d.mu.Unlock()
	wg.Wait()
	d.run(ctx, nil, "image", "rm", d.clientImage(), d.laptopImage())
}

// labEnv is a lab's settings: the student's file, the laptop's limits for
// the program's language (a class may mix them), the lab's slot's subnets,
// no route out.
func (d *docker) labEnv(dir, file string, slot int) []string {
	lab, side := fmt.Sprintf("%s.%d.", d.cfg.Net, slot), fmt.Sprintf("%s.%d.", d.cfg.Net, 100+slot)
	lim := lang.LimitsOf(lang.Of(file))
	if p, err := lang.Detect(dir, lang.Server, file); err == nil {
		lim = p.Limits // a Makefile's C++ program: C++'s
	}
	return []string{
		"STUDENT_DIR=" + d.empty,
		"STUDENT_FILE=" + file,
		"STUDENT_MEM=" + lim.Memory, "STUDENT_PIDS=" + strconv.Itoa(lim.Pids), "STUDENT_TMP=" + lim.Tmp,
		"LAB_INTERNAL=true",
		"LAB_SUBNET=" + lab + "0/24", "LAPTOP_A_IP=" + lab + "10", "LAPTOP_B_IP=" + lab + "20",
		"SIDE_SUBNET=" + side + "0/24", "LAPTOP_A_SIDE_IP=" + side + "10", "LAPTOP_B_SIDE_IP=" + side + "20",
		"CLASS_GRADE_FLAGS=" + strings.Join(d.cfg.GradeFlags, " "),
		"CLASS_POLICY=" + string(d.cfg.Weights.Serving()),
		"CLASS_CLIENT_IMAGE=" + d.clientImage(),
		"CLASS_LAPTOP_IMAGE=" + d.laptopImage(),
	}
}

// graded is one lab's outcome: the row, and what the laptops said.
type graded struct {
	row       Row
	said, log []byte // laptop-b's words (grade.txt), laptop-a's output (laptop-a.log)
	haveSaid  bool
	haveLog   bool
}

// gradeOne runs one submission in the lab of slot and returns its row,
// with laptop-b's words and laptop-a's output. Its containers and volumes
// are gone again when it returns, however it went.
func (d *docker) gradeOne(ctx context.Context, sub roster.Submission, slot int) graded {
	return gradeWith(ctx, sub, func(ctx context.Context, l labSpec) labRun { return d.runLab(ctx, l, slot) })
}

// labSpec is a submission ready for a lab: the program's folder on this
// machine, its files as docker cp takes them, the program's name, and
// when its grading began.
type labSpec struct {
	dir, file string
	files     []byte
	start     time.Time
}

// labRun is what one lab gave, for gradeWith to turn into a row: where it
// failed (stage, err), or what the laptops said and laptop-b's grade.
type labRun struct {
	stage             string // "making its lab", ...: the lab failed there, with err
	err               error
	said, log         []byte
	haveSaid, haveLog bool
	werr              error // how waiting for laptop-b went
	timedOut          bool
	timeout           time.Duration // the limit it was stopped at
	report            []byte        // docker cp's tar stream of laptop-b's grade.json
	reportErr         error
}

// gradeWith stages sub, runs its lab with run and makes its row from what
// the lab gave: the one verdict-making for every engine, so that a class
// graded anywhere says the same words and points.
func gradeWith(ctx context.Context, sub roster.Submission, run func(context.Context, labSpec) labRun) (g graded) {
	g.row = Row{Sub: sub}
	row := &g.row
	start := time.Now()
	defer func() { row.Took = time.Since(start) }()
	if sub.Program == "" {
		row.Verdict, row.Note = NotGraded, sub.Note
		if row.Note == "" {
			row.Note = "no program to grade in the submission"
		}
		return g
	}
	stage, err := os.MkdirTemp("", "socketlab-class-")
	if err != nil {
		row.Verdict, row.Note = LabError, err.Error()
		return g
	}
	defer os.RemoveAll(stage)
	if err := sub.Stage(stage); err != nil {
		row.Verdict, row.Note = NotGraded, "its files could not be copied: "+err.Error()
		return g
	}
	// The program's own folder is laptop-a's /student: a program in hw1/
	// finds the files beside it, as it did on the student's machine.
	dir := filepath.Join(stage, filepath.FromSlash(path.Dir(sub.Program)))
	files, err := tarFolder(dir)
	if err != nil {
		row.Verdict, row.Note = NotGraded, "its files could not be copied: "+err.Error()
		return g
	}
	l := run(ctx, labSpec{dir: dir, file: path.Base(sub.Program), files: files, start: start})
	g.said, g.haveSaid, g.log, g.haveLog = l.said, l.haveSaid, l.log, l.haveLog
	if l.stage != "" {
		row.Verdict, row.Note = labFailure(ctx, l.stage, l.err)
		return g
	}
	said := "nothing"
	if l.haveSaid {
		said = lastLines(l.said, 1)
	}
	switch {
	case ctx.Err() != nil:
		row.Verdict, row.Note = Interrupted, "the grading was interrupted during its lab"
		return g
	case l.timedOut:
		row.Verdict, row.Note = TimedOut, fmt.Sprintf("no verdict within %s: the lab was stopped", l.timeout)
		return g
	}
	if l.reportErr != nil {
		row.Verdict, row.Note = LabError, fmt.Sprintf("laptop-b gave no report (%v; it said: %s)", firstLine(l.werr), said)
		return g
	}
	s, err := untarGrade(l.report)
	if err != nil {
		row.Verdict, row.Note = LabError, fmt.Sprintf("laptop-b gave no report: %v; it said: %s", err, said)
		return g
	}
	s.Report.Name = sub.Name
	row.Grade = &s
	row.Verdict = "FAIL"
	if s.Report.Passed {
		row.Verdict = "PASS"
	}
	return g
}

// runLab runs one submission in the lab of slot on the one engine. Its
// containers and volumes are gone again when it returns, however it went.
func (d *docker) runLab(ctx context.Context, l labSpec, slot int) (r labRun) {
	r.timeout = d.cfg.Timeout
	env := d.labEnv(l.dir, l.file, slot)
	p := d.project(slot)
	after := context.WithoutCancel(ctx)
	d.mu.Lock()
	d.used[slot] = true
	d.mu.Unlock()

	if _, err := d.run(ctx, env, append(d.compose(p), "up", "--no-start", "--no-build")...); err != nil {
		// Once more from nothing: what a lab left that compose would not
		// take (a network of another setting) goes with the slot's project.
		d.down(after, p)
		if _, err := d.run(ctx, env, append(d.compose(p), "up", "--no-start", "--no-build")...); err != nil {
			d.removeLab(after, p, nil)
			r.stage, r.err = "making its lab", err
			return r
		}
	}
	ids, err := d.containers(ctx, p)
	defer func() { d.removeLab(after, p, ids) }()
	if err != nil {
		r.stage, r.err = "making its lab", err
		return r
	}
	a, b := ids["laptop-a"], ids["laptop-b"]
	// Into laptop-b's mount of the volume that laptop-a mounts read-only:
	// docker cp cannot write a read-only mount.
	if _, err := d.output(ctx, bytes.NewReader(l.files), "cp", "-", b+":/student-files"); err != nil {
		r.stage, r.err = "copying its files into the lab", err
		return r
	}
	// Both at once: laptop-b waits for laptop-a's report of its program
	// anyway, and the engine starts two containers faster than one after
	// the other.
	var serr [2]error
	var wg sync.WaitGroup
	for i, id := range []string{a, b} {
		wg.Go(func() { _, serr[i] = d.run(ctx, nil, "start", id) })
	}
	wg.Wait()
	if err := errors.Join(serr[:]...); err != nil {
		r.stage, r.err = "starting its lab", err
		return r
	}
	// The verdict is laptop-b's to give; the time limit is a watchdog that
	// kills the whole lab, whatever the program does.
	wctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout-min(time.Since(l.start), d.cfg.Timeout/2))
	r.werr = d.waitExit(wctx, b)
	r.timedOut = wctx.Err() == context.DeadlineExceeded
	cancel()
	if r.timedOut || ctx.Err() != nil {
		d.run(after, nil, "kill", a, b)
	}
	if words, err := d.run(after, nil, "logs", b); err == nil {
		r.said, r.haveSaid = plain(words), true
	}
	if out, err := d.run(after, nil, "logs", a); err == nil {
		r.log, r.haveLog = plain(capped(out, logCap)), true
	}
	if r.timedOut || ctx.Err() != nil {
		return r
	}
	r.report, r.reportErr = d.output(after, nil, "cp", b+":/reports/grade.json", "-")
	return r
}

// containers are the ids of a lab's containers, by service.
func (d *docker) containers(ctx context.Context, project string) (map[string]string, error) {
	out, err := d.output(ctx, nil, "ps", "-a", "--no-trunc", "--filter", "label=com.docker.compose.project="+project,
		"--format", `{{.ID}} {{.Label "com.docker.compose.service"}}`)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if id, svc, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			ids[svc] = id
		}
	}
	if ids["laptop-a"] == "" || ids["laptop-b"] == "" {
		return ids, fmt.Errorf("the lab %s has no laptop-a or laptop-b: %q", project, out)
	}
	return ids, nil
}

// removeLab removes a student's containers and volumes, and keeps the
// slot's networks for the next student. With no ids known it asks the
// engine for the project's.
func (d *docker) removeLab(ctx context.Context, project string, ids map[string]string) {
	if ids == nil {
		ids, _ = d.containers(ctx, project)
	}
	if len(ids) > 0 {
		args := []string{"rm", "-f", "-v"}
		for _, id := range ids {
			args = append(args, id)
		}
		d.run(ctx, nil, args...)
	}
	d.run(ctx, nil, "volume", "rm", "-f", project+"_report", project+"_reports", project+"_student")
}

// waitExit waits until the container has exited, or ctx ends.
func (d *docker) waitExit(ctx context.Context, id string) error {
	if _, err := d.output(ctx, nil, "wait", id); err == nil || ctx.Err() != nil {
		return err
	}
	// docker wait failed on its own: ask for the state until it ends.
	for {
		out, err := d.output(ctx, nil, "inspect", "-f", "{{.State.Status}}", id)
		if err == nil {
			switch strings.TrimSpace(string(out)) {
			case "exited", "dead":
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
