package student

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/student/lang"
)

// build finds the program in the folder, reports it, and builds it. ok is
// false when there is nothing to run: no program, or one that did not
// build; the report says why, and code is the supervisor's exit status.
func (s *supervisor) build(ctx context.Context) (ready lang.Ready, code int, ok bool, err error) {
	cfg := s.cfg
	p, derr := lang.Detect(cfg.Dir, cfg.Role, cfg.File)
	if derr != nil {
		s.update(func(r *Report) {
			r.State, r.StartError, r.ExitCode, r.Ended = StateExited, derr.Error(), 127, time.Now()
		})
		fmt.Fprintf(cfg.Say, "socketlab: %v\n", derr)
		if errors.Is(derr, lang.ErrNoProgram) {
			s.linger(ctx)
			return ready, 127, false, nil
		}
		return ready, 127, false, derr
	}
	if p.Note != "" {
		fmt.Fprintf(cfg.Say, "socketlab: %s\n", p.Note)
	}
	src := readSource(filepath.Join(cfg.Dir, p.File))
	s.update(func(r *Report) { r.File, r.Source, r.Lang = p.File, src, string(p.Lang) })
	if len(p.Build) == 0 {
		ready, _ = lang.Build(ctx, p, cfg.Dir, s.work(), io.Discard)
		return ready, 0, true, nil
	}
	s.update(func(r *Report) {
		r.State = StateBuilding
		r.Build = &lang.Result{Lang: p.Lang, File: p.File, Command: p.Build[0], Limit: p.Limits.Build}
	})
	var words []string
	for _, w := range p.Build[0] {
		words = append(words, lang.Subst(w, s.work()))
	}
	fmt.Fprintf(cfg.Say, "socketlab: building %s (%s, at most %v): %s\n", p.File, p.Lang, p.Limits.Build, strings.Join(words, " "))
	ready, res := lang.BuildWith(ctx, p, cfg.Dir, s.work(), cfg.Stdout, lang.BuildOptions{Prepare: cfg.Prepare, Own: cfg.BuildOwn})
	if res.OK() {
		s.update(func(r *Report) { r.Build = &res })
		fmt.Fprintf(cfg.Say, "socketlab: built %s in %s\n", p.File, round(res.Took))
		return ready, 0, true, nil
	}
	s.update(func(r *Report) {
		r.State, r.Build, r.ExitCode, r.Ended = StateExited, &res, 1, time.Now()
	})
	switch {
	case res.TimedOut:
		fmt.Fprintf(cfg.Say, "socketlab: %s did not build within %v: stopped\n", p.File, res.Limit)
	case res.Problem != "":
		fmt.Fprintf(cfg.Say, "socketlab: %s\n", res.Problem)
	default:
		fmt.Fprintf(cfg.Say, "socketlab: your %s did not compile (%s exit status %d)\n", p.Name(), res.Command[0], res.ExitCode)
	}
	if ctx.Err() != nil {
		return ready, 1, false, nil
	}
	s.linger(ctx)
	return ready, 1, false, nil
}

// work is where the program is built.
func (s *supervisor) work() string {
	if s.cfg.Work != "" {
		return s.cfg.Work
	}
	return filepath.Join(os.TempDir(), "socketlab-build")
}

// readSource is the first maxSource bytes of a file, "" when unreadable.
func readSource(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, maxSource))
	return string(b)
}

// socketPoll is how often the supervisor counts the program's sockets.
const socketPoll = 100 * time.Millisecond

// watchSockets keeps the count of the program's open sockets in the
// report, until done is closed: a server that never closes a call holds
// one more socket after each.
func (s *supervisor) watchSockets(pid int, done <-chan struct{}) {
	t := time.NewTicker(socketPoll)
	defer t.Stop()
	last := -1
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		owned, ok := socketsOf(pid)
		if !ok || len(owned) == last {
			continue
		}
		last = len(owned)
		s.update(func(r *Report) {
			r.Sockets = last
			r.PeakSockets = max(r.PeakSockets, last)
		})
	}
}
