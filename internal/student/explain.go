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
			// Serving one call stops nothing (the lecture's script does it
			// and passes): only the other hints would stop it next.
			stops := 0
			for _, h := range SourceHints(c.Source) {
				if h.ID != "one-call" && h.ID != "python2-print" {
					stops++
				}
			}
			if stops > 0 {
				s += " The lecture's script is Python 2 throughout: the mistakes listed below would stop it next."
			}
			return s
		}},
	{id: "str-send",
		match: regexp.MustCompile(`^TypeError: a bytes-like object is required, not 'str'`),
		says: func(_ []string, _ Crash) string {
			return `a socket sends bytes, not text: in Python 3, "hello\n" is a str; send b"hello\n" (or "hello\n".encode()). (Python 2, which the lecture was written for, let a str through; Python 3 does not.) What recv() returns is already bytes: send it back as it is.`
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
			s := "bind() was given an address that is not this laptop's: a server can only listen on its own addresses. Don't type one in (an address from the lecture, or your own computer's, is not this laptop's); ask netifaces: ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']"
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
			return "the call was refused: nothing listened at that address and port when your program called. Call the server's address and port (172.28.5.10 and " + labPort + " in the lab), which the lab gives your client as its arguments: sys.argv[1] and int(sys.argv[2])."
		}},
	{id: "accept-before-listen",
		match: regexp.MustCompile(`^OSError: \[Errno 22\] Invalid argument`),
		says: func(_ []string, c Crash) string {
			n := lang.NamesIn(lang.Python, c.Source)
			switch line := crashSource(c); {
			case strings.Contains(line, ".accept("):
				return fmt.Sprintf("accept() failed (OSError: [Errno 22] Invalid argument) because the socket is not listening: listen() was never called on it. "+
					"A socket takes calls only once listen() has made it a listening socket. Call %s.listen(5) after bind() and before accept(), as the lecture does.", n.Server)
			case strings.Contains(line, ".bind("):
				return "bind() failed (OSError: [Errno 22] Invalid argument): this socket is bound already. A socket is bound once; bind() it once, before listen()."
			}
			return "a socket call was given something it cannot take (OSError: [Errno 22] Invalid argument): look at that line's arguments, and at the order of the calls: socket(), bind(), listen(), accept()."
		}},
	{id: "closed-socket",
		match: regexp.MustCompile(`^OSError: \[Errno 9\] Bad file descriptor`),
		says: func(_ []string, c Crash) string {
			n := lang.NamesIn(lang.Python, c.Source)
			if strings.Contains(crashSource(c), ".accept(") {
				return fmt.Sprintf("accept() failed (OSError: [Errno 9] Bad file descriptor) because the listening socket, %s, was closed earlier: "+
					"after a call, close the call's socket, %s.close(), and keep %s open to answer the next caller.", n.Server, n.Conn, n.Server)
			}
			return "this socket was used after it was closed (OSError: [Errno 9] Bad file descriptor): close() a socket only when you are done with it, after the last send() or recv()."
		}},
	{id: "caller-reset",
		match: regexp.MustCompile(`^(ConnectionResetError: \[Errno 104\]|BrokenPipeError: \[Errno 32\]|ConnectionAbortedError)`),
		says: func(_ []string, c Crash) string {
			n := lang.NamesIn(lang.Python, c.Source)
			return fmt.Sprintf("your server stopped because a caller hung up abruptly: the phone line went dead (a reset, RST) while your server was still reading or sending, "+
				"and recv() or send() raised %s. Callers do that, and the check's do it on purpose; a server that keeps answering must survive it: "+
				"put the call's recv() and send() in try: ... except OSError: and close that call, %s.close(), then accept() the next.", errName(lastLine(c.Stderr)), n.Conn)
		}},
	{id: "bind-two-arguments",
		match: regexp.MustCompile(`^TypeError: (socket\.)?bind\(\) takes exactly one argument \((\d+) given\)`),
		says: func(_ []string, c Crash) string {
			return fmt.Sprintf("bind() takes one argument, a pair of the address and the port: %s.bind((ip, 8000)), with two pairs of parentheses.", lang.NamesIn(lang.Python, c.Source).Server)
		}},
	{id: "port-string",
		match: regexp.MustCompile(`^TypeError: 'str' object cannot be interpreted as an integer`),
		says: func(_ []string, c Crash) string {
			if line := crashSource(c); strings.Contains(line, "bind(") || strings.Contains(line, "connect(") {
				return "the port is a number, 8000, not the text '8000': write (ip, 8000) without quotes around the port (or int(sys.argv[2]) for an argument)."
			}
			return "a number was needed where the program gave text (a str): int(...) makes a number of it."
		}},
	{id: "recv-no-size",
		match: regexp.MustCompile(`^TypeError: (socket\.)?recv\(\) takes at least 1 argument \(0 given\)`),
		says: func(_ []string, c Crash) string {
			return fmt.Sprintf("recv() needs to know how many bytes it may read at most: %s.recv(1000), as the lecture.", lang.NamesIn(lang.Python, c.Source).Conn)
		}},
	{id: "accept-pair",
		match: regexp.MustCompile(`^AttributeError: 'tuple' object has no attribute '(\w+)'`),
		says: func(m []string, c Crash) string {
			n := lang.NamesIn(lang.Python, c.Source)
			return fmt.Sprintf("accept() returns two things, the call's socket and the caller's address, and this takes the pair for the socket (a tuple has no %s()). "+
				"Take them apart as the lecture does: (%s, address) = %s.accept()", m[1], n.Conn, n.Server)
		}},
	{id: "addresses-list",
		match: regexp.MustCompile(`^TypeError: list indices must be integers or slices, not str`),
		says: func(_ []string, c Crash) string {
			if strings.Contains(crashSource(c), "ifaddresses") {
				return "ni.ifaddresses('eth0')[ni.AF_INET] is a list, because an interface may have several addresses: take the first with [0], then its address: ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']."
			}
			return "a list is indexed by a number ([0]), not by a name (['addr']): take an element of the list first."
		}},
	{id: "address-name",
		match: regexp.MustCompile(`gaierror: \[Errno -\d+\] (Name or service not known|Temporary failure in name resolution|No address associated with hostname|Address family for hostname not supported)`),
		says: func(_ []string, c Crash) string {
			if line := crashSource(c); strings.Contains(line, "bind(") {
				return "bind() was given a name it could not turn into an address (an interface's name such as 'eth0' is not an address, nor is a misspelt host): give it eth0's address, ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']."
			}
			return "the program was given a name it could not turn into an address: the lab has no names to look up, only addresses; use the address itself, sys.argv[1]."
		}},
	{id: "name-error",
		match: regexp.MustCompile(`^NameError: name '(\w+)' is not defined`),
		says: func(m []string, _ Crash) string {
			switch m[1] {
			case "ni", "netifaces":
				return m[1] + " is not defined: the file lacks the lecture's import netifaces as ni at its top."
			case "socket", "sys", "os", "time", "threading":
				return fmt.Sprintf("%s is not defined: the file lacks import %s at its top.", m[1], m[1])
			}
			return fmt.Sprintf("%s is not defined: a typo (Python minds the case of letters), a name used before the line that sets it, or a missing import.", m[1])
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
	p := program{lang: c.Lang, file: c.File, src: c.Source, role: c.Role}
	if p.lang == "" {
		p.lang = lang.Python
	}
	// An empty file runs and ends at once, or, in Java, has no class to
	// start: only then is a source with no code the cause (an unread
	// file's source is empty too).
	ranNothing := c.ExitCode == 0 && c.Signal == "" || strings.Contains(c.Stderr, "Could not find or load main class")
	if f, ok := emptyProgram(p); ok && ranNothing {
		return []Finding{f}
	}
	if c.Role == lang.Server && c.ExitCode == 0 && c.Signal == "" {
		// A server that ended well is asked why only when it never
		// listened: one that served its call ended as the lecture's does.
		return []Finding{endedWithoutListening(p)}
	}
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

// crashSource is the line of the student's file the traceback ends in.
func crashSource(c Crash) string {
	n := crashLine(c.Stderr, c.File)
	lines := strings.Split(c.Source, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// errName is the exception's name in a traceback's last line.
func errName(last string) string {
	name, _, _ := strings.Cut(last, ":")
	return name
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
