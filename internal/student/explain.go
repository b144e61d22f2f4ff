package student

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/socketlab/socketlab/internal/student/lang"
)

// Finding is one thing wrong with the student's program, in the student's
// terms: what happened, why, and what to change.
type Finding struct {
	// ID names the rule, for tests and for anyone grading a class.
	ID string `json:"id"`
	// Line is the line of the student's file it is about, 0 if none.
	Line int    `json:"line,omitempty"`
	Says string `json:"says"`
}

func (f Finding) String() string {
	if f.Line > 0 {
		return fmt.Sprintf("line %d: %s", f.Line, f.Says)
	}
	return f.Says
}

// Crash is what a program's end says about it: the exit status and the last
// lines it printed on stderr (a Python traceback, usually), and the file
// that was run, whose lines the traceback names.
type Crash struct {
	ExitCode int
	Signal   string
	Stderr   string
	File     string
	Source   string
	// Interfaces are the laptop's, as in Report.Interfaces.
	Interfaces []string
	// Lang is the program's language ("" or Python: the traceback rules
	// below); Stdout and Role help the other languages' rules.
	Lang   lang.Lang
	Stdout string
	Role   lang.Role
}

// crashRule explains one kind of traceback. match is tried against the
// traceback's last line (the exception); says builds the words from the
// match and the crash.
type crashRule struct {
	id    string
	match *regexp.Regexp
	says  func(m []string, c Crash) string
}

// The lab's own facts, said in the explanations.
const (
	labIface = "eth0"
	labPort  = "8000"
)

var crashRules = []crashRule{
	{id: "python2-print",
		match: regexp.MustCompile(`^SyntaxError: Missing parentheses in call to 'print'`),
		says: func(_ []string, c Crash) string {
			s := "this is Python 2 code, and the lab runs Python 3: `print data` is how Python 2 prints; in Python 3 print is a function, print(data). Python could not read your file, so none of it ran."
			if len(SourceHints(c.Source)) > 1 {
				s += " The lecture's script is Python 2 throughout: the lines below would stop it next."
			}
			return s
		}},
	{id: "str-send",
		match: regexp.MustCompile(`^TypeError: a bytes-like object is required, not 'str'`),
		says: func(_ []string, _ Crash) string {
			return `a socket sends bytes, not text: in Python 3, "hello\n" is a str; send b"hello\n" (or "hello\n".encode()). This is Python 2 code that Python 3 refuses. What recv() returns is already bytes: send it back as it is.`
		}},
	{id: "en0",
		match: regexp.MustCompile(`^ValueError: You must specify a valid interface name`),
		says: func(_ []string, c Crash) string {
			name := "en0"
			if m := regexp.MustCompile(`ifaddresses\(\s*['"]([^'"]+)['"]`).FindStringSubmatch(c.Source); m != nil {
				name = m[1]
			}
			s := fmt.Sprintf("netifaces has no interface %q on this laptop. ", name)
			if name == "en0" {
				s += "en0 is a Mac's Wi-Fi; Linux, and the lab, call the network interface eth0 (the lecture warns: \"on linux it might be `eth0` not `en0`\"). "
			}
			s += "Use ni.ifaddresses('eth0')"
			if have := ifaceNames(c.Interfaces); have != "" {
				s += "; this laptop has: " + have
			}
			return s + "."
		}},
	{id: "address-in-use",
		match: regexp.MustCompile(`\[Errno 98\] Address already in use`),
		says: func(_ []string, _ Crash) string {
			return "port " + labPort + " is already taken on this laptop: by a server of yours still running (stop it first), or by a socket of the last run that the system keeps for a minute after it closes. Before bind(), say serversocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)."
		}},
	{id: "address-not-here",
		match: regexp.MustCompile(`\[Errno 99\] Cannot assign requested address`),
		says: func(_ []string, c Crash) string {
			s := "bind() was given an address that is not this laptop's: a server can only listen on its own addresses. Don't type one in (an address from the lecture or from your own computer is not laptop-a's); ask netifaces: ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']"
			if have := ifaceAddrs(c.Interfaces); have != "" {
				s += "; this laptop has " + have
			}
			return s + "."
		}},
	{id: "permission-port",
		match: regexp.MustCompile(`^PermissionError: \[Errno 13\] Permission denied`),
		says: func(_ []string, _ Crash) string {
			return "the system refused: ports below 1024 are for the administrator (root), and your program runs as a plain user. Use the lecture's port, " + labPort + "."
		}},
	{id: "no-module",
		match: regexp.MustCompile(`^ModuleNotFoundError: No module named '([^']+)'`),
		says: func(m []string, _ Crash) string {
			mod := m[1]
			if py3, ok := python2Modules[mod]; ok {
				return fmt.Sprintf("%s is the Python 2 name of a module; in Python 3 it is %s.", mod, py3)
			}
			return fmt.Sprintf("your program imports %s, which is not installed on the lab's laptop: it has Python 3's standard library and netifaces, and nothing can be installed there. Use the standard library (socket is all a lecture server needs).", strings.SplitN(mod, ".", 2)[0])
		}},
	{id: "no-file",
		match: regexp.MustCompile(`can't open file '([^']*)': \[Errno 2\] No such file or directory`),
		says: func(m []string, _ Crash) string {
			return fmt.Sprintf("there is no file %s in your folder: the lab copies the folder of the file you named and runs it from there. Check the file's name and its case.", m[1])
		}},
	{id: "connection-refused",
		match: regexp.MustCompile(`^ConnectionRefusedError: \[Errno 111\]`),
		says: func(_ []string, _ Crash) string {
			return "the call was refused: nothing listened at that address and port when your program called. Call laptop-a's address, 172.28.5.10, port " + labPort + " (the lab passes both as arguments: sys.argv[1] and sys.argv[2])."
		}},
	{id: "memory",
		match: regexp.MustCompile(`^MemoryError\b`),
		says: func(_ []string, _ Crash) string {
			return "your program ran out of memory: it asked for more than the laptop lets one program have. Does it keep everything it receives, or start a thread per call without end? A lecture server needs a few megabytes."
		}},
	{id: "file-too-large",
		match: regexp.MustCompile(`\[Errno 27\] File too large`),
		says: func(_ []string, _ Crash) string {
			return "your program wrote a file bigger than the laptop allows: a server needs no files at all; write what it reads to the caller, not to disk."
		}},
	{id: "syntax",
		match: regexp.MustCompile(`^(SyntaxError|IndentationError|TabError): (.*)`),
		says: func(m []string, _ Crash) string {
			return fmt.Sprintf("Python could not read your file, so nothing of it ran: %s (%s). Look at that line and the one before it.", m[2], m[1])
		}},
}

// python2Modules are modules Python 3 renamed, by their Python 2 names.
var python2Modules = map[string]string{
	"SocketServer":     "socketserver",
	"urllib2":          "urllib.request",
	"Queue":            "queue",
	"thread":           "_thread (or better, threading)",
	"ConfigParser":     "configparser",
	"BaseHTTPServer":   "http.server",
	"SimpleHTTPServer": "http.server",
}

// tracebackFile matches a traceback's `File "/student/server.py", line 21`.
var tracebackFile = regexp.MustCompile(`File "([^"]+)", line (\d+)`)

// ExplainCrash says why the program ended, from its traceback; nil when it
// ended well or nothing is known of why.
func ExplainCrash(c Crash) []Finding {
	if c.Lang != "" && c.Lang != lang.Python {
		e, ok := lang.Explain(lang.Ending{Lang: c.Lang, ExitCode: c.ExitCode, Signal: c.Signal, Stdout: c.Stdout, Stderr: c.Stderr,
			File: c.File, Source: c.Source, Role: c.Role, Interfaces: c.Interfaces})
		if !ok {
			return nil
		}
		return []Finding{{ID: e.ID, Line: e.Line, Says: e.Says}}
	}
	if c.Signal == "killed" {
		return []Finding{{ID: "killed", Says: "your program was killed, most likely for using more memory than the lab's laptop has (128 MB): does it keep everything it receives, or start a thread per call without end?"}}
	}
	if f, ok := limitSignals[c.Signal]; ok {
		return []Finding{f}
	}
	if c.ExitCode == 0 && c.Signal == "" {
		return nil
	}
	last := lastLine(c.Stderr)
	line := crashLine(c.Stderr, c.File)
	for _, r := range crashRules {
		if m := r.match.FindStringSubmatch(last); m != nil {
			return []Finding{{ID: r.id, Line: line, Says: r.says(m, c)}}
		}
	}
	if last == "" {
		return []Finding{{ID: "exit", Says: fmt.Sprintf("your program ended with exit status %d and printed nothing on stderr.", c.ExitCode)}}
	}
	return []Finding{{ID: "crash", Line: line, Says: fmt.Sprintf("your program stopped with an error: %s", last)}}
}

// limitSignals explain the signals a limit sends (one host's rlimits), by
// the name the report gives them.
var limitSignals = map[string]Finding{
	"CPU time limit exceeded": {ID: "cpu-limit", Says: "your program used up the CPU time the laptop allows and was stopped: is it spinning in a loop (while True: with nothing that waits)? " +
		"A server spends its time waiting in accept() and recv(), which costs no CPU."},
	"file size limit exceeded": {ID: "file-too-large", Says: "your program wrote a file bigger than the laptop allows and was stopped: a server needs no files at all; write what it reads to the caller, not to disk."},
}

// lastLine is the last non-blank line of s: a traceback's exception.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "socketlab:") {
			return l
		}
	}
	return ""
}

// crashLine is the line of the student's file the traceback ends in: the
// last `File "...server.py", line N` that names it (a traceback's later
// frames are in the library), or, without a file to match, the last one.
func crashLine(stderr, file string) int {
	line := 0
	for _, m := range tracebackFile.FindAllStringSubmatch(stderr, -1) {
		if file == "" || strings.HasSuffix(m[1], "/"+strings.TrimPrefix(file, "./")) || m[1] == file {
			line, _ = strconv.Atoi(m[2])
		}
	}
	return line
}

// ifaceNames is "lo, eth0" from Report.Interfaces.
func ifaceNames(ifs []string) string {
	var names []string
	for _, i := range ifs {
		names = append(names, strings.Fields(i)[0])
	}
	return strings.Join(names, ", ")
}

// ifaceAddrs is "172.28.5.10 on eth0" for the interfaces with an IPv4
// address, loopback left out.
func ifaceAddrs(ifs []string) string {
	var out []string
	for _, i := range ifs {
		f := strings.Fields(i)
		if len(f) < 2 || f[0] == "lo" {
			continue
		}
		out = append(out, f[1]+" on "+f[0])
	}
	return strings.Join(out, ", ")
}
