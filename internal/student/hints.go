package student

import (
	"regexp"
	"slices"
	"strings"
)

// hintRule finds a known pitfall in the student's source, line by line.
type hintRule struct {
	id    string
	match *regexp.Regexp
	says  string
}

// hintRules are the lecture's pitfalls as they look in a file. They are
// said only when the program failed, after what made it fail: the
// lecture's script pasted as printed has three, and Python stops at the
// first, so the student learns of the other two before the next run.
var hintRules = []hintRule{
	{id: "python2-print", match: regexp.MustCompile(`^\s*print\s+[^\s(=]`),
		says: "`print x` is Python 2; in Python 3 it is print(x)."},
	{id: "str-send", match: regexp.MustCompile(`\.send(all)?\(\s*["']`),
		says: `this sends a str; Python 3 sockets send bytes: b"hello\n".`},
	{id: "en0", match: regexp.MustCompile(`["']en0["']`),
		says: "en0 is a Mac's Wi-Fi; the lab's laptops (and Linux) have eth0."},
	{id: "all-interfaces", match: regexp.MustCompile(`bind\(\s*\(\s*(["']0\.0\.0\.0["']|["']["'])`),
		says: "this binds every interface (0.0.0.0 or \"\"); the lecture binds one interface's address, from ni.ifaddresses('eth0')."},
	{id: "loopback", match: regexp.MustCompile(`bind\(\s*\(\s*["'](localhost|127\.0\.0\.1)["']`),
		says: "this binds localhost, the address by which a laptop calls itself: your partner's laptop cannot call it there. Bind eth0's address, from ni.ifaddresses('eth0')."},
	{id: "bytes-repr", match: regexp.MustCompile(`\.send(all)?\(\s*(str|repr)\(`),
		says: "str() of bytes is their printed form, b'...' and all: the caller gets the letters b, ' and \\n, not the bytes. Send the bytes themselves."},
	{id: "recv-no-size", match: regexp.MustCompile(`\.recv\(\s*\)`),
		says: "recv() needs the most it may read: recv(1000), as the lecture."},
}

// oneAccept finds a server that accepts once with no loop: the lecture's.
var (
	acceptCall = regexp.MustCompile(`\.accept\(\)`)
	loopStmt   = regexp.MustCompile(`(?m)^\s*(while|for)\b|serve_forever\(`)
)

// SourceHints lists the pitfalls found in src, each with its line.
func SourceHints(src string) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for i, line := range strings.Split(src, "\n") {
		code, _, _ := strings.Cut(line, "#") // a comment may name en0 (the lecture's does)
		for _, r := range hintRules {
			if !seen[r.id] && r.match.MatchString(code) {
				seen[r.id] = true
				out = append(out, Finding{ID: r.id, Line: i + 1, Says: r.says})
			}
		}
	}
	if loc := acceptCall.FindStringIndex(src); loc != nil && !loopStmt.MatchString(src) {
		line := strings.Count(src[:loc[0]], "\n") + 1
		out = append(out, Finding{ID: "one-call", Line: line, Says: oneCallFix})
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return a.Line - b.Line })
	return out
}

// oneCallFix is how to keep answering, said wherever a server serves one call.
const oneCallFix = "accept() is called once, so the server serves one call and ends, as the lecture's script does. To keep answering, put everything from accept() to close() in a loop: `while True:`."
