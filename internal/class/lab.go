package class

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/roster"
	"github.com/socketlab/socketlab/internal/student/lang"
)

// docker runs the labs of one grading with `docker compose`.
type docker struct {
	cfg Config
}

// clientImage is the grading's own tag of laptop-b's image (deploy/compose/class.yaml).
func (d *docker) clientImage() string { return "socketlab/client:" + d.cfg.Project }

// compose is the command line of a lab's compose project, without the
// subcommand.
func (d *docker) compose(project string) []string {
	return []string{"compose", "-p", project,
		"-f", filepath.Join(d.cfg.Repo, "compose.yaml"),
		"-f", filepath.Join(d.cfg.Repo, "deploy", "compose", "my-server.yaml"),
		"-f", filepath.Join(d.cfg.Repo, "deploy", "compose", "class.yaml")}
}

// run runs docker with args and env (beyond this process's), and returns
// what it printed.
func (d *docker) run(ctx context.Context, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, d.cfg.Docker, args...)
	cmd.Dir = d.cfg.Repo
	cmd.Env = append(append(os.Environ(), "COMPOSE_ANSI=never", "BUILDKIT_PROGRESS=plain"), env...)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("docker %s: %w: %s", subcommand(args), err, lastLines(out, 15))
	}
	return out, nil
}

// warm builds the lab's images once, from an empty folder, so that the
// build of each submission is only the copy of its files.
func (d *docker) warm(ctx context.Context) error {
	empty, err := os.MkdirTemp("", "socketlab-class-warm-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(empty)
	p := d.cfg.Project + "-warm"
	env := []string{"STUDENT_DIR=" + empty, "CLASS_CLIENT_IMAGE=" + d.clientImage()}
	if _, err := d.run(ctx, env, append(d.compose(p), "build", "laptop-a", "laptop-b")...); err != nil {
		return fmt.Errorf("building the lab's images: %w", err)
	}
	d.run(context.WithoutCancel(ctx), env, append(d.compose(p), "down")...)
	// Not `down --rmi local`: compose counts socketlab/client:local, built
	// here, as the project's own and would remove it too.
	d.run(context.WithoutCancel(ctx), nil, "image", "rm", p+"-laptop-a")
	return nil
}

// labEnv is a lab's settings: the student's folder and file, the laptop's
// limits for the program's language (a class may mix them), the lab's
// slot's subnets, no route out.
func (d *docker) labEnv(dir, file string, slot int) []string {
	lab, side := fmt.Sprintf("%s.%d.", d.cfg.Net, slot), fmt.Sprintf("%s.%d.", d.cfg.Net, 100+slot)
	lim := lang.LimitsOf(lang.Of(file))
	if p, err := lang.Detect(dir, lang.Server, file); err == nil {
		lim = p.Limits // a Makefile's C++ program: C++'s
	}
	return []string{
		"STUDENT_DIR=" + dir,
		"STUDENT_FILE=" + file,
		"STUDENT_MEM=" + lim.Memory, "STUDENT_PIDS=" + strconv.Itoa(lim.Pids), "STUDENT_TMP=" + lim.Tmp,
		"LAB_INTERNAL=true",
		"LAB_SUBNET=" + lab + "0/24", "LAPTOP_A_IP=" + lab + "10", "LAPTOP_B_IP=" + lab + "20",
		"SIDE_SUBNET=" + side + "0/24", "LAPTOP_A_SIDE_IP=" + side + "10", "LAPTOP_B_SIDE_IP=" + side + "20",
		"CLASS_GRADE_FLAGS=" + strings.Join(d.cfg.GradeFlags, " "),
		"CLASS_POLICY=" + string(d.cfg.Weights.Serving()),
		"CLASS_CLIENT_IMAGE=" + d.clientImage(),
	}
}

// gradeOne runs one submission in the lab of slot and returns its row,
// with laptop-b's words and laptop-a's output in row-sized form. The lab is
// down again when it returns, however it went.
func (d *docker) gradeOne(ctx context.Context, sub roster.Submission, slot int) (row Row) {
	row = Row{Sub: sub}
	start := time.Now()
	defer func() { row.Took = time.Since(start) }()
	if sub.Program == "" {
		row.Verdict, row.Note = NotGraded, sub.Note
		if row.Note == "" {
			row.Note = "no program to grade in the submission"
		}
		return row
	}
	stage, err := os.MkdirTemp("", "socketlab-class-")
	if err != nil {
		row.Verdict, row.Note = LabError, err.Error()
		return row
	}
	defer os.RemoveAll(stage)
	files := filepath.Join(stage, "files")
	if err := sub.Stage(files); err != nil {
		row.Verdict, row.Note = NotGraded, "its files could not be copied: "+err.Error()
		return row
	}
	// The program's own folder is laptop-a's /student: a program in hw1/
	// finds the files beside it, as it did on the student's machine.
	dir := filepath.Join(files, filepath.FromSlash(path.Dir(sub.Program)))
	env := d.labEnv(dir, path.Base(sub.Program), slot)
	p := fmt.Sprintf("%s-%d", d.cfg.Project, slot)
	base := d.compose(p)
	down := func() {
		d.run(context.WithoutCancel(ctx), env, append(base, "down", "-v", "--remove-orphans", "-t", "0")...)
		d.run(context.WithoutCancel(ctx), nil, "image", "rm", p+"-laptop-a") // the laptop with this student's files
	}
	down() // a lab an earlier run left in this slot
	defer down()

	if _, err := d.run(ctx, env, append(base, "build", "-q", "laptop-a")...); err != nil {
		row.Verdict, row.Note = labFailure(ctx, "building the laptop with its files", err)
		return row
	}
	if _, err := d.run(ctx, env, append(base, "up", "-d", "--no-build")...); err != nil {
		row.Verdict, row.Note = labFailure(ctx, "starting its lab", err)
		return row
	}
	// The verdict is laptop-b's to give; the time limit is a watchdog that
	// kills the whole lab, whatever the program does.
	wctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout-min(time.Since(start), d.cfg.Timeout/2))
	werr := d.waitExit(wctx, env, base, "laptop-b")
	timedOut := wctx.Err() == context.DeadlineExceeded
	cancel()
	if timedOut || ctx.Err() != nil {
		d.run(context.WithoutCancel(ctx), env, append(base, "kill")...)
	}
	after := context.WithoutCancel(ctx)
	said := "nothing"
	if words, err := d.run(after, env, append(base, "logs", "--no-color", "--no-log-prefix", "laptop-b")...); err == nil {
		said = lastLines(plain(words), 1)
		writeFile(d.cfg.Out, sub.Key, "grade.txt", plain(words))
	}
	if out, err := d.run(after, env, append(base, "logs", "--no-color", "--no-log-prefix", "laptop-a")...); err == nil {
		writeFile(d.cfg.Out, sub.Key, "laptop-a.log", plain(capped(out, logCap)))
	}
	switch {
	case ctx.Err() != nil:
		row.Verdict, row.Note = Interrupted, "the grading was interrupted during its lab"
		return row
	case timedOut:
		row.Verdict, row.Note = TimedOut, fmt.Sprintf("no verdict within %s: the lab was stopped", d.cfg.Timeout)
		return row
	}
	reports := filepath.Join(stage, "reports")
	if _, err := d.run(after, env, append(base, "cp", "laptop-b:/reports/.", reports)...); err != nil {
		row.Verdict, row.Note = LabError, fmt.Sprintf("laptop-b gave no report (%v; it said: %s)", firstLine(werr), said)
		return row
	}
	g, err := results.ReadJSON(filepath.Join(reports, "grade.json"))
	if err != nil {
		row.Verdict, row.Note = LabError, fmt.Sprintf("laptop-b gave no report: %v; it said: %s", err, said)
		return row
	}
	g.Report.Name = sub.Name
	row.Grade = &g
	row.Verdict = "FAIL"
	if g.Report.Passed {
		row.Verdict = "PASS"
	}
	return row
}

// waitExit waits until the service's container has exited, or ctx ends.
// It asks the engine for the container's state rather than trusting one
// long `docker compose wait`, which can return before the container ends
// when the engine is busy with several labs at once.
func (d *docker) waitExit(ctx context.Context, env, base []string, service string) error {
	out, err := d.run(ctx, env, append(base, "ps", "-aq", service)...)
	if err != nil {
		return err
	}
	id := strings.TrimSpace(string(out))
	if id == "" {
		return fmt.Errorf("no container for %s", service)
	}
	for {
		out, err := d.run(ctx, nil, "inspect", "-f", "{{.State.Status}}", id)
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

// labFailure is the verdict and note of a lab that could not run: the
// lab's fault, never the student's, unless the grading was interrupted.
func labFailure(ctx context.Context, what string, err error) (string, string) {
	if os.Getenv("SOCKETLAB_CLASS_DEBUG") != "" {
		fmt.Fprintln(os.Stderr, err)
	}
	if ctx.Err() != nil {
		return Interrupted, "the grading was interrupted while " + what
	}
	return LabError, "the lab failed " + what + " (not the student's fault): " + firstLine(err)
}

// writeFile writes one report file of the student's; a failure shows up
// as the report missing, and in writeReports' own writes.
func writeFile(out, key, name string, b []byte) {
	dir := filepath.Join(out, key)
	if os.MkdirAll(dir, 0o755) == nil {
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
}

// escapes are terminal escapes, which a program may print and compose adds.
var escapes = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]")

func plain(b []byte) []byte { return escapes.ReplaceAll(b, nil) }

func capped(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return append(b[:n:n], fmt.Sprintf("\n[... %d more bytes not kept]\n", len(b)-n)...)
}

// subcommand is what a docker command does, without its compose files.
func subcommand(args []string) string {
	for i, a := range args {
		if a == "-f" || a == "-p" || i > 0 && (args[i-1] == "-f" || args[i-1] == "-p") {
			continue
		}
		if a != "compose" {
			return strings.Join(args[i:], " ")
		}
	}
	return strings.Join(args, " ")
}

func firstLine(err error) string {
	if err == nil {
		return "no error"
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
