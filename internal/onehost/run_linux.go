package onehost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/student"
	"github.com/socketlab/socketlab/internal/student/lang"
)

// HelperFailed starts the line a helper prints when it cannot exec the
// program, and HelperExit is its exit status: the grader's failure, which
// must not read as the program's.
const (
	HelperFailed = "socketlab: the grader could not start the program"
	HelperExit   = 126
)

// supervisorWait bounds the wait for the supervisor once the program is
// told to stop: SIGTERM, 2 s, SIGKILL, then 1 s for its output to close.
const supervisorWait = 10 * time.Second

// run is the grade proper: the program under the supervisor, the checker
// calling it, and, whatever happens, nothing of the program's left after.
func run(ctx context.Context, cfg Config, prog Program, t target, who user, res Result, start time.Time) (Result, error) {
	tmp, err := os.MkdirTemp("", "socketlab-here-")
	if err != nil {
		return res, fmt.Errorf("one host: %w", err)
	}
	defer os.RemoveAll(tmp)
	// The program's user may pass through, to its folder and the helper;
	// only the grader may list it, or write the report the checker trusts.
	if err := os.Chmod(tmp, 0o711); err != nil {
		return res, fmt.Errorf("one host: %w", err)
	}
	work := filepath.Join(tmp, "student")
	if err := copyTree(cfg.Dir, work, who); err != nil {
		if errors.Is(err, ErrSubmission) {
			res.Why = err.Error()
			return res, nil
		}
		return res, fmt.Errorf("one host: copy the submission: %w", err)
	}
	reports := filepath.Join(tmp, "report")
	if err := os.Mkdir(reports, 0o700); err != nil {
		return res, fmt.Errorf("one host: %w", err)
	}
	report := filepath.Join(reports, "program.json")
	helper, err := usableHelper(cfg.Helper, tmp, who)
	if err != nil {
		return res, err
	}
	dir := filepath.Join(work, filepath.FromSlash(prog.Dir))
	env := []string{"HOME=" + work, "TMPDIR=" + work}
	if who.root {
		// Not root's names: the program's user has none of its own.
		env = append(env, "USER=student", "LOGNAME=student")
	}
	procs, runtime := cfg.Limits.Procs, prog.Command
	if prog.Command == nil {
		// A JVM's threads, javac's and the go command's: the language's
		// own process limit when the grader's is lower, and its runtime
		// decides how memory is limited and what must be installed.
		procs = max(procs, lang.LimitsOf(prog.Lang).Pids)
		runtime = []string{toolOf(prog.Lang)}
	}
	nproc := procs
	if who.own {
		// The limit counts every process of the user: the grader's too.
		nproc += userThreads(who.uid)
	}
	args := cfg.Limits.args(runtime, nproc)
	if why := preflight(ctx, helper, args, runtime, dir, env, who); why != "" {
		res.Setup, res.Why = true, why
		return res, nil
	}

	becomeSubreaper()
	ctx, cancel := context.WithTimeout(ctx, cfg.Time-time.Since(start))
	defer cancel()
	checkCtx, stopCheck := context.WithCancel(ctx)
	defer stopCheck()
	programCtx, stopProgram := context.WithCancel(ctx)
	defer stopProgram()
	output, transcript := newCapped(cfg.Limits.Output), newCapped(cfg.Limits.Output)
	var atLimit atomic.Int32
	scfg := student.Config{
		Command: prog.Command, Dir: dir, Report: report, Linger: -1,
		Role: lang.Server, File: prog.File, Args: prog.Args, Work: filepath.Join(tmp, "build"),
		BuildOwn: func(p string) error {
			if who.root {
				return os.Lchown(p, who.uid, who.gid)
			}
			return nil
		},
		Stdout: output, Stderr: output, Say: output,
		Prepare: func(cmd *exec.Cmd) error {
			// The helper resolves the program itself, as its user.
			cmd.Path, cmd.Err = helper[0], nil
			cmd.Args = slices.Concat(helper, args, []string{"--"}, cmd.Args)
			cmd.Env = append(cmd.Env, env...)
			cmd.SysProcAttr.Credential = who.credential()
			cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
			return nil
		},
		Forks: func() int {
			if userThreads(who.uid) >= nproc-1 {
				atLimit.Store(1)
			}
			return int(atLimit.Load())
		},
		ProcLimit: procs,
	}
	supervised := make(chan error, 1)
	go func() {
		_, err := student.Supervise(programCtx, scfg)
		if err != nil {
			stopCheck()
		}
		supervised <- err
	}()
	v, _ := student.Check(checkCtx, student.CheckConfig{
		Addr: t.addr, NotOn: t.notOn, Report: report,
		ListenWait: cfg.ListenWait, Timeout: cfg.Timeout, MaxRead: cfg.MaxRead, QuietWarn: cfg.QuietWarn, Policy: cfg.Policy,
		SameHost: true, Out: io.MultiWriter(cfg.Out, transcript),
	})
	stopProgram()
	var serr error
	select {
	case serr = <-supervised:
	case <-time.After(supervisorWait):
		serr = errors.New("one host: the supervisor did not stop")
	}
	// Whatever is left of the program goes now, a fork bomb included,
	// even what left its process group; and, from a user of its own, its
	// files too: a disk filler's.
	killLeftovers(who.uid, who.root, 3*time.Second)
	if who.root {
		removeFilesOf(who.uid, sharedTemp)
	}
	if serr != nil {
		return res, serr
	}
	if r := v.Report; r.ExitCode == HelperExit && strings.Contains(r.Stderr, HelperFailed) {
		res.Setup, res.Why = true, lastLineOf(r.Stderr)
		return res, nil
	}

	res.Graded, res.Verdict = true, v
	res.Output, res.Transcript = output.String(), transcript.String()
	res.Notes = oneHostNotes(t, who, prog)
	g := v.Grade
	if g == nil { // stopped before any grade
		g = &grade.Report{Addr: t.addr, Timeout: cfg.Timeout, Interrupted: true, Policy: cfg.Policy}
	}
	if ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.Canceled) {
		res.Notes = append(res.Notes, fmt.Sprintf("The grade was stopped at the grader's time limit, %v.", cfg.Time))
	}
	res.Grade = student.Graded(v, *g, cfg.Name, time.Since(start))
	res.Grade.Checks = append(res.Grade.Checks, grade.Result{ID: "one-host", Name: "what one host cannot show",
		Title: "what one host cannot show", Status: grade.Info, Reason: strings.Join(res.Notes, " ")})
	return res, nil
}

// usableHelper is the helper as the program's user can run it: where it
// is, or a copy in the grade's own folder (a test binary, or a zip
// unpacked with a private folder on the way).
func usableHelper(helper []string, tmp string, who user) ([]string, error) {
	path, err := exec.LookPath(helper[0])
	if err != nil {
		return nil, fmt.Errorf("one host: the helper: %w", err)
	}
	if path, err = filepath.Abs(path); err != nil {
		return nil, err
	}
	if !who.root || othersCanRun(path) {
		return append([]string{path}, helper[1:]...), nil
	}
	cp := filepath.Join(tmp, "helper")
	if err := copyFile(path, cp, 0o755); err != nil {
		return nil, fmt.Errorf("one host: copy the helper: %w", err)
	}
	return append([]string{cp}, helper[1:]...), nil
}

// preflight asks the helper, as the program's user, whether it could start
// the program's command; "" when it could, else why not, as the grader's
// set-up: a missing python3 is no fault of the student's.
func preflight(ctx context.Context, helper, args, command []string, dir string, env []string, who user) string {
	cmd := exec.CommandContext(ctx, helper[0], slices.Concat(helper[1:], []string{"-check"}, args, []string{"--", command[0]})...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: who.credential()}
	out, err := cmd.CombinedOutput()
	if err == nil {
		return ""
	}
	why := lastLineOf(string(out))
	if why == "" {
		why = err.Error()
	}
	return fmt.Sprintf("the grading machine cannot start %s for the program (%s): the grader's set-up, not the program", command[0], why)
}

func lastLineOf(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
