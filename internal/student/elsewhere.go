package student

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/lab"
)

// A server that listens where laptop-b's call cannot reach it (bound to
// localhost, or to another port) has made a one-line mistake, not an empty
// file's: the lab grades the rest of the lecture's protocol where it does
// listen, and only "answers" fails, with the mistake named. Another port
// laptop-b calls itself; laptop-a's own loopback only laptop-a can call, so
// laptop-b asks laptop-a's supervisor, through the report's folder, to run
// the same grade there and write it back. The one-host grader, on the
// program's own machine, calls its loopback directly: the same grade, the
// same points.

// The files in the report's folder: laptop-b's request, and the grade that
// laptop-a's supervisor writes back.
const (
	thereRequest = "grade-there-request.json"
	thereAnswer  = "grade-there.json"
)

// thereWait bounds laptop-b's wait for laptop-a's grade: a grade takes
// about one step timeout, whatever the server does.
const thereWait = 45 * time.Second

// thereAsk is laptop-b's request: the grade to make, as grade.Config says it.
type thereAsk struct {
	Addr      string        `json:"addr"`
	NotOn     []string      `json:"not_on,omitempty"`
	Timeout   time.Duration `json:"timeout_ns"`
	MaxRead   int           `json:"max_read,omitempty"`
	QuietWarn bool          `json:"quiet_warn,omitempty"`
	Policy    grade.Policy  `json:"policy"`
	Listening []string      `json:"listening,omitempty"`
}

// thereReply is the supervisor's answer: the grade, or why there is none.
type thereReply struct {
	Report *grade.Report `json:"report,omitempty"`
	Error  string        `json:"error,omitempty"`
}

// elsewhereOf is where the program listens that laptop-b's refused call
// did not reach: from its laptop's socket table, an address at another
// port, or at localhost (0.0.0.0 at another port is laptop-a's own address
// at that port). false when the call was not refused, or the program
// listens where it was called (refused for another reason).
func elsewhereOf(cfg CheckConfig, rep Report, call Call) (netip.AddrPort, bool) {
	want, err := netip.ParseAddrPort(cfg.Addr)
	if call.DialErr == nil || lab.Classify(call.DialErr) != lab.KindRefused || err != nil {
		return netip.AddrPort{}, false
	}
	var found []netip.AddrPort
	for _, l := range rep.Listening {
		ap, err := netip.ParseAddrPort(l)
		if err != nil {
			continue
		}
		a := ap.Addr().Unmap()
		if ap.Port() == want.Port() && (a == want.Addr() || a.IsUnspecified()) {
			return netip.AddrPort{}, false
		}
		if a.IsUnspecified() {
			a = want.Addr()
		}
		found = append(found, netip.AddrPortFrom(a, ap.Port()))
	}
	for _, ap := range found {
		if ap.Addr().Is4() {
			return ap, true
		}
	}
	if len(found) > 0 {
		return found[0], true
	}
	return netip.AddrPort{}, false
}

// notOnThere are the addresses where a server graded at there must not
// answer: the checker's, at there's port, with there itself (one host's
// loopback) replaced by the address the server should have listened on.
func notOnThere(notOn []string, want, there netip.AddrPort) []string {
	var out []string
	for _, a := range notOn {
		ap, err := netip.ParseAddrPort(a)
		if err != nil {
			continue
		}
		moved := netip.AddrPortFrom(ap.Addr(), there.Port())
		if moved == there {
			moved = netip.AddrPortFrom(want.Addr(), there.Port())
		}
		out = append(out, moved.String())
	}
	return out
}

// gradeThere grades the server at there, and returns g (whose first call
// was refused) with every check after "answers" as graded there, and
// "answers" saying where the server listens instead. The checks are
// printed, "answers" first, then where the rest was graded.
func (c *checker) gradeThere(ctx context.Context, g grade.Report, there netip.AddrPort, rep Report, p *printer) grade.Report {
	want, _ := netip.ParseAddrPort(c.cfg.Addr)
	cfg := c.cfg.gradeConfig()
	cfg.Addr, cfg.NotOn, cfg.Listening = there.String(), notOnThere(c.cfg.NotOn, want, there), rep.Listening
	out := g
	out.Checks = append([]grade.Result(nil), g.Checks...)
	for i, r := range out.Checks {
		if r.ID == "answers" {
			r.Reason, r.Fix = fmt.Sprintf("connection refused: your server listens at %s instead.", there), ""
			out.Checks[i] = r
			p.check(r)
		}
	}
	var tg grade.Report
	var err error
	if there.Addr().IsLoopback() && !c.cfg.SameHost {
		fmt.Fprintf(c.cfg.Out, "      laptop-b cannot call %s, laptop-a's own loopback: laptop-a calls your server there, for the rest of the checks.\n", there)
		tg, err = askThere(ctx, c.cfg.Report, cfg)
	} else {
		fmt.Fprintf(c.cfg.Out, "      the rest of the checks call your server where it listens, %s.\n", there)
		tg, err = grade.Run(ctx, cfg)
	}
	if err != nil {
		fmt.Fprintf(c.cfg.Out, "      (it could not be graded there: %v)\n", err)
		return out
	}
	for i, r := range out.Checks {
		if r.ID == "answers" {
			continue
		}
		for _, t := range tg.Checks {
			if t.ID == r.ID {
				out.Checks[i] = t
			}
		}
	}
	out.Calls += tg.Calls
	out.Elapsed += tg.Elapsed
	out.Model = tg.Model
	out.Passed = false // it did not answer where it was called
	return out
}

// askThere asks laptop-a's supervisor, through the folder of the report at
// report, for the grade cfg describes, and waits for it.
func askThere(ctx context.Context, report string, cfg grade.Config) (grade.Report, error) {
	if report == "" {
		return grade.Report{}, errors.New("no report folder shared with laptop-a")
	}
	dir := filepath.Dir(report)
	answer := filepath.Join(dir, thereAnswer)
	os.Remove(answer)
	ask := thereAsk{Addr: cfg.Addr, NotOn: cfg.NotOn, Timeout: cfg.Timeout, MaxRead: cfg.MaxRead, QuietWarn: cfg.QuietWarn,
		Policy: cfg.Policy, Listening: cfg.Listening}
	if err := WriteWhole(filepath.Join(dir, thereRequest), func(w io.Writer) error { return json.NewEncoder(w).Encode(ask) }); err != nil {
		return grade.Report{}, fmt.Errorf("ask laptop-a: %w", err)
	}
	deadline := time.Now().Add(thereWait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if b, err := os.ReadFile(answer); err == nil {
			var r thereReply
			switch {
			case json.Unmarshal(b, &r) != nil:
				return grade.Report{}, errors.New("laptop-a's answer is not a grade")
			case r.Error != "":
				return grade.Report{}, errors.New(r.Error)
			case r.Report == nil:
				return grade.Report{}, errors.New("laptop-a gave no grade")
			}
			return *r.Report, nil
		}
		sleep(ctx, reportPoll)
	}
	if ctx.Err() != nil {
		return grade.Report{}, ctx.Err()
	}
	return grade.Report{}, fmt.Errorf("laptop-a did not answer within %v", thereWait)
}

// thereRequestPoll is how often the supervisor looks for laptop-b's request.
const thereRequestPoll = 50 * time.Millisecond

// serveThere is the supervisor's side: until ctx is done, it answers each
// request laptop-b leaves in the report's folder with the grade it asks
// for, made from this laptop, where the program's loopback is.
func serveThere(ctx context.Context, report string, say io.Writer) {
	dir := filepath.Dir(report)
	request := filepath.Join(dir, thereRequest)
	t := time.NewTicker(thereRequestPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b, err := os.ReadFile(request)
		if err != nil {
			continue
		}
		os.Remove(request)
		var ask thereAsk
		var reply thereReply
		if err := json.Unmarshal(b, &ask); err != nil {
			reply.Error = "the request is not one: " + err.Error()
		} else {
			fmt.Fprintf(say, "socketlab: laptop-b cannot call %s; calling it from here for the grade\n", ask.Addr)
			g, err := grade.Run(ctx, grade.Config{Addr: ask.Addr, NotOn: ask.NotOn, Timeout: ask.Timeout, MaxRead: ask.MaxRead,
				QuietWarn: ask.QuietWarn, Policy: ask.Policy, Listening: ask.Listening})
			if err != nil {
				reply.Error = err.Error()
			} else {
				reply.Report = &g
			}
		}
		if err := WriteWhole(filepath.Join(dir, thereAnswer), func(w io.Writer) error { return json.NewEncoder(w).Encode(reply) }); err != nil {
			fmt.Fprintf(say, "socketlab: %v\n", err)
		}
	}
}
