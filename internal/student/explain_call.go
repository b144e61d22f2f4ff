package student

import (
	"fmt"
	"math/bits"
	"net/netip"
	"regexp"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/student/lang"
)

// explainCall explains what the calls saw, the likeliest cause first:
// where the server listens (why a call was refused), the greeting, the
// echo, the hang-up; then what the words in the lines above mean (a
// reset, an empty read).
func explainCall(v Verdict, cfg CheckConfig) []Finding {
	rep := v.Report
	want, _ := netip.ParseAddrPort(cfg.Addr)
	fs := listenFindings(rep, want)
	heard := lang.Heard{Greeting: v.Call.Greeting, Reply: v.Call.Reply, Sent: Message}
	called := v.Call.DialErr == nil && !(v.Call.End == "reset" && len(v.Call.Greeting) == 0)
	greeted := false
	if called {
		if e, ok := lang.GreetingFault(rep.language(), rep.Source, heard); ok {
			fs = append(fs, Finding{ID: e.ID, Line: e.Line, Says: e.Says})
			greeted = true
		}
	}
	if called && !greeted && !v.Call.HalfClosed {
		if e, ok := lang.EchoFault(rep.language(), rep.Source, heard); ok {
			fs = append(fs, Finding{ID: e.ID, Line: e.Line, Says: e.Says})
		}
	}
	if v.Call.HalfClosed {
		ph := rep.phrases()
		fs = append(fs, Finding{ID: "recv-until-close", Line: lang.LineIn(rep.language(), rep.Source, readCallLine),
			Says: "the echo came only after the caller hung up its side: your server reads until the caller hangs up (" + ph.ReadToEnd + "). " +
				"telnet never hangs up first, so its user waits forever for the echo. " + ph.ReadOnce + "."})
	}
	// Every call of the grade has hung up by now: a server that closes its
	// calls holds its listening sockets alone.
	if open := rep.Sockets - len(rep.Listening); v.Grade != nil && !rep.Exited() && open >= leakedCalls {
		fs = append(fs, Finding{ID: "never-closed", Says: fmt.Sprintf("after all %d of the check's calls had hung up, your server still held %d of them open: "+
			"it never closes a call's socket. So a caller never hears the hang-up after the echo (telnet waits on), and after about a thousand calls "+
			"accept() fails with \"Too many open files\". %s after the echo.", v.Grade.Calls, open, rep.phrases().Close)})
	}
	if f, ok := pyEchoLoop(v); ok {
		fs = append(fs, f)
	} else if f, ok := pyNeverClosed(v); ok && !hasID(fs, "never-closed") {
		fs = append(fs, f)
	}
	return append(fs, wordNotes(v)...)
}

// pyNeverClosed finds a Python server that left the line open after the
// echo and never closes the call's socket: Python closes it only when the
// next accept() replaces it, so each caller waits for the hang-up.
func pyNeverClosed(v Verdict) (Finding, bool) {
	rep := v.Report
	if rep.language() != lang.Python || v.Grade == nil || !failed(*v.Grade, "hangs-up") {
		return Finding{}, false
	}
	n := lang.NamesIn(lang.Python, rep.Source)
	conn := regexp.QuoteMeta(n.Conn)
	if lang.LineIn(lang.Python, rep.Source, regexp.MustCompile(`\b`+conn+`\.(close|shutdown)\s*\(|\bwith\s+`+conn+`\b|\bwith\s+\w+\.accept\(`)) > 0 {
		return Finding{}, false
	}
	return Finding{ID: "never-closed", Line: lang.LineIn(lang.Python, rep.Source, regexp.MustCompile(`\.accept\(`)),
		Says: fmt.Sprintf("your server never closes the call's socket, %s: after the echo the caller waits for the hang-up (telnet waits forever), "+
			"and Python closes it only when the next accept() takes its name. Hang up after the echo: %s.close().", n.Conn, n.Conn)}, true
}

// pyEchoLoop finds a Python server that stayed on the line echoing: the
// other languages' hints say so (lang.Hints); Python's verdict names a
// running server's source mistakes here.
func pyEchoLoop(v Verdict) (Finding, bool) {
	rep := v.Report
	if rep.language() != lang.Python || v.Grade == nil || v.Call.HalfClosed || !failed(*v.Grade, "hangs-up") && !failed(*v.Grade, "echo-3000") {
		return Finding{}, false
	}
	h, ok := lang.EchoLoop(lang.Python, rep.Source)
	return Finding{ID: h.ID, Line: h.Line, Says: h.Says}, ok
}

// failed says the grade's check id failed.
func failed(g grade.Report, id string) bool {
	for _, c := range g.Checks {
		if c.ID == id && c.Status == grade.Fail {
			return true
		}
	}
	return false
}

func hasID(fs []Finding, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

// ifaceWords names the laptop's interfaces with what each is, in a first
// year's words: "lo: the laptop talking to itself, eth0: the lab's
// network, where your partner is, eth1: another network your laptop is on".
func ifaceWords(ifs []string, eth string) string {
	var words []string
	for _, i := range ifs {
		name := strings.Fields(i)[0]
		switch {
		case name == "lo":
			words = append(words, "lo: the laptop talking to itself")
		case name == eth:
			words = append(words, name+": the lab's network, where your partner is")
		default:
			words = append(words, name+": another network your laptop is on")
		}
	}
	return strings.Join(words, "; ")
}

// listenFindings explain where the server listens when that is not where
// the caller calls: the reason a call is refused, or answered where it
// should not be.
func listenFindings(rep Report, want netip.AddrPort) []Finding {
	var fs []Finding
	ph := rep.phrases()
	l := rep.language()
	eth := ifaceOf(rep.Interfaces, want.Addr())
	if eth == "" {
		eth = labIface
	}
	for _, s := range rep.Listening {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			continue
		}
		wrongPort := want.IsValid() && ap.Port() != want.Port()
		switch {
		case wrongPort && ap.Port() == bits.ReverseBytes16(want.Port()):
			fs = append(fs, Finding{ID: "no-htons", Line: hintLine(rep, "no-htons"), Says: fmt.Sprintf("your server listens on port %d, and the caller calls port %d: %d is %d with its two bytes swapped (0x%04X, 0x%04X). "+
				"The port was set without htons(): sin_port is read in network byte order, the big end first. Write addr.sin_port = htons(%d).",
				ap.Port(), want.Port(), ap.Port(), want.Port(), want.Port(), ap.Port(), want.Port())})
			continue
		case wrongPort && ap.Addr().IsUnspecified() && !hasBind(l, rep.Source):
			fs = append(fs, Finding{ID: "no-bind", Line: lang.LineIn(l, rep.Source, listenLine), Says: fmt.Sprintf("your server listens on %s: on a port the system picked at random, on every interface. "+
				"listen() was called without bind() first, so nothing said which address and port to listen on, and your partner's laptop, calling port %d, is refused. "+
				"Call bind() before listen(): %s.", s, want.Port(), ph.BindOne)})
			continue
		case wrongPort:
			fs = append(fs, Finding{ID: "wrong-port", Line: lang.LineIn(l, rep.Source, regexp.MustCompile(fmt.Sprintf(`\b%d\b`, ap.Port()))),
				Says: fmt.Sprintf("your server listens on port %d, but the lecture's port is %d: your partner's laptop calls port %d and finds nobody there (connection refused). "+
					"Bind port %d: %s.", ap.Port(), want.Port(), want.Port(), want.Port(), ph.BindOne)})
		}
		switch a := ap.Addr(); {
		case a.IsUnspecified():
			every := "every network your laptop is on"
			if a.Is6() {
				every = "every network your laptop is on, in IPv6 (::) and with it IPv4 (0.0.0.0)"
			}
			if names := ifaceWords(rep.Interfaces, eth); names != "" {
				every += " (" + names + ")"
			}
			fs = append(fs, Finding{ID: "all-interfaces", Line: hintLine(rep, "all-interfaces"), Says: fmt.Sprintf("your server listens on %s: on %s, so it answers on networks it was not meant for, not only on %s. "+
				"Your partner could call it, so it works; but binding one interface's address is the lecture's exercise "+
				"(ip = ni.ifaddresses('en0')[ni.AF_INET][0]['addr'], then serversocket.bind((ip, 8000))): a server answers where it means to, "+
				"and a laptop on a café's Wi-Fi does not answer everyone there. Bind %s's address: %s.", s, every, eth, eth, ph.BindOne)})
		case a.IsLoopback() && !want.Addr().IsLoopback():
			fs = append(fs, Finding{ID: "loopback", Line: lang.LineIn(l, rep.Source, loopbackLine), Says: fmt.Sprintf("your server listens on %s: localhost, the address by which your laptop calls itself. "+
				"Only programs on your own laptop can call it there; your partner's laptop calls %s's address, %s, and is refused (connection refused). "+
				"Bind %s's address instead: %s.", s, eth, want.Addr(), eth, ph.BindOne)})
		case want.IsValid() && a != want.Addr() && !wrongPort:
			other, at := "another network of your laptop", regexp.QuoteMeta(a.String())
			if name := ifaceOf(rep.Interfaces, a); name != "" {
				other, at = name+", your laptop's other network", at+`|["']`+regexp.QuoteMeta(name)+`["']`
			}
			fs = append(fs, Finding{ID: "other-address", Line: lang.LineIn(l, rep.Source, regexp.MustCompile(at)),
				Says: fmt.Sprintf("your server listens on %s, the address of %s; your partner's laptop calls %s's address, %s, and is refused there. Bind %s's address: %s.",
					s, other, eth, want.Addr(), eth, ph.BindOne)})
		}
	}
	return fs
}

var (
	readCallLine = regexp.MustCompile(`\b(recv|read|readAll|ReadAll|Copy|readAllBytes)\s*\(|\.on\s*\(\s*['"](data|end)['"]`)
	listenLine   = regexp.MustCompile(`\blisten\s*\(`)
	bindLine     = regexp.MustCompile(`\bbind\s*\(`)
	loopbackLine = regexp.MustCompile(`(?i)localhost|127\.0\.0\.1|INADDR_LOOPBACK|getLoopbackAddress|["']::1["']|\[::1\]`)
)

// hasBind says the program calls bind(), in the languages where listen()
// can come without it (Python, C, C++); true in the others, where a
// server is bound as it is made.
func hasBind(l lang.Lang, src string) bool {
	if l != lang.Python && l != lang.C && l != lang.CPP {
		return true
	}
	return lang.LineIn(l, src, bindLine) > 0
}

// hintLine is the line of the source's hint id, 0 when it shows none.
func hintLine(rep Report, id string) int {
	for _, h := range sourceHints(rep, nil) {
		if h.ID == id {
			return h.Line
		}
	}
	return 0
}

// ifaceOf names the laptop's interface with address a ("eth0"), "" when
// the report lists none.
func ifaceOf(ifs []string, a netip.Addr) string {
	for _, i := range ifs {
		if f := strings.Fields(i); len(f) >= 2 && f[1] == a.String() {
			return f[0]
		}
	}
	return ""
}

// resetWord finds the word reset in what the verdict printed.
var resetWord = regexp.MustCompile(`\breset\b`)

// wordNotes explain, once, the words in the lines above that the lecture
// does not use: a reset, and the empty bytes a Python server prints.
func wordNotes(v Verdict) []Finding {
	var fs []Finding
	reset := v.Call.End == "reset"
	if v.Grade != nil {
		for _, c := range v.Grade.Checks {
			reset = reset || c.Status != grade.Skip && resetWord.MatchString(c.Reason+" "+c.Fix)
		}
	}
	if reset {
		fs = append(fs, Finding{ID: "note-reset", Says: "note: a reset (RST) is a call that ends without a goodbye: the phone line goes dead, " +
			"instead of one side hanging up after its last word (a close). A laptop's system resets a call when the program closes the call's socket " +
			"while what the caller sent is still unread, or when the program ends in the middle of a call; what was still on its way may be lost."})
	}
	if v.Report.language() == lang.Python && emptyRead.MatchString(v.Report.Stdout) {
		fs = append(fs, Finding{ID: "note-empty-read", Says: "note: b'' in what your server printed is an empty read: recv() returns b'' when the caller " +
			"hangs up without sending anything more. One of the check's callers does that on purpose (it says nothing, then hangs up); " +
			"a server that gets b'' has nothing to echo and closes the call."})
	}
	if v.Report.language() == lang.Python {
		if loc := hostnameAddr.FindStringIndex(v.Report.Source); loc != nil {
			fs = append(fs, Finding{ID: "note-hostname", Line: strings.Count(v.Report.Source[:loc[0]], "\n") + 1,
				Says: "note: gethostbyname(gethostname()) asks for the address of the machine's own name. Where it was graded, " +
					"that name stands for eth0's address, so it worked; on many Linux computers the name stands for 127.0.1.1, " +
					"a loopback address no other machine can call. The lecture asks the interface itself: ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']."})
		}
	}
	return fs
}

// hostnameAddr is a Python server asking its own name's address, outside
// a comment: right in the lab, wrong on many Linux laptops (127.0.1.1).
var hostnameAddr = regexp.MustCompile(`(?m)^[^#\n]*gethostbyname\(\s*(socket\.)?gethostname\(\s*\)\s*\)`)

// emptyRead is Python's printed empty bytes, in single or double quotes.
var emptyRead = regexp.MustCompile(`(^|[^\w'"])b(''|"")`)
