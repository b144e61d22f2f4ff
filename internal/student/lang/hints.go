package lang

import (
	"regexp"
	"slices"
	"strings"
)

// Hint is a typical socket mistake found in a program's source: its line,
// and what it does in the lecture's terms with the fix.
type Hint struct {
	ID   string
	Line int
	Says string
	// When are the grader's checks (grade.Result IDs) whose failure this
	// mistake explains; empty: any failure.
	When []string
}

// Echo checks, for hints about what a server reads and sends back.
var echoChecks = []string{"echo", "echo-crlf", "echo-1000", "echo-3000"}

// Hints lists the mistakes found in src, a program in language l, each at
// the line that shows it, in line order. Python's are internal/student's
// (the lecture's own pitfalls); this is every other language's.
func Hints(l Lang, src string) []Hint {
	code := stripComments(l, src)
	lines := strings.Split(code, "\n")
	var hs []Hint
	switch l {
	case C, CPP:
		hs = cHints(lines, code)
	case Java:
		hs = javaHints(lines, code)
	case Node:
		hs = nodeHints(lines, code)
	case Go:
		hs = goHints(lines, code)
	default:
		return nil
	}
	if h, ok := EchoLoop(l, src); ok {
		hs = append(hs, h)
	}
	if n := lineOf(lines, en0); n > 0 {
		hs = append(hs, Hint{ID: "en0", Line: n, Says: "en0 is a Mac's Wi-Fi; the lab's laptops (and Linux) have eth0."})
	}
	slices.SortStableFunc(hs, func(a, b Hint) int { return a.Line - b.Line })
	return hs
}

var en0 = regexp.MustCompile(`["']en0["']`)

// lineOf is the 1-based line of the first match of re, 0 when none.
func lineOf(lines []string, re *regexp.Regexp) int {
	for i, l := range lines {
		if re.MatchString(l) {
			return i + 1
		}
	}
	return 0
}

// oneCall is a server that accepts once and has no loop at all.
func oneCall(lines []string, code string, accept, loop *regexp.Regexp, l Lang) []Hint {
	n := lineOf(lines, accept)
	if n == 0 || loop.MatchString(code) {
		return nil
	}
	return []Hint{{ID: "one-call", Line: n, Says: "accept() is called once, so the server serves one call and ends, as the lecture's script does. To keep answering, put everything from accept() to close() in a loop: " + PhrasesOf(l).Loop + "."}}
}

var (
	cSinPort     = regexp.MustCompile(`\.sin6?_port\s*=\s*([^;]+);`)
	cAny         = regexp.MustCompile(`\bINADDR_ANY\b|\bin6addr_any\b|getaddrinfo\s*\(\s*(NULL|nullptr|0)\s*,|"0\.0\.0\.0"`)
	cBareBind    = regexp.MustCompile(`^\s*(::)?bind\s*\(`)
	cSizeofSend  = regexp.MustCompile(`\b(send|write)\s*\(\s*[^,]+,\s*\(?\s*(?:(?:const\s+)?(?:char|void)\s*\*\s*\)\s*)?&?(\w+)\s*,\s*sizeof\b`)
	cRecvInto    = regexp.MustCompile(`\b(recv|read)\s*\(\s*[^,]+,\s*\(?\s*(?:char\s*\*\s*\)\s*)?&?(\w+)`)
	cAccept      = regexp.MustCompile(`(\w+)\s*=\s*(::)?accept4?\s*\(`)
	cAcceptCall  = regexp.MustCompile(`\baccept4?\s*\(`)
	cLoop        = regexp.MustCompile(`\bwhile\s*\(|\bfor\s*\(`)
	cReuse       = regexp.MustCompile(`SO_REUSE(ADDR|PORT)`)
	javaLoop     = regexp.MustCompile(`\bwhile\s*\(|\bfor\s*\(`)
	goLoop       = regexp.MustCompile(`\bfor\b`)
	nodeListen   = regexp.MustCompile(`\.listen\s*\(`)
	javaAnyBind  = regexp.MustCompile(`new\s+ServerSocket\s*\(\s*[^,()]+(\s*,\s*[^,()]+)?\s*\)|new\s+InetSocketAddress\s*\(\s*[^,()]+\s*\)`)
	javaWriter   = regexp.MustCompile(`new\s+(PrintWriter|BufferedWriter|BufferedOutputStream)\s*\(`)
	javaAutoFl   = regexp.MustCompile(`new\s+PrintWriter\s*\(.*,\s*true\s*\)`)
	javaPrint    = regexp.MustCompile(`\b(\w+)\.(print|write)\s*\(`)
	javaBuf      = regexp.MustCompile(`(\w+)\s*=\s*new\s+byte\s*\[\s*(\d+)\s*\]`)
	javaReadLine = regexp.MustCompile(`\.readLine\s*\(\s*\)`)
	javaAccept   = regexp.MustCompile(`(\w+)\s*=\s*\w+\.accept\s*\(\s*\)`)
	javaAcceptC  = regexp.MustCompile(`\.accept\s*\(\s*\)`)
	nodeData     = regexp.MustCompile(`\.on\s*\(\s*['"]data['"]`)
	nodeDestroy  = regexp.MustCompile(`\.destroy\s*\(\s*\)`)
	nodeOnce     = regexp.MustCompile(`\.once\s*\(\s*['"]data['"]`)
	nodeSlice    = regexp.MustCompile(`\.(subarray|slice)\s*\(\s*0\s*,`)
	nodeEnd      = regexp.MustCompile(`\.end\s*\(`)
	goAnyListen  = regexp.MustCompile(`net\.Listen(TCP)?\s*\(\s*"tcp[46]?"\s*,\s*("(0\.0\.0\.0|\[::\])?:|fmt\.Sprintf\(\s*":%)|net\.Listen\s*\(\s*"tcp[46]?"\s*,\s*":"\s*\+`)
	goAccept     = regexp.MustCompile(`(\w+)\s*,\s*\w+\s*:?=\s*\w+\.Accept\s*\(\s*\)`)
	goAcceptC    = regexp.MustCompile(`\.Accept\s*\(\s*\)`)
	goBuf        = regexp.MustCompile(`(\w+)\s*:?=\s*make\(\s*\[\]byte\s*,`)
	goFunc       = regexp.MustCompile(`^func\b|\bfunc\s*\(`)
)

func cHints(lines []string, code string) []Hint {
	var hs []Hint
	ph := PhrasesOf(C)
	for i, l := range lines {
		if m := cSinPort.FindStringSubmatch(l); m != nil && !strings.Contains(m[1], "hton") {
			hs = append(hs, Hint{ID: "no-htons", Line: i + 1, Says: "sin_port is set without htons(): the kernel reads it in network byte order, so 8000 (0x1F40) is taken backwards, as port 16415 (0x401F), and a caller, calling 8000, is refused. Write addr.sin_port = htons(8000)."})
			break
		}
	}
	if n := lineOf(lines, cAny); n > 0 {
		hs = append(hs, Hint{ID: "all-interfaces", Line: n, Says: "this binds every interface (INADDR_ANY, or getaddrinfo(NULL, ...) with AI_PASSIVE); the lecture binds one interface's address: " + ph.BindOne + "."})
	}
	if n := lineOf(lines, cBareBind); n > 0 {
		s := "bind()'s result is not checked: when port 8000 is taken (Address already in use: your last run's socket stays a minute), bind fails, and listen() then listens on a random port of every interface. Check it: if (bind(...) < 0) { perror(\"bind\"); exit(1); }"
		if !cReuse.MatchString(code) {
			s += ", and before bind(), " + ph.ReuseAddr
		}
		hs = append(hs, Hint{ID: "unchecked-bind", Line: n, Says: s + "."})
	}
	if n := sizeofEcho(lines, code); n > 0 {
		hs = append(hs, Hint{ID: "sizeof-send", Line: n, When: echoChecks, Says: "this sends sizeof(buf), the whole buffer, not the n bytes recv() returned: the caller's line comes back followed by the buffer's leftovers (zeros, or an older line). Send n: send(conn, buf, n, 0)."})
	}
	if h, ok := noNUL(lines, code); ok {
		hs = append(hs, h)
	}
	if m := cAccept.FindStringSubmatch(code); m != nil {
		conn := regexp.QuoteMeta(m[1])
		if !regexp.MustCompile(`\b(close|closesocket|shutdown)\s*\(\s*` + conn + `\b`).MatchString(code) {
			hs = append(hs, Hint{ID: "never-closed", Line: lineOf(lines, cAccept), When: []string{"hangs-up", "still-there", "silent-caller"},
				Says: "the call's socket, " + m[1] + ", is never closed: the caller never hears the hang-up after the echo (telnet waits forever), and each call keeps a file descriptor open until accept() fails with Too many open files. close(" + m[1] + ") after the echo."})
		}
	}
	return append(hs, oneCall(lines, code, cAcceptCall, cLoop, C)...)
}

// sizeofEcho is the line that sends sizeof a buffer recv() fills (the
// echo), 0 when none: sizeof of the greeting's own array is a NUL after
// the greeting, which the call shows and GreetingFault explains.
func sizeofEcho(lines []string, code string) int {
	read := ""
	if m := cRecvInto.FindStringSubmatch(code); m != nil {
		read = m[2]
	}
	for i, l := range lines {
		if m := cSizeofSend.FindStringSubmatch(l); m != nil && (read == "" || m[2] == read) {
			return i + 1
		}
	}
	return 0
}

// noNUL finds a buffer filled by recv() and printed as a string, with
// nothing that ends what was read with a NUL byte.
func noNUL(lines []string, code string) (Hint, bool) {
	m := cRecvInto.FindStringSubmatch(code)
	if m == nil {
		return Hint{}, false
	}
	buf := regexp.QuoteMeta(m[2])
	printed := regexp.MustCompile(`\b(printf|fprintf)\s*\([^;]*%s[^;]*,\s*` + buf + `\s*\)|\b(puts|fputs)\s*\(\s*` + buf + `\b|<<\s*` + buf + `\b|\bstrlen\s*\(\s*` + buf + `\s*\)`)
	ended := regexp.MustCompile(buf + `\s*\[[^\]]+\]\s*=\s*('\\0'|0|'\\x00')|\b(memset|bzero)\s*\(\s*&?` + buf + `\b|` + buf + `\s*\[[^\]]*\]\s*=\s*\{|%\.\*s`)
	n := lineOf(lines, printed)
	if n == 0 || ended.MatchString(code) {
		return Hint{}, false
	}
	return Hint{ID: "no-nul", Line: n, Says: m[2] + " is used as a string, but recv() does not end what it read with a NUL byte: printf (or strlen) runs past it into whatever the buffer held before, garbage or an older line. After n = recv(...), set " + m[2] + "[n] = '\\0' (and read at most sizeof " + m[2] + " - 1)."}, true
}

func javaHints(lines []string, code string) []Hint {
	var hs []Hint
	ph := PhrasesOf(Java)
	if n := lineOf(lines, javaAnyBind); n > 0 {
		hs = append(hs, Hint{ID: "all-interfaces", Line: n, Says: "new ServerSocket(8000) binds every interface; the lecture binds one interface's address: " + ph.BindOne + "."})
	}
	if m := javaBuf.FindStringSubmatch(code); m != nil {
		if n := lineOf(lines, regexp.MustCompile(`\.write\s*\(\s*`+regexp.QuoteMeta(m[1])+`\s*\)`)); n > 0 {
			hs = append(hs, Hint{ID: "sizeof-send", Line: n, When: echoChecks,
				Says: "this writes the whole buffer, all " + m[2] + " bytes of it, not the n bytes read() returned: the caller's line comes back followed by zeros. " +
					"Write those n bytes: out.write(" + m[1] + ", 0, n)."})
		}
	}
	if n := lineOf(lines, javaWriter); n > 0 && !strings.Contains(code, ".flush()") {
		usesPrint := false
		for _, m := range javaPrint.FindAllStringSubmatch(code, -1) {
			if m[1] != "out" || !strings.Contains(code, "System.out."+m[2]) {
				usesPrint = usesPrint || m[2] == "print" || m[2] == "write"
			}
		}
		if !javaAutoFl.MatchString(code) || usesPrint {
			hs = append(hs, Hint{ID: "no-flush", Line: n, When: []string{"greeting", "greeting-first", "echo", "answers"},
				Says: "this writer keeps what you write until it is flushed: the greeting waits in it, and the caller, who waits for hello before it speaks, hears nothing (closing the socket throws it away; only out.close() would send it). Call out.flush() after each write, or make it new PrintWriter(s.getOutputStream(), true) and use println (autoflush flushes println, not print)."})
		}
	}
	if n := lineOf(lines, javaReadLine); n > 0 {
		hs = append(hs, Hint{ID: "readline", Line: n, When: append([]string{"silent-caller"}, echoChecks...),
			Says: "readLine() waits for a newline and returns the line without it: a caller who sends no newline, or 3000 bytes in one line, waits with no echo, and what you send back lacks the caller's own line ending (telnet's \"\\r\\n\"). The lecture reads once, whatever came: " + ph.ReadOnce + "."})
	}
	if m := javaAccept.FindStringSubmatch(code); m != nil && !strings.Contains(code, ".close()") &&
		!regexp.MustCompile(`try\s*\([^)]*\baccept\s*\(`).MatchString(code) {
		hs = append(hs, Hint{ID: "never-closed", Line: lineOf(lines, javaAccept), When: []string{"hangs-up", "still-there", "silent-caller"},
			Says: "the call's socket, " + m[1] + ", is never closed: the caller never hears the hang-up after the echo, and each call keeps a file descriptor open until accept() fails with Too many open files. " + m[1] + ".close() after the echo, or try (Socket " + m[1] + " = server.accept()) { ... }."})
	}
	return append(hs, oneCall(lines, code, javaAcceptC, javaLoop, Java)...)
}

// nodeListenHost says whether a listen(...) call on line i (and the
// lines after, for a call split over lines) names a host.
func nodeListenHost(lines []string, i int) bool {
	call := strings.Join(lines[i:min(i+4, len(lines))], " ")
	call = call[nodeListen.FindStringIndex(call)[1]:]
	args := splitArgs(call)
	if len(args) == 0 {
		return false
	}
	first := strings.TrimSpace(args[0])
	if strings.HasPrefix(first, "{") {
		return strings.Contains(first, "host")
	}
	if len(args) < 2 {
		return false
	}
	second := strings.TrimSpace(args[1])
	if h := strings.Trim(second, `'"`+"`"); h == "0.0.0.0" || h == "::" {
		return false // named, but every interface all the same
	}
	return !(strings.HasPrefix(second, "function") || strings.HasPrefix(second, "(") || strings.HasPrefix(second, "async") ||
		regexp.MustCompile(`^\w+\s*=>`).MatchString(second))
}

// splitArgs splits a call's arguments at its top-level commas, up to its
// closing parenthesis.
func splitArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"' || r == '`':
			quote = r
		case r == '(' || r == '{' || r == '[':
			depth++
		case r == ')' || r == '}' || r == ']':
			if depth == 0 {
				if strings.TrimSpace(s[start:i]) != "" {
					out = append(out, s[start:i])
				}
				return out
			}
			depth--
		case r == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// destroyLine is the line that destroys a call in its course, 0 when
// none: a destroy() that ends a call gone quiet (setTimeout) or broken
// ('error') is how a server lets go of it, not a mistake.
func destroyLine(lines []string) int {
	for i, l := range lines {
		if nodeDestroy.MatchString(l) && !nodeGiveUp.MatchString(l) {
			return i + 1
		}
	}
	return 0
}

var nodeGiveUp = regexp.MustCompile(`setTimeout|['"](timeout|error)['"]`)

func nodeHints(lines []string, code string) []Hint {
	var hs []Hint
	ph := PhrasesOf(Node)
	for i, l := range lines {
		if nodeListen.MatchString(l) && !nodeListenHost(lines, i) {
			hs = append(hs, Hint{ID: "all-interfaces", Line: i + 1, Says: "listen(8000) with no host listens on every interface, IPv6's :: and with it IPv4's 0.0.0.0; the lecture binds one interface's address: " + ph.BindOne + "."})
			break
		}
	}
	if n := lineOf(lines, nodeData); n > 0 {
		hs = append(hs, Hint{ID: "data-events", Line: n, When: append([]string{"hangs-up"}, echoChecks...),
			Says: "a 'data' event is not one message: TCP is a stream, so one event may bring part of what the caller sent (3000 bytes come in pieces) or two of its lines at once, and a write() per event echoes each piece. The lecture reads once: echo the first 'data' (socket.once('data', ...)), then socket.end()."})
	}
	if n := lineOf(lines, nodeOnce); n > 0 && !nodeSlice.MatchString(code) {
		hs = append(hs, Hint{ID: "read-limit", Line: n, When: []string{"echo-3000"},
			Says: "one 'data' event may bring more than the lecture's 1000 bytes (Node reads up to 64 KB at once), and all of it is echoed: echo data.subarray(0, 1000), as recv(1000) would."})
	}
	if n := destroyLine(lines); n > 0 {
		hs = append(hs, Hint{ID: "destroy", Line: n, When: append([]string{"hangs-up"}, echoChecks...),
			Says: "destroy() throws away what write() has not sent yet and resets the call: the echo may never reach the caller, who sees a reset instead of a hang-up. end() sends what is left, then hangs up (FIN): socket.end()."})
	} else if strings.Contains(code, "createServer") && !nodeEnd.MatchString(code) && lineOfSame(lines, nodePipe) == 0 {
		hs = append(hs, Hint{ID: "never-closed", Line: lineOf(lines, regexp.MustCompile(`createServer`)), When: []string{"hangs-up", "still-there", "silent-caller"},
			Says: "the call is never ended: the caller waits for the hang-up after the echo (telnet forever), and each call stays open. socket.end() after socket.write(data)."})
	}
	return hs
}

func goHints(lines []string, code string) []Hint {
	var hs []Hint
	ph := PhrasesOf(Go)
	if n := lineOf(lines, goAnyListen); n > 0 {
		hs = append(hs, Hint{ID: "all-interfaces", Line: n, Says: "\":8000\" (no address before the colon) listens on every interface; the lecture binds one interface's address: " + ph.BindOne + "."})
	}
	if m := goAccept.FindStringSubmatch(code); m != nil {
		conn := regexp.QuoteMeta(m[1])
		at := lineOf(lines, goAccept)
		deferred := regexp.MustCompile(`^\s*defer\s+` + conn + `\.Close\(\)`)
		switch d := lineOf(lines, deferred); {
		case !regexp.MustCompile(`\b` + conn + `\.Close\(\)`).MatchString(code):
			hs = append(hs, Hint{ID: "never-closed", Line: at, When: []string{"hangs-up", "still-there", "silent-caller"},
				Says: "the call, " + m[1] + ", is never closed: the caller never hears the hang-up after the echo, and each call keeps a file descriptor open. " + m[1] + ".Close() after the echo."})
		case d > at && goLoop.MatchString(strings.Join(lines[:at], "\n")) && !goFunc.MatchString(strings.Join(lines[at:d-1], "\n")):
			hs = append(hs, Hint{ID: "defer-in-loop", Line: d, When: []string{"hangs-up", "still-there", "silent-caller"},
				Says: "defer in the accept loop runs only when the function returns, so no call is closed while the server runs: the caller waits for the hang-up, and descriptors pile up. Close it at the end of each call, or serve each call in a function of its own (go handle(" + m[1] + "), with the defer there)."})
		}
	}
	if m := goBuf.FindStringSubmatch(code); m != nil {
		whole := regexp.MustCompile(`\.Write\(\s*` + regexp.QuoteMeta(m[1]) + `\s*\)`)
		if n := lineOf(lines, whole); n > 0 {
			hs = append(hs, Hint{ID: "sizeof-send", Line: n, When: echoChecks,
				Says: "this writes the whole buffer, not the n bytes Read returned: the caller's line comes back followed by zeros. Write " + m[1] + "[:n]."})
		}
	}
	if h, ok := goLineHint(lines, PhrasesIn(Go, code)); ok {
		hs = append(hs, h)
	}
	return append(hs, oneCall(lines, code, goAcceptC, goLoop, Go)...)
}

// stripComments blanks a C-family source's comments (// and /* */), keeping
// its lines where they were and its strings as they are.
func stripComments(l Lang, src string) string {
	if l == Python {
		return src
	}
	b := []byte(src)
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote || c == '\n' && quote != '`' {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`' && (l == Node || l == Go):
			quote = c
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			for ; i < len(b) && !(b[i] == '*' && i+1 < len(b) && b[i+1] == '/'); i++ {
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
			if i+1 < len(b) {
				b[i], b[i+1] = ' ', ' '
				i++
			}
		}
	}
	return string(b)
}
