package lang

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// CompileError is a compiler's first error: where, and what it said.
type CompileError struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Message string `json:"message"`
	// Detail is what the compiler added on the lines after (javac's
	// "symbol: variable x"), when it helps.
	Detail string `json:"detail,omitempty"`
}

func (e CompileError) String() string {
	s := e.Message
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", path.Base(e.File), e.Line, s)
	}
	return s
}

var (
	// gcc and g++: "server.c:12:5: error: 'x' undeclared (first use in this function)"
	gccError = regexp.MustCompile(`^(.+?):(\d+):(?:(\d+):)? (?:fatal )?error: (.*)$`)
	// ld, through gcc: "server.c:(.text+0x2a): undefined reference to `foo'"
	// or, for a program with no main, "(.text+0x17): undefined reference to `main'"
	ldError = regexp.MustCompile("^(?:(.+?):)?(?:\\(\\.text[^)]*\\): )?(undefined reference to [`'‘]([^'’]+)['’].*)$")
	// javac: "Server.java:12: error: cannot find symbol"
	javacError = regexp.MustCompile(`^(.+\.java):(\d+): error: (.*)$`)
	javacMore  = regexp.MustCompile(`^\s+(symbol|location|required|found):\s+(.*)$`)
	// go: "./server.go:12:5: undefined: x"
	goError = regexp.MustCompile(`^(.+\.go):(\d+):(?:(\d+):)? (.*)$`)
	// go, for a package main with no func main: "runtime.main_main·f: function main is undeclared in the main package"
	goNoMain = regexp.MustCompile(`function main is undeclared in the main package`)
	// node --check: "/student/server.js:3" then, lines later, "SyntaxError: ..."
	nodeWhere = regexp.MustCompile(`^(.+\.[cm]?js):(\d+)$`)
	nodeError = regexp.MustCompile(`^(\w*Error): (.*)$`)
	makeError = regexp.MustCompile(`^make(?:\[\d+\])?: \*\*\* (.*?)\.?\s*(Stop\.)?$`)
	// make on a Makefile's own line: "Makefile:2: *** missing separator.  Stop."
	makeLine = regexp.MustCompile(`^(\S*(?:[Mm]akefile|\.mk)):(\d+): \*\*\* (.*?)\.?\s*(Stop\.)?$`)
)

// FirstError finds the first error in a build's output, for the language
// built. False when the output names none (a build killed for its time).
func FirstError(l Lang, out string) (CompileError, bool) {
	// gcc quotes with ‘’ in a UTF-8 locale, ' in C's.
	out = strings.NewReplacer("‘", "'", "’", "'").Replace(out)
	lines := strings.Split(out, "\n")
	switch l {
	case C, CPP:
		for _, line := range lines {
			if m := gccError.FindStringSubmatch(line); m != nil {
				return CompileError{File: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Message: m[4]}, true
			}
		}
		for _, line := range lines {
			if m := ldError.FindStringSubmatch(strings.TrimPrefix(line, "/usr/bin/ld: ")); m != nil {
				return CompileError{File: m[1], Message: m[2]}, true
			}
		}
		for _, line := range lines {
			if m := makeLine.FindStringSubmatch(line); m != nil {
				return CompileError{File: m[1], Line: atoi(m[2]), Message: m[3]}, true
			}
			if m := makeError.FindStringSubmatch(line); m != nil {
				return CompileError{File: "Makefile", Message: m[1]}, true
			}
		}
	case Java:
		for i, line := range lines {
			if m := javacError.FindStringSubmatch(line); m != nil {
				e := CompileError{File: m[1], Line: atoi(m[2]), Message: m[3]}
				var more []string
				for _, next := range lines[i+1 : min(i+6, len(lines))] {
					if mm := javacMore.FindStringSubmatch(next); mm != nil {
						more = append(more, mm[1]+": "+strings.TrimSpace(mm[2]))
					}
				}
				e.Detail = strings.Join(more, ", ")
				return e, true
			}
		}
	case Go:
		for _, line := range lines {
			if m := goError.FindStringSubmatch(line); m != nil {
				return CompileError{File: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Message: m[4]}, true
			}
		}
		for _, line := range lines {
			if m := goNoMain.FindStringSubmatch(line); m != nil {
				return CompileError{Message: m[0]}, true
			}
		}
	case Node:
		for i, line := range lines {
			if m := nodeWhere.FindStringSubmatch(line); m != nil {
				e := CompileError{File: m[1], Line: atoi(m[2])}
				for _, next := range lines[i+1:] {
					if mm := nodeError.FindStringSubmatch(strings.TrimSpace(next)); mm != nil {
						e.Message = mm[1] + ": " + mm[2]
						return e, true
					}
				}
			}
		}
	}
	return CompileError{}, false
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// meaning explains one kind of compiler message in plain words.
type meaning struct {
	langs []Lang
	match *regexp.Regexp
	says  func(m []string) string
}

// socketHeaders is what a C socket program includes.
const socketHeaders = "<sys/socket.h>, <netinet/in.h>, <arpa/inet.h> and <unistd.h>"

var meanings = []meaning{
	{[]Lang{C, CPP}, regexp.MustCompile(`['‘]([^'’]+)['’] undeclared`), func(m []string) string {
		return fmt.Sprintf("%s is used but was never declared: a typo, a variable declared inside another block, or a missing #include (a socket program needs %s).", m[1], socketHeaders)
	}},
	{[]Lang{C, CPP}, regexp.MustCompile(`['‘]([^'’]+)['’] was not declared in this scope`), func(m []string) string {
		return fmt.Sprintf("%s is used but was never declared here: a typo, a missing #include (%s), or std:: missing before a name of the standard library.", m[1], socketHeaders)
	}},
	{[]Lang{C, CPP}, regexp.MustCompile(`implicit declaration of function ['‘]([^'’]+)['’]`), func(m []string) string {
		return fmt.Sprintf("%s is called but no header declares it: #include the header its manual page names (man %s).", m[1], m[1])
	}},
	{[]Lang{C, CPP}, regexp.MustCompile(`^([^:]+): No such file or directory`), func(m []string) string {
		return fmt.Sprintf("the header %s is not on the laptop: a misspelt name, or a header of another system (the lab is Linux; winsock2.h is Windows').", m[1])
	}},
	{[]Lang{C, CPP}, regexp.MustCompile(`expected ['‘]([^'’]+)['’] before`), func(m []string) string {
		return fmt.Sprintf("the compiler expected %s here: most often the line before this one lacks its ; or a ( { [ is not closed.", m[1])
	}},
	{[]Lang{C, CPP}, regexp.MustCompile(`undefined reference to [\x60'‘]main['’]`), func(m []string) string {
		return "your program has no main() function: a C program starts at main(), int main(void) { ... }, and the linker found none (a misspelt name, or a file that was not saved)."
	}},
	{[]Lang{C, CPP}, regexp.MustCompile(`undefined reference to [\x60'‘]([^'’]+)['’]`), func(m []string) string {
		return fmt.Sprintf("the linker found no function %s: a misspelt name, or one defined in another file of yours, which the lab does not compile unless a Makefile lists it.", m[1])
	}},
	{[]Lang{C, CPP}, regexp.MustCompile(`(too few|too many) arguments to function`), func(m []string) string {
		return m[1] + " arguments in a call: compare it with the function's declaration (its manual page for a socket call)."
	}},
	{[]Lang{C, CPP}, regexp.MustCompile(`No rule to make target ['‘]([^'’]+)['’]`), func(m []string) string {
		return fmt.Sprintf("the Makefile needs %s, which is not in your folder: a file name that differs in case or spelling.", m[1])
	}},
	{[]Lang{C, CPP}, regexp.MustCompile(`missing separator`), func(m []string) string {
		return "a Makefile's commands must start with a tab, not spaces."
	}},
	{[]Lang{Java}, regexp.MustCompile(`^cannot find symbol`), func(m []string) string {
		return "a name that Java does not know: a typo, a variable declared in another block, or a missing import (sockets are java.net.*, streams java.io.*)."
	}},
	{[]Lang{Java}, regexp.MustCompile(`^class (\w+) is public, should be declared in a file named (\S+)`), func(m []string) string {
		return fmt.Sprintf("Java wants the public class %s in a file named %s: rename the file or the class so that they agree.", m[1], m[2])
	}},
	{[]Lang{Java}, regexp.MustCompile(`^unreported exception ([\w.]+); must be caught or declared to be thrown`), func(m []string) string {
		return fmt.Sprintf("socket calls can fail with %s, and Java insists you say what then: declare main with `throws IOException`, or put the calls in try { ... } catch (IOException e) { ... }.", m[1])
	}},
	{[]Lang{Java}, regexp.MustCompile(`^'(.)' expected`), func(m []string) string {
		return fmt.Sprintf("Java expected %s here: most often the line before lacks its ; or a bracket is not closed.", m[1])
	}},
	{[]Lang{Java}, regexp.MustCompile(`^incompatible types`), func(m []string) string {
		return "a value of one type where another is needed: a socket reads and writes bytes (byte[]); a String becomes bytes with getBytes()."
	}},
	{[]Lang{Go}, regexp.MustCompile(`function main is undeclared`), func(m []string) string {
		return "your program has no func main(): a Go program starts at func main() { ... } in package main."
	}},
	{[]Lang{Go}, regexp.MustCompile(`^expected 'package', found 'EOF'`), func(m []string) string {
		return "the file has no code: a Go file starts with package main, and a program has a func main() { ... }."
	}},
	{[]Lang{Go}, regexp.MustCompile(`^undefined: (\S+)`), func(m []string) string {
		return fmt.Sprintf("%s is not declared: a typo, a missing import, or a name used outside the block that declares it.", m[1])
	}},
	{[]Lang{Go}, regexp.MustCompile(`^(\S+) declared (and|but) not used`), func(m []string) string {
		return fmt.Sprintf("Go refuses a variable that is never used: use %s, or write _ in its place.", m[1])
	}},
	{[]Lang{Go}, regexp.MustCompile(`^"(\S+)" imported (and|but) not used`), func(m []string) string {
		return fmt.Sprintf("Go refuses an import that is never used: remove %q from the imports.", m[1])
	}},
	{[]Lang{Go}, regexp.MustCompile(`^syntax error: (.*)`), func(m []string) string {
		return "Go could not read this line (" + m[1] + "): look at it and the one before it for a missing brace, parenthesis or comma."
	}},
	{[]Lang{Go}, regexp.MustCompile(`assignment mismatch: (\d+) variables? but (.*) returns? (\d+) values?`), func(m []string) string {
		return fmt.Sprintf("%s returns %s values: take them all, as in ln, err := net.Listen(...).", m[2], m[3])
	}},
	{[]Lang{Node}, regexp.MustCompile(`^SyntaxError: Unexpected end of input`), func(m []string) string {
		return "the file ends before a { ( or [ is closed: count the brackets of the last function."
	}},
	{[]Lang{Node}, regexp.MustCompile(`^SyntaxError: (.*)`), func(m []string) string {
		return "Node could not read your file (" + m[1] + "), so none of it ran: look at that line and the one before it."
	}},
}

// Meaning says in plain words what a compiler's error means, "" when
// the lab has no words for it.
func Meaning(l Lang, e CompileError) string {
	for _, mn := range meanings {
		if !containsLang(mn.langs, l) {
			continue
		}
		if m := mn.match.FindStringSubmatch(e.Message); m != nil {
			return mn.says(m)
		}
	}
	return ""
}

func containsLang(ls []Lang, l Lang) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}
