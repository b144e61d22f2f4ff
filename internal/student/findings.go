package student

import (
	"fmt"
	"math/bits"
	"net/netip"
	"strings"

	"github.com/socketlab/socketlab/internal/lab"
)

// withHints adds the source's pitfalls that no finding names yet, in the
// program's language; a finding that names one without a line gets the
// line where the source shows it. failed are the grader's failed checks,
// for the hints that explain only those (nil: the program did not get as
// far as a grade): those come first, as the cause of what failed; the
// others after, as what else is in the file.
func withHints(fs []Finding, rep Report, failed []string) []Finding {
	have := map[string]int{}
	for i, f := range fs {
		have[f.ID] = i
	}
	var causes []Finding
	for _, h := range sourceHints(rep, failed) {
		if i, ok := have[h.ID]; ok {
			if i >= 0 && fs[i].Line == 0 {
				fs[i].Line = h.Line
			}
			continue
		}
		have[h.ID] = -1
		if h.explains {
			causes = append(causes, h.Finding)
			continue
		}
		h.ID = "hint-" + h.ID
		fs = append(fs, h.Finding)
	}
	return append(causes, fs...)
}

// behaviour explains what the calls saw: where the server listens, a
// greeting without its newline, an echo that came only after the caller
// hung up.
func behaviour(v Verdict, cfg CheckConfig) []Finding {
	var fs []Finding
	ph := v.Report.phrases()
	want, _ := netip.ParseAddrPort(cfg.Addr)
	for _, l := range v.Report.Listening {
		ap, err := netip.ParseAddrPort(l)
		if err != nil {
			continue
		}
		switch {
		case want.IsValid() && ap.Port() != want.Port() && ap.Port() == bits.ReverseBytes16(want.Port()):
			fs = append(fs, Finding{ID: "no-htons", Says: fmt.Sprintf("your server listens on port %d, and laptop-b calls port %d: %d is %d with its two bytes swapped (0x%04X, 0x%04X). The port was set without htons(): sin_port is read in network byte order. Write addr.sin_port = htons(%d).",
				ap.Port(), want.Port(), ap.Port(), want.Port(), want.Port(), ap.Port(), want.Port())})
		case ap.Addr().IsUnspecified():
			every := "every interface of laptop-a"
			if ap.Addr().Is6() {
				every = "every interface of laptop-a, IPv6's :: and with it IPv4's 0.0.0.0"
			}
			fs = append(fs, Finding{ID: "all-interfaces", Says: fmt.Sprintf("your server listens on %s: %s, so it answers on networks it was not meant for (laptop-b reached it on another one). The lecture binds one interface's address: %s.", l, every, ph.BindOne)})
		case ap.Addr().IsLoopback() && !want.Addr().IsLoopback():
			fs = append(fs, Finding{ID: "loopback", Says: fmt.Sprintf("your server listens on %s: localhost, which only laptop-a itself can call; laptop-b cannot. Bind eth0's address: %s.", l, ph.EthAddr)})
		case want.IsValid() && ap.Port() != want.Port():
			fs = append(fs, Finding{ID: "wrong-port", Says: fmt.Sprintf("your server listens on port %d; laptop-b calls port %d, the lecture's.", ap.Port(), want.Port())})
		}
	}
	// Every call of the grade has hung up by now: a server that closes its
	// calls holds its listening sockets alone.
	if open := v.Report.Sockets - len(v.Report.Listening); v.Grade != nil && !v.Report.Exited() && open >= leakedCalls {
		fs = append(fs, Finding{ID: "never-closed", Says: fmt.Sprintf("after laptop-b's %d calls had all hung up, your server still held %d of them open (the sockets in its /proc/PID/fd): it never closes a call, so a caller waits for the hang-up after the echo, and after about a thousand calls accept() fails with Too many open files. %s after the echo.",
			v.Grade.Calls, open, ph.Close)})
	}
	g := v.Call.Greeting
	switch {
	case v.Call.DialErr != nil || v.Call.End == "reset" && len(g) == 0:
	case len(g) > 0 && !strings.HasSuffix(string(g), "\n"):
		fs = append(fs, Finding{ID: "no-newline", Says: fmt.Sprintf(`the greeting came without a newline (%s): telnet shows the caller's typing on the same line. %s.`, lab.Preview(g), ph.Greeting)})
	}
	if v.Call.HalfClosed {
		fs = append(fs, Finding{ID: "recv-until-close", Says: "the echo came only after laptop-b hung up its side: your server reads until the caller hangs up (" + ph.ReadToEnd + "). telnet never hangs up first, so its user waits forever. " + ph.ReadOnce + "."})
	}
	return fs
}
