package lang

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Java runs with a small JVM: one GC thread and the quick compiler, and no
// performance data file on /tmp. Enough for a lecture's server, and it
// starts in half the time.
var (
	javaFlags  = []string{"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData"}
	javaPkg    = regexp.MustCompile(`^\s*package\s+([\w.]+)\s*;`)
	goModule   = "go.mod"
	cFlags     = []string{"-Wall", "-g", "-O0"}
	outToken   = "{out}"
	workToken  = "{work}"
	maxCopy    = int64(32 << 20)
	outputTail = 8 << 10
)

// commands fills in how p is built and run.
func (p *Program) commands(dir string) {
	bin := outToken + "/" + string(p.Role)
	switch p.Lang {
	case Python:
		p.Run = []string{"python3", "-u", p.File}
	case Node:
		// --check parses the file without running it: a syntax error is a
		// build failure with its line, before any call.
		p.Build = [][]string{{"node", "--check", p.File}}
		p.Run = []string{"node", p.File}
	case C, CPP:
		p.Copy = true
		if p.Make {
			p.BuildIn = p.MakeDir
			p.Build = [][]string{{"make"}}
			p.BuildEnv = []string{"LC_ALL=C"}
			return
		}
		cc, std, x := "gcc", "-std=gnu17", "c"
		if p.Lang == CPP {
			cc, std, x = "g++", "-std=gnu++17", "c++"
		}
		// C's locale: the compiler quotes names with ' as the lab's
		// explanations do, not with ‘’.
		p.BuildEnv = []string{"LC_ALL=C"}
		cmd := append([]string{cc, std}, cFlags...)
		// -x: the language is the file's, whatever its case (gcc takes
		// SERVER.C for C++).
		p.Build = [][]string{append(cmd, "-x", x, "-o", bin, p.File, "-x", "none", "-pthread", "-lm")}
		p.Run = []string{bin}
	case Java:
		p.Copy = true
		class := strings.TrimSuffix(path.Base(p.File), path.Ext(p.File))
		srcRoot := path.Dir(p.File)
		for _, line := range firstLines(filepath.Join(dir, p.File), 200) {
			if m := javaPkg.FindStringSubmatch(line); m != nil {
				class = m[1] + "." + class
				// src/edu/x/Server.java in package edu.x: the source root is src.
				if pkgDir := strings.ReplaceAll(m[1], ".", "/"); strings.HasSuffix(srcRoot, pkgDir) {
					srcRoot = path.Clean(strings.TrimSuffix(srcRoot, pkgDir))
				}
				break
			}
		}
		// -sourcepath: the program's other classes (a Handler.java beside
		// it) are compiled as it uses them.
		javac := []string{"javac"}
		for _, f := range javaFlags {
			javac = append(javac, "-J"+f)
		}
		p.Build = [][]string{append(javac, "-encoding", "UTF-8", "-d", outToken, "-sourcepath", srcRoot, p.File)}
		p.Run = append(append([]string{"java"}, javaFlags...), "-cp", outToken, class)
	case Go:
		p.Copy = true
		p.Env = []string{"GOCACHE=" + workToken + "/go-cache", "GOPATH=" + workToken + "/go", "GOPROXY=off", "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local"}
		// The go command starts a compiler per CPU it sees, which is the
		// host's: two keep a build well inside the laptop's process limit.
		p.BuildEnv = []string{"GOMAXPROCS=2"}
		mod := filepath.Join(dir, path.Dir(p.File), goModule)
		switch _, err := os.Stat(mod); {
		case err == nil && labsModule(mod):
			// socketlab's own go.mod: the student saved server.go at the
			// top of the lab's repository (just my-server server.go). It is
			// not the student's module, and the laptop's Go may be older than
			// it asks: the file is built alone, outside any module.
			p.BuildEnv = append(p.BuildEnv, "GO111MODULE=off")
			p.Build = [][]string{{"go", "build", "-o", bin, p.File}}
		case err == nil:
			p.BuildIn = path.Dir(p.File)
			p.Build = [][]string{{"go", "build", "-o", bin, "."}}
		default:
			p.Build = [][]string{{"go", "build", "-o", bin, p.File}}
		}
		p.Run = []string{bin}
	}
}

// labModule is socketlab's own module path, as its go.mod names it.
const labModule = "github.com/socketlab/socketlab"

// labsModule says the go.mod at path is socketlab's own.
func labsModule(path string) bool {
	for _, line := range firstLines(path, 20) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == labModule {
			return true
		}
	}
	return false
}

// Result is how a build went: what the supervisor reports and the
// checker turns into a verdict.
type Result struct {
	Lang Lang   `json:"lang"`
	File string `json:"file"`
	// Command is the command that failed, or the last that ran.
	Command  []string      `json:"command,omitempty"`
	ExitCode int           `json:"exit_code"`
	TimedOut bool          `json:"timed_out,omitempty"`
	Limit    time.Duration `json:"limit_ns,omitempty"`
	Took     time.Duration `json:"took_ns"`
	// Output is the end of what the build printed.
	Output string `json:"output,omitempty"`
	// Error is the compiler's first error, when one was found in Output.
	Error *CompileError `json:"error,omitempty"`
	// Problem is why the build could not run at all, or made no program.
	Problem string `json:"problem,omitempty"`
}

// OK says the build made the program.
func (r Result) OK() bool { return r.ExitCode == 0 && !r.TimedOut && r.Problem == "" }

// Build builds p, from the student's folder dir, in work (a writable
// folder, /tmp on a laptop; made if missing), writing what the build
// prints to out as it prints it. It returns p ready to run (its Run and
// Env with the folders filled in, Dir where to run it) and how the build
// went. A program with nothing to build comes back at once.
func Build(ctx context.Context, p Program, dir, work string, out io.Writer) (Ready, Result) {
	return BuildWith(ctx, p, dir, work, out, BuildOptions{})
}

// BuildOptions are how a grader that runs the program as a user of its own
// (the one-host grader) builds it the same way.
type BuildOptions struct {
	// Prepare changes each build command just before it starts: the
	// compiler runs as the program's user, under the program's limits (a
	// Makefile is the student's code too).
	Prepare func(*exec.Cmd) error
	// Own is called on each folder and file the build makes before the
	// compiler runs, to give them to that user.
	Own func(path string) error
}

// BuildWith is Build with o.
func BuildWith(ctx context.Context, p Program, dir, work string, out io.Writer, o BuildOptions) (ready Ready, r Result) {
	if out == nil {
		out = io.Discard
	}
	r = Result{Lang: p.Lang, File: p.File, Limit: p.Limits.Build}
	ready = Ready{Program: p, Dir: dir}
	outDir := filepath.Join(work, "out")
	subst := func(s string) string { return Subst(s, work) }
	ready.Run, ready.Env = substAll(p.Run, subst), substAll(p.Env, subst)
	if len(p.Build) == 0 {
		return ready, r
	}
	start := time.Now()
	defer func() { r.Took = time.Since(start) }()
	own := o.Own
	if own == nil {
		own = func(string) error { return nil }
	}
	if err := os.MkdirAll(outDir, 0o755); err == nil {
		if err = own(work); err == nil {
			err = own(outDir)
		}
		if err != nil {
			r.Problem = fmt.Sprintf("the lab could not make its build folder: %v", err)
			return ready, r
		}
	} else {
		r.Problem = fmt.Sprintf("the lab could not make its build folder: %v", err)
		return ready, r
	}
	if p.Copy {
		src := filepath.Join(work, "src")
		if err := copyTree(dir, src, maxCopy, own); err != nil {
			r.Problem = fmt.Sprintf("the lab could not copy your folder to build it: %v", err)
			return ready, r
		}
		ready.Dir = src
	}
	limit := p.Limits.Build
	if limit <= 0 {
		limit = time.Minute
	}
	bctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tail := &tailBuf{n: outputTail}
	w := io.MultiWriter(out, tail)
	for _, args := range p.Build {
		args = substAll(args, subst)
		r.Command = args
		cmd := exec.CommandContext(bctx, args[0], args[1:]...)
		cmd.Dir = filepath.Join(ready.Dir, p.BuildIn)
		cmd.Env = append(append(os.Environ(), ready.Env...), substAll(p.BuildEnv, subst)...)
		cmd.Stdout, cmd.Stderr = w, w
		killGroup(cmd)
		if o.Prepare != nil {
			if err := o.Prepare(cmd); err != nil {
				r.ExitCode, r.Problem = 127, fmt.Sprintf("the lab could not run %s: %v", args[0], err)
				return ready, r
			}
		}
		err := cmd.Run()
		r.Output = tail.String()
		if bctx.Err() == context.DeadlineExceeded {
			r.TimedOut, r.ExitCode = true, -1
			return ready, r
		}
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				r.ExitCode = ee.ExitCode()
			} else {
				r.ExitCode, r.Problem = 127, fmt.Sprintf("the lab could not run %s: %v", args[0], err)
			}
			if e, ok := FirstError(p.Lang, r.Output); ok {
				r.Error = &e
			}
			return ready, r
		}
	}
	if p.Make {
		bin, err := madeProgram(filepath.Join(ready.Dir, p.MakeDir), p.Role)
		if err != nil {
			r.Problem = err.Error()
			return ready, r
		}
		ready.Run = []string{bin}
	}
	if p.Lang == C || p.Lang == CPP {
		ready.Run = lineBuffered(ready.Run)
	}
	return ready, r
}

// lineBuffered runs a C or C++ program with its stdout line-buffered, as on
// a terminal: to the lab's pipe, stdio would hold a printf's line until 4 kB
// had gathered or the program ended, and laptop-a's log would show nothing
// of the calls as they happen. stdbuf execs the program: its PID, and so
// its sockets, are the program's.
func lineBuffered(run []string) []string {
	if _, err := exec.LookPath("stdbuf"); err != nil {
		return run
	}
	return append([]string{"stdbuf", "-oL", "-eL"}, run...)
}

// Subst fills the build's folders, under work, into a command's word.
func Subst(s, work string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, outToken, filepath.Join(work, "out")), workToken, work)
}

// Ready is a built program: what to run, where, with what added to the
// environment.
type Ready struct {
	Program
	Dir string
	Run []string
	Env []string
}

func substAll(in []string, f func(string) string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

// madeProgram is the program make made in dir: an executable file named
// for the role (case aside), else the newest executable whose name
// contains it, else the newest executable make made.
func madeProgram(dir string, role Role) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("read the Makefile's folder: %w", err)
	}
	var best string
	var bestRank int
	var bestTime time.Time
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 || Of(e.Name()) != "" {
			continue
		}
		name := strings.ToLower(e.Name())
		rank := 3
		switch {
		case name == string(role):
			rank = 1
		case strings.Contains(name, string(role)):
			rank = 2
		case strings.HasSuffix(name, ".sh") || strings.HasSuffix(name, ".o"):
			continue
		}
		if best == "" || rank < bestRank || rank == bestRank && info.ModTime().After(bestTime) {
			best, bestRank, bestTime = filepath.Join(dir, e.Name()), rank, info.ModTime()
		}
	}
	if best == "" {
		return "", fmt.Errorf("make ran but made no program: the Makefile should build one named %s (gcc -o %s %s.c)", role, role, role)
	}
	return best, nil
}

// copyTree copies the regular files and folders of src into dst, leaving
// out .git and node_modules, and at most max bytes in all, each given away
// by own once made.
func copyTree(src, dst string, max int64, own func(string) error) error {
	var total int64
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if rel != "." && (d.Name() == ".git" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			return own(target)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if total += info.Size(); total > max {
			return fmt.Errorf("the folder holds more than %d MB", max>>20)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		// Writable and, where it was, executable: make may rewrite its
		// outputs, and a build script may run.
		mode := os.FileMode(0o644)
		if info.Mode().Perm()&0o111 != 0 {
			mode = 0o755
		}
		outF, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
		if err != nil {
			return err
		}
		if _, err := io.Copy(outF, in); err != nil {
			outF.Close()
			return err
		}
		if err := outF.Close(); err != nil {
			return err
		}
		return own(target)
	})
}

// tailBuf keeps the last n bytes written to it.
type tailBuf struct {
	n   int
	buf bytes.Buffer
}

func (t *tailBuf) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if t.buf.Len() > 2*t.n {
		b := t.buf.Bytes()
		keep := append([]byte(nil), b[len(b)-t.n:]...)
		t.buf.Reset()
		t.buf.Write(keep)
	}
	return len(p), nil
}

func (t *tailBuf) String() string {
	b := t.buf.Bytes()
	if len(b) > t.n {
		b = b[len(b)-t.n:]
	}
	return string(b)
}
