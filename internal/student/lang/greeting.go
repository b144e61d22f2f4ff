package lang

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// helloLine is the lecture's greeting, byte for byte.
const helloLine = "hello\n"

// Heard is what a caller heard on the lecture's call: the greeting (what
// came before it spoke), the reply to its line, and the line it sent.
type Heard struct {
	Greeting, Reply, Sent []byte
}

// GreetingFault says what is wrong with a server's greeting, in the
// lecture's terms and the program's language, at the line of src that
// sends it: false when the greeting was "hello\n" and came first, or when
// nothing came at all (a crash or a refusal says more than the greeting).
func GreetingFault(l Lang, src string, h Heard) (Explanation, bool) {
	g := h.Greeting
	ph := PhrasesIn(l, src)
	lines := codeLines(l, src)
	at := greetLine(lines)
	e := func(id, says string) (Explanation, bool) {
		return Explanation{ID: id, Line: at, Says: says}, true
	}
	if len(g) == 0 {
		switch {
		case bytes.HasPrefix(h.Reply, []byte(helloLine)):
			if n := lineOf(lines, readCall); n > 0 && (at == 0 || n < at) {
				at = n
			}
			return e("greet-late", "your server greets only after the caller has spoken: it reads (recv) before it sends hello. "+
				"The lecture's server greets first, right after accept(), the way someone who picks up the phone speaks first; "+
				"a caller that waits for hello before it speaks (telnet's user, your partner's client) waits forever. Send the greeting first: "+ph.Greeting+".")
		case len(h.Reply) > 0 && bytes.Equal(h.Reply, h.Sent):
			// No line sends it: the line is accept()'s, after which it belongs.
			if at == 0 {
				at = lineOf(lines, acceptLine)
			}
			return e("no-greeting", "your server never greets: it echoes the caller's line but sends no hello first. "+
				"Right after accept(), send the greeting: "+ph.Greeting+".")
		}
		return Explanation{}, false
	}
	if rest, ok := bytes.CutPrefix(g, []byte(helloLine)); ok {
		if len(rest) == 0 {
			rest = extraBeforeEcho(h)
		}
		if len(rest) == 0 {
			return Explanation{}, false
		}
		return e(extraAfterNewline(l, lines, at, rest, ph))
	}
	text := string(g)
	trimmed := strings.TrimRight(text, "\r\n")
	switch {
	case text == "hello":
		return e("no-newline", "your greeting has no newline at the end: it is \"hello\", 5 bytes, and the lecture's is \"hello\\n\", 6. "+
			"A caller reads the greeting up to its newline, so it keeps waiting for the end of the line, and telnet prints what its user types on the same line as hello. "+
			"Send hello and a newline: "+ph.Greeting+".")
	case strings.TrimRight(text, "\x00") == "hello":
		return e("nul-no-newline", fmt.Sprintf("your greeting is %q: a NUL byte (\\x00), the end of a C string, where the newline should be. ", text)+
			sizeofWords(l, lines, at)+"Send hello and a newline, 6 bytes: "+ph.Greeting+".")
	case text == "hello\r\n":
		return e("crlf", "your greeting ends with \"\\r\\n\", a Windows line ending: telnet shows it the same, but the \\r is one byte the lecture's greeting does not have. "+
			"End it with \\n alone: "+ph.Greeting+".")
	case isRepr(text):
		return e("bytes-repr", fmt.Sprintf("your greeting is the text %s: that is how Python prints bytes, not the bytes themselves. ", text)+
			"str(b\"hello\\n\") (or an f-string around bytes) turns them into their printed form, b'...' and all. Send the bytes as they are: "+ph.Greeting+".")
	case strings.Contains(text, `hello\n`):
		return e("backslash-n", fmt.Sprintf("your greeting is %q: it ends with the two characters \\ and n, not with a newline. ", text)+
			"Inside a raw string (r\"...\") or after a doubled backslash (\"\\\\n\") \\n is not a newline. Send a real newline: "+ph.Greeting+".")
	case bytes.HasPrefix(g, []byte{0, 6}) && bytes.HasSuffix(g, []byte("hello\n")):
		return e("write-utf", "your greeting starts with two extra bytes, \\x00\\x06: writeUTF() sends the length of the text before it, for a reader that uses readUTF(). "+
			"A caller that is not Java sees them as part of the greeting. Send the bytes alone: out.write(\"hello\\n\".getBytes()).")
	case utf16(g):
		return e("utf-16", "your greeting has a NUL byte (\\x00) next to every letter: it was sent as UTF-16, two bytes a character (Java's writeChars(), or encode('utf-16')). "+
			"Send it one byte a character: "+ph.Greeting+".")
	case strings.EqualFold(trimmed, "hello") && strings.HasSuffix(text, "\n"):
		return e("greeting-case", fmt.Sprintf("your greeting is %q: the letters must match exactly, in lower case, because a program compares bytes and %q is not %q. ", text, trimmed[:1], "h")+
			"Send hello in lower case: "+ph.Greeting+".")
	case strings.EqualFold(strings.TrimSpace(text), "hello") && strings.HasSuffix(text, "\n"):
		return e("greeting-space", fmt.Sprintf("your greeting is %q: it has a space or a tab the lecture's \"hello\\n\" does not have, and a program compares every byte. ", text)+
			"Send exactly hello and a newline: "+ph.Greeting+".")
	case !strings.Contains(text, "\n"):
		return e("no-newline", fmt.Sprintf("your greeting is %q, with no newline at the end. The lecture's is exactly hello and a newline, 6 bytes: "+
			"a caller reads the greeting up to its newline, so it keeps waiting for the end of the line. Send hello and a newline: "+ph.Greeting+".", text))
	}
	return e("greeting-words", fmt.Sprintf("your greeting is %q; the lecture's is exactly \"hello\\n\", 6 bytes, and a program calling your server (the check, or your partner's client) compares them byte for byte. "+
		"Say the rest, if you like, on the server's own screen with a print. Send exactly hello and a newline: "+ph.Greeting+".", text))
}

// acceptLine is where a server picks up a call, in any of the languages:
// accept() (Go's Accept()), or Node's connection handler.
var acceptLine = regexp.MustCompile(`\baccept4?\s*\(|\.Accept\s*\(|\bcreateServer\s*\(|\.on\s*\(\s*['"]connection['"]`)

// greetLine is the line that sends the greeting: a send or write of a
// "hello" literal; else one of the variable a "hello" literal is put in;
// else the first send or write of any literal; 0 when none shows.
func greetLine(lines []string) int {
	if n := lineOf(lines, helloSend); n > 0 {
		return n
	}
	if n := lineOf(lines, helloLiteral); n > 0 {
		if m := assigned.FindStringSubmatch(lines[n-1]); m != nil {
			if sent := lineOf(lines, regexp.MustCompile(`\b(send|sendall|write|Write|writeBytes|print\w*|Fprint\w*|end)\s*\(.*\b`+regexp.QuoteMeta(m[1])+`\b`)); sent > 0 {
				return sent
			}
		}
		return n
	}
	return lineOf(lines, literalSend)
}

// extraBeforeEcho is what came after a "hello\n" that arrived on its own
// and before the echo: the rest of a greeting sent in two pieces.
func extraBeforeEcho(h Heard) []byte {
	if len(h.Sent) == 0 || bytes.Equal(h.Reply, h.Sent) {
		return nil
	}
	if i := bytes.Index(h.Reply, h.Sent); i > 0 {
		return h.Reply[:i]
	}
	if extra, ok := bytes.CutPrefix(h.Reply, []byte(helloLine)); ok && (len(extra) == 0 || bytes.HasPrefix(h.Sent, extra) || bytes.HasPrefix(extra, h.Sent)) {
		return []byte(helloLine)
	}
	return nil
}

// extraAfterNewline explains bytes that came after the greeting's newline.
func extraAfterNewline(l Lang, lines []string, at int, rest []byte, ph Phrases) (string, string) {
	n := len(rest)
	switch {
	case len(bytes.Trim(rest, "\x00")) == 0:
		s := "your greeting has an extra byte after the newline: a NUL (\\x00), the end of a C string. "
		if n > 1 {
			s = fmt.Sprintf("your greeting has %d extra bytes after the newline, all NUL (\\x00). ", n)
		}
		s += sizeofWords(l, lines, at)
		s += "The caller takes that byte for the first of your echo. Send the 6 bytes of hello and its newline: " + ph.Greeting + "."
		if l == C || l == CPP {
			s = strings.TrimSuffix(s, ph.Greeting+".") + ph.Greeting + ", or strlen(\"hello\\n\") bytes, not sizeof."
		}
		return "greeting-nul", s
	case bytes.Equal(bytes.ReplaceAll(rest, []byte(helloLine), nil), nil):
		return "greeting-twice", fmt.Sprintf("your greeting came %d times (%q): send it once, right after accept(), and not again before the echo.", n/len(helloLine)+1, helloLine+string(rest))
	case string(rest) == "\n" || string(rest) == "\r\n":
		s := "your greeting ends with two newlines (\"hello\\n\\n\"): "
		if lineOf(lines, printlnCall) > 0 {
			s += "println (Fprintln, endl) adds a newline of its own after the \\n in your text. Print \"hello\" with println, or \"hello\\n\" with a call that adds nothing: "
		} else {
			s += "one newline is the greeting's end; the second is a blank line the caller takes for the start of your echo. Send hello and one newline: "
		}
		return "greeting-blank-line", s + ph.Greeting + "."
	}
	return "greeting-extra", fmt.Sprintf("your greeting has more after its newline: %q. The lecture's greeting is exactly \"hello\\n\", and the caller takes whatever follows it for the start of your echo. Send only hello and its newline: "+
		ph.Greeting+".", string(rest))
}

// sizeofWords says why a C program sent a NUL, when the greeting's line
// shows it: sizeof counts the NUL that ends a string literal, and of an
// array its whole size; strlen(...) + 1 counts the NUL too.
func sizeofWords(l Lang, lines []string, at int) string {
	if (l != C && l != CPP) || at == 0 {
		return ""
	}
	line := lines[at-1]
	switch {
	case sizeofLiteral.MatchString(line):
		return "sizeof(\"hello\\n\") is 7, not 6: it counts the NUL that ends every string literal. "
	case sizeofAny.MatchString(line):
		return "sizeof gives the size of the whole array, the NUL that ends the text included (and any room left after it), not the length of the text. "
	case strlenPlus.MatchString(line):
		return "strlen(...) + 1 counts the NUL that ends the string; the caller wants the text alone. "
	}
	return ""
}

var (
	helloSend     = regexp.MustCompile(`(?i)\b(send|sendall|write|print|end)\w*\s*\(.*["'` + "`" + `][^"'` + "`" + `]*hello|<<\s*"hello`)
	assigned      = regexp.MustCompile(`(\w+)\s*(\[[^\]]*\])?\s*=[^=]`)
	literalSend   = regexp.MustCompile(`\b(send|sendall|write|Write|writeBytes|end)\s*\(.*["'` + "`" + `]|\bFprint\w*\s*\(\s*\w+\s*,\s*["'` + "`" + `]`)
	helloLiteral  = regexp.MustCompile(`(?i)["'` + "`" + `][^"'` + "`" + `]*\bhello`)
	readCall      = regexp.MustCompile(`\b(recv|read|readLine|Read|recvfrom)\s*\(|\.(on|once)\s*\(\s*['"]data['"]`)
	printlnCall   = regexp.MustCompile(`\bprintln\s*\(|\bFprintln\s*\(|\bendl\b`)
	sizeofLiteral = regexp.MustCompile(`\bsizeof\s*\(?\s*"`)
	sizeofAny     = regexp.MustCompile(`\bsizeof\b`)
	strlenPlus    = regexp.MustCompile(`\b(strlen\s*\([^)]*\)|\.(size|length)\s*\(\s*\))\s*\+\s*1\b`)
)

// isRepr says text is Python's printed form of bytes: b'...' or b"...".
func isRepr(text string) bool {
	t := strings.TrimRight(text, "\r\n")
	return len(t) >= 3 && t[0] == 'b' && (t[1] == '\'' && t[len(t)-1] == '\'' || t[1] == '"' && t[len(t)-1] == '"')
}

// utf16 says b looks like UTF-16 text: a NUL beside each of its letters.
func utf16(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	nuls := bytes.Count(b, []byte{0})
	return nuls*2 >= len(b)-1 && bytes.Contains(bytes.ReplaceAll(b, []byte{0}, nil), []byte("hello"))
}

// codeLines are src's lines with its comments blanked, in language l.
func codeLines(l Lang, src string) []string {
	code := stripComments(l, src)
	if l == Python || l == "" {
		code = stripPyComments(code)
	}
	return strings.Split(code, "\n")
}

// LineIn is the 1-based line of src, a program in language l, where re
// first matches its code (comments left out), 0 when none.
func LineIn(l Lang, src string, re *regexp.Regexp) int {
	return lineOf(codeLines(l, src), re)
}

// EchoFault says what is wrong with an echo that followed a good greeting,
// when the difference is one a first-year makes on purpose (strip(), a
// println, str(data)); false otherwise, and the grader's line says where
// the echo differs.
func EchoFault(l Lang, src string, h Heard) (Explanation, bool) {
	r, sent := h.Reply, h.Sent
	if len(r) == 0 || len(sent) == 0 || bytes.Equal(r, sent) {
		return Explanation{}, false
	}
	ph := PhrasesIn(l, src)
	lines := codeLines(l, src)
	at := lineOf(lines, writeEcho)
	e := func(id, says string) (Explanation, bool) { return Explanation{ID: id, Line: at, Says: says}, true }
	body := bytes.TrimRight(sent, "\r\n")
	switch {
	case bytes.Equal(r, body) || bytes.Equal(bytes.TrimSpace(r), bytes.TrimSpace(sent)) && len(r) < len(sent):
		if n := lineOf(lines, stripCall); n > 0 {
			at = n
		}
		return e("echo-stripped", fmt.Sprintf("your echo is the caller's line without its line ending (%q for %q): strip() (or readLine(), or trim()) took it off. "+
			"An echo is the very bytes the caller sent, its newline too: %s.", r, sent, echoOnce(ph)))
	case bytes.HasPrefix(r, sent) && len(bytes.Trim(r[len(sent):], "\r\n")) == 0:
		return e("echo-extra-newline", fmt.Sprintf("your echo has a newline of its own after the caller's (%q for %q): println, print or a + \"\\n\" added it. "+
			"Send back exactly what you read: %s.", r, sent, echoOnce(ph)))
	case isRepr(string(r)):
		return e("echo-repr", fmt.Sprintf("your echo is the text %s: that is how Python prints bytes, not the bytes themselves; str(data) made it. "+
			"Send back the bytes recv() returned, as they are: %s.", strings.TrimRight(string(r), "\n"), echoOnce(ph)))
	case bytes.Equal(r, bytes.Repeat(sent, len(r)/len(sent))) && len(r) > len(sent):
		return e("echo-twice", fmt.Sprintf("your echo came %d times: send back what you read once.", len(r)/len(sent)))
	}
	return Explanation{}, false
}

// echoOnce is the lecture's read-once-and-echo in a language's words,
// without its capital.
func echoOnce(ph Phrases) string {
	return strings.ToLower(ph.ReadOnce[:1]) + ph.ReadOnce[1:]
}

var (
	writeEcho = regexp.MustCompile(`\b(send|sendall|write|Write)\s*\(\s*[^"'` + "`" + `\s]|\bend\s*\(\s*\w`)
	stripCall = regexp.MustCompile(`\.(strip|rstrip|trim|trimEnd|TrimSpace|readLine)\s*\(|strings\.Trim`)
)
