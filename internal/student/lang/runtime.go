package lang

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Ending is how a program of a compiled or JavaScript language ended: what
// the supervisor reports.
type Ending struct {
	Lang     Lang
	ExitCode int
	// Signal is the supervisor's name for the signal that ended it
	// ("segmentation fault", "killed"), "" when none did.
	Signal string
	Stdout string
	Stderr string
	// File and Source are the program's main file, relative to its folder.
	File, Source string
	Role         Role
	// Interfaces are the laptop's, "eth0 172.28.5.10".
	Interfaces []string
}

// Explanation is why a program ended: a rule's ID, the line of the
// student's file it points at (0 when none) and the words.
type Explanation struct {
	ID   string
	Line int
	Says string
}

// runtimeRule explains one kind of runtime error, found anywhere in what
// the program printed (Java's and Node's stack traces follow the error;
// perror's line may be anywhere). at is the source's line the error is
// about when the runtime names none (C's bind() for perror("bind")).
type runtimeRule struct {
	id    string
	langs []Lang // nil: all
	match *regexp.Regexp
	at    *regexp.Regexp
	says  func(m []string, e Ending) string
}

var (
	bindCall    = regexp.MustCompile(`\bbind\s*\(|ServerSocket\s*\(|\.listen\s*\(|net\.Listen`)
	connectCall = regexp.MustCompile(`\bconnect\s*\(|new\s+Socket\s*\(|createConnection\s*\(|\bconnect\s*\(|net\.Dial`)
)

var runtimeRules = []runtimeRule{
	{id: "address-in-use", match: regexp.MustCompile(`(?i)address already in use|EADDRINUSE`), at: bindCall,
		says: func(_ []string, e Ending) string {
			return "port 8000 is already taken on this laptop: by a server of yours still running (stop it first), or by a socket of the last run that the system keeps for a minute after it closes. Before bind(), " + PhrasesOf(e.Lang).ReuseAddr + "."
		}},
	{id: "address-not-here", match: regexp.MustCompile(`(?i)cannot assign requested address|EADDRNOTAVAIL`), at: bindCall,
		says: func(_ []string, e Ending) string {
			s := "the program bound an address that is not this laptop's: a server can only listen on its own addresses. Don't type one in (an address from the lecture, or your own computer's, is not this laptop's); ask the system: " + PhrasesOf(e.Lang).EthAddr
			if have := ifaceAddrs(e.Interfaces); have != "" {
				s += "; this laptop has " + have
			}
			return s + "."
		}},
	{id: "permission-port", match: regexp.MustCompile(`(?i)(bind|listen|BindException|EACCES).*permission denied|permission denied.*bind|EACCES`), at: bindCall,
		says: func(_ []string, _ Ending) string {
			return "the system refused: ports below 1024 are for the administrator (root), and your program runs as a plain user. Use the lecture's port, 8000."
		}},
	{id: "connection-refused", match: regexp.MustCompile(`(?i)connection refused|ECONNREFUSED`), at: connectCall,
		says: func(_ []string, e Ending) string {
			return "the call was refused: nothing listened at that address and port when your program called. Call the server's address and port, which the lab gives your client as its arguments (" + argsWords[e.Lang] + ")."
		}},
	{id: "accept-before-listen", langs: []Lang{C}, match: regexp.MustCompile(`(?i)accept.*(invalid argument|EINVAL)`), at: regexp.MustCompile(`\baccept4?\s*\(`),
		says: func(_ []string, e Ending) string {
			n := NamesIn(e.Lang, e.Source)
			return "accept() failed with Invalid argument (EINVAL) because the socket is not listening: listen() was never called on it. " +
				"A socket takes calls only once listen() has made it a listening socket. Call listen(" + n.Server + ", 5) after bind() and before accept(), as the lecture does."
		}},
	{id: "caller-reset", match: regexp.MustCompile(`(?i)connection reset by peer|ECONNRESET|\bEPIPE\b|broken pipe|SocketException: Connection reset`),
		says: func(_ []string, e Ending) string {
			if e.Role == Client {
				return "your client stopped because the server hung up abruptly: the phone line went dead (a reset, RST) while your client was still reading or sending. " +
					"Read the greeting before you send, and read the echo until the server hangs up: " + PhrasesOf(e.Lang).ReadEcho + "."
			}
			return "your server stopped because a caller hung up abruptly: the phone line went dead (a reset, RST) while your server was still reading or sending, and the error ended the whole program. " +
				"Callers do that, and the check's do it on purpose; a server that keeps answering must survive it: " + survive(e) + "."
		}},
	{id: "no-main-class", langs: []Lang{Java}, match: regexp.MustCompile(`Error: Could not find or load main class (\S+)`),
		says: func(m []string, _ Ending) string {
			return fmt.Sprintf("java found no class %s: the class must be named as its file (public class %s in %s.java), and its package line must match its folder.", m[1], lastDot(m[1]), lastDot(m[1]))
		}},
	{id: "no-main", langs: []Lang{Java}, match: regexp.MustCompile(`Error: Main method not found in class (\S+)`),
		says: func(m []string, _ Ending) string {
			return fmt.Sprintf("the class %s has no main for java to start: public static void main(String[] args).", m[1])
		}},
	{id: "out-of-memory", langs: []Lang{Java, Node}, match: regexp.MustCompile(`OutOfMemoryError|JavaScript heap out of memory`),
		says: func(_ []string, e Ending) string {
			return fmt.Sprintf("your program ran out of memory (the laptop gives %s %s): does it keep everything it receives, or start a thread per call without end?", e.Lang, LimitsOf(e.Lang).Memory)
		}},
	{id: "no-module", langs: []Lang{Node}, match: regexp.MustCompile(`Cannot find module '([^']+)'`),
		says: func(m []string, _ Ending) string {
			return fmt.Sprintf("your program requires %s, which is not on the lab's laptop: it has Node's own modules (net, os, ...) and nothing can be installed there.", m[1])
		}},
	{id: "esm-import", langs: []Lang{Node}, match: regexp.MustCompile(`Cannot use import statement outside a module`),
		says: func(_ []string, _ Ending) string {
			return "this file uses import, which Node runs only in an ES module: name it server.mjs, or write const net = require('net')."
		}},
	{id: "panic", langs: []Lang{Go}, match: regexp.MustCompile(`(?m)^panic: (.*)$`),
		says: func(m []string, _ Ending) string {
			return "your program panicked: " + m[1] + ". Most often an error that was not checked: if err != nil { log.Fatal(err) } after each call says which one failed."
		}},
	{id: "exception", langs: []Lang{Java}, match: regexp.MustCompile(`(?m)^Exception in thread "[^"]+" ([\w.$]+)(?::\s*(.*))?$`),
		says: func(m []string, _ Ending) string {
			s := "your program stopped with " + m[1]
			if m[2] != "" {
				s += ": " + m[2]
			}
			return s + "."
		}},
	{id: "crash", langs: []Lang{Node}, match: regexp.MustCompile(`(?m)^(\w*Error): (.*)$`),
		says: func(m []string, _ Ending) string {
			return "your program stopped with an error: " + m[1] + ": " + m[2] + "."
		}},
}

// survive says how a server in e's language lives through one caller's
// error: end that call, not the program.
func survive(e Ending) string {
	conn := NamesIn(e.Lang, e.Source).Conn
	switch e.Lang {
	case Java:
		return "catch the IOException around each call (try { ... } catch (IOException e) { ... }) and close that socket, " + conn + ".close()"
	case Node:
		return "give each call an error handler, " + conn + ".on('error', () => " + conn + ".destroy()), so that an error ends that call, not the server"
	case Go:
		return "when " + conn + ".Read or Write returns an error, " + conn + ".Close() and return from that call: log.Fatal and panic end the whole server"
	case C, CPP:
		return "when send() or recv() returns -1, close(" + conn + ") and go back to accept(); and ignore SIGPIPE, signal(SIGPIPE, SIG_IGN), or a send to a caller who has gone ends the program"
	}
	return "when a call's recv() or send() fails, close that call and accept() the next"
}

// argsWords is where each language finds the lab's arguments.
var argsWords = map[Lang]string{
	Python: "sys.argv[1] and sys.argv[2]", C: "argv[1] and argv[2]", CPP: "argv[1] and argv[2]",
	Java: "args[0] and args[1]", Node: "process.argv[2] and process.argv[3]", Go: "os.Args[1] and os.Args[2]",
}

var usage = regexp.MustCompile(`(?im)^\s*usage:?\s+(.*)$`)

// Explain says why a program of a compiled language or Node ended, from
// its signal, its exit status and what it printed; false when it ended well
// or nothing is known of why.
func Explain(e Ending) (Explanation, bool) {
	switch {
	case e.Signal == "killed":
		return Explanation{ID: "killed", Says: fmt.Sprintf("your program was killed, most likely for using more memory than the lab's laptop gives %s (%s): does it keep everything it receives, or start a thread per call without end?", e.Lang, LimitsOf(e.Lang).Memory)}, true
	case strings.Contains(e.Signal, "segmentation"):
		return Explanation{ID: "segfault", Says: "your program crashed with a segmentation fault: it used memory it does not own. Most often: argv[1] read when the lab passes no argument (a server gets none), a buffer overflow (strcpy, or a read of more than the buffer holds), or a pointer used before it was set."}, true
	case e.Signal == "broken pipe":
		conn := NamesIn(e.Lang, e.Source).Conn
		return Explanation{ID: "sigpipe", Says: "your program was ended by SIGPIPE (broken pipe): it sent to a caller who had already hung up, and the system's answer to that is to end a C program. " +
			"A caller may hang up at any time, and the check's do so on purpose. At the start of main, signal(SIGPIPE, SIG_IGN) (#include <signal.h>), or send with MSG_NOSIGNAL, send(" + conn + ", buf, n, MSG_NOSIGNAL): " +
			"then send() returns -1 instead, and you close(" + conn + ") and accept() the next call."}, true
	case e.Signal != "":
		return Explanation{ID: "signal", Says: "your program was ended by a signal (" + e.Signal + ")."}, true
	case e.ExitCode == 0:
		return Explanation{}, false
	}
	out := e.Stderr + "\n" + e.Stdout
	for _, r := range runtimeRules {
		if r.langs != nil && !containsLang(r.langs, e.Lang) && !(e.Lang == CPP && containsLang(r.langs, C)) {
			continue
		}
		if m := r.match.FindStringSubmatch(out); m != nil {
			line := traceLine(e.Lang, e.Stderr, e.File)
			if line == 0 && r.at != nil {
				line = lineOf(strings.Split(stripComments(e.Lang, e.Source), "\n"), r.at)
			}
			return Explanation{ID: r.id, Line: line, Says: r.says(m, e)}, true
		}
	}
	if m := usage.FindStringSubmatch(out); m != nil {
		s := "your program wants arguments (it printed: usage: " + strings.TrimSpace(m[1]) + "). The lab runs a server with none"
		if e.Role == Client {
			s = "your program wants other arguments (it printed: usage: " + strings.TrimSpace(m[1]) + "). The lab runs a client with the server's address and port as its arguments, " + argsWords[e.Lang]
		}
		return Explanation{ID: "usage", Says: s + ": take what the lecture's program needs from the lab itself (eth0's address, port 8000), or pass yours with STUDENT_ARGS=\"...\"."}, true
	}
	last := lastLine(e.Stderr)
	if last == "" {
		return Explanation{ID: "exit", Says: fmt.Sprintf("your program ended with exit status %d and printed nothing on stderr.", e.ExitCode)}, true
	}
	return Explanation{ID: "crash", Line: traceLine(e.Lang, e.Stderr, e.File), Says: "your program stopped with an error: " + last}, true
}

var (
	javaFrame = regexp.MustCompile(`at [\w.$<>]+\(([\w$]+\.java):(\d+)\)`)
	nodeFrame = regexp.MustCompile(`([^\s(]+\.[cm]?js):(\d+)(?::\d+)?`)
	goFrame   = regexp.MustCompile(`(?m)^\s+(\S+\.go):(\d+)`)
)

// traceLine is the line of the student's file that a stack trace names
// first (its innermost frame in the student's code), 0 when none.
func traceLine(l Lang, stderr, file string) int {
	var re *regexp.Regexp
	switch l {
	case Java:
		re = javaFrame
	case Node:
		re = nodeFrame
	case Go:
		re = goFrame
	default:
		return 0
	}
	base := path.Base(file)
	for _, m := range re.FindAllStringSubmatch(stderr, -1) {
		if file == "" || path.Base(m[1]) == base {
			n, _ := strconv.Atoi(m[2])
			return n
		}
	}
	return 0
}

func lastDot(s string) string { return s[strings.LastIndex(s, ".")+1:] }

// lastLine is the last non-blank line of s that is not the lab's own.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "socketlab:") {
			return l
		}
	}
	return ""
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
