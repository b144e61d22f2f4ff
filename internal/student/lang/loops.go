package lang

import (
	"regexp"
	"strings"
)

// EchoLoop finds a server that echoes in a loop for as long as the caller
// stays on the line, as a tutorial's echo server does: it never hangs up
// first, where the lecture's reads once, echoes that and hangs up. False
// when the source shows none.
func EchoLoop(l Lang, src string) (Hint, bool) {
	lines := codeLines(l, src)
	n := 0
	switch l {
	case Python:
		n = pyReadLoop(lines)
	case C, CPP:
		n = lineOf(lines, cReadLoop)
	case Java:
		n = lineOf(lines, javaReadLoop)
	case Node:
		n = lineOfSame(lines, nodePipe)
	case Go:
		if n = lineOfSame(lines, goCopy); n == 0 {
			n = lineOf(lines, goScanLoop)
		}
	}
	if n == 0 {
		return Hint{}, false
	}
	ph := PhrasesIn(l, src)
	return Hint{ID: "echo-loop", Line: n, When: []string{"hangs-up", "echo-3000"},
		Says: "your server echoes in a loop for as long as the caller stays on the line, so it never hangs up first: after the echo the caller waits for the hang-up " +
			"(telnet's user forever), and the next caller waits in the queue. The lecture's server reads once, echoes that and hangs up: " +
			echoOnce(ph) + andClose(ph) + "."}, true
}

var (
	cReadLoop    = regexp.MustCompile(`\bwhile\s*\(\s*\(?\s*\w+\s*=\s*(?:::)?(recv|read)\s*\(`)
	javaReadLoop = regexp.MustCompile(`\bwhile\s*\(\s*\(\s*\w+\s*=\s*\w+\.(read|readLine)\s*\(`)
	nodePipe     = regexp.MustCompile(`(\w+)\.pipe\s*\(\s*(\w+)\s*\)`)
	goCopy       = regexp.MustCompile(`io\.Copy\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)`)
	goScanLoop   = regexp.MustCompile(`\bfor\s+\w+\.Scan\s*\(\s*\)`)
	pyWhile      = regexp.MustCompile(`^(\s*)(while|for)\b`)
)

// lineOfSame is the line where re's two groups name the same thing
// (socket.pipe(socket), io.Copy(conn, conn)): Go's regexp has no
// backreferences.
func lineOfSame(lines []string, re *regexp.Regexp) int {
	for i, l := range lines {
		for _, m := range re.FindAllStringSubmatch(l, -1) {
			if m[1] == m[2] {
				return i + 1
			}
		}
	}
	return 0
}

// pyReadLoop is the line of a Python loop whose body reads and sends but
// does not accept: an echo loop inside one call, not the accept loop.
func pyReadLoop(lines []string) int {
	for i, l := range lines {
		m := pyWhile.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		indent := len(m[1])
		var body []string
		for _, b := range lines[i+1:] {
			if strings.TrimSpace(b) == "" {
				continue
			}
			if len(b)-len(strings.TrimLeft(b, " \t")) <= indent {
				break
			}
			body = append(body, b)
		}
		text := strings.Join(body, "\n")
		if strings.Contains(text, ".recv(") && strings.Contains(text, ".send") && !strings.Contains(text, ".accept(") {
			return i + 1
		}
	}
	return 0
}

// goLineRead finds a Go server that reads a whole line (bufio), however
// long, where the lecture reads once, at most 1000 bytes.
var goLineRead = regexp.MustCompile(`\.ReadString\s*\(|\.ReadBytes\s*\(|\.ReadLine\s*\(|bufio\.NewScanner\s*\(`)

// goLineHint is the hint for a Go server that reads by lines.
func goLineHint(lines []string, ph Phrases) (Hint, bool) {
	n := lineOf(lines, goLineRead)
	if n == 0 {
		return Hint{}, false
	}
	return Hint{ID: "read-line", Line: n, When: echoChecks,
		Says: "this reads a whole line, however long (all 3000 bytes of a long one), and a Scanner hands the line out without its newline; the lecture reads once, " +
			"whatever came, at most 1000 bytes, and sends exactly that back: " + echoOnce(ph) + "."}, true
}

// andClose is ", then " the hang-up, when the read-once phrase does not
// say it already.
func andClose(ph Phrases) string {
	if strings.Contains(ph.ReadOnce, ph.Close) {
		return ""
	}
	return ", then " + ph.Close
}
