package student

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/socketlab/socketlab/internal/student/lang"
)

// program is what the explanations of a program that never got going
// need: its language, its file as the lab names it, its source and what
// it is.
type program struct {
	lang lang.Lang
	file string
	src  string
	role lang.Role
}

func (p program) name() string { return path.Base(p.file) }

// emptyProgram explains a file with no code in it: empty (an editor that
// did not save, a file made but never written), or only comments.
func emptyProgram(p program) (Finding, bool) {
	if p.file == "" || strings.TrimSpace(lang.Code(p.lang, p.src)) != "" {
		return Finding{}, false
	}
	what := "is empty"
	if strings.TrimSpace(p.src) != "" {
		what = "has only comments in it"
	}
	var why string
	switch p.lang {
	case lang.C, lang.CPP:
		why = "a " + strings.ToUpper(string(p.lang)) + " program starts at main(), and the linker found none (undefined reference to `main')"
	case lang.Java:
		why = "java looks in it for the class " + strings.TrimSuffix(p.name(), ".java") + " and its main(), and finds nothing"
	case lang.Go:
		why = "a Go file starts with package main, and a program with func main()"
	default:
		why = "there is nothing in it to run, so it ended at once"
		if p.role != lang.Client {
			why += ", without ever listening"
		}
	}
	write := "Write your server in it, as the lecture's script does: make a socket, bind() it to eth0's address and port 8000, listen(), accept() a call, send the greeting, recv() once and send back what came."
	if p.role == lang.Client {
		write = "Write your client in it: connect to the server's address and port, read the greeting, send a line, read the echo until the server hangs up."
	}
	return Finding{ID: "empty-file", Says: fmt.Sprintf("your %s %s: %s. Did your editor save it? %s", p.name(), what, why, write)}, true
}

var (
	pyDef         = regexp.MustCompile(`^def\s+(\w+)\s*\(`)
	pyNameMain    = regexp.MustCompile(`__name__\s*==\s*['"](\w*)['"]|['"](\w*)['"]\s*==\s*__name__`)
	sockCall      = regexp.MustCompile(`\bsocket\s*\(|\bServerSocket\b|createServer\s*\(|net\.Listen`)
	acceptCallAny = regexp.MustCompile(`\baccept4?\s*\(`)
	listenCall    = regexp.MustCompile(`\blisten\s*\(`)
)

// notListening says, from the source, why a server never listened: the
// listen() it lacks, the function nothing calls, the __main__ misspelt.
// False when the source shows no reason.
func notListening(p program) (Finding, bool) {
	code := lang.Code(p.lang, p.src)
	if strings.TrimSpace(code) == "" {
		return Finding{}, false // no source to read a reason in
	}
	lines := strings.Split(code, "\n")
	ph := lang.PhrasesIn(p.lang, p.src)
	names := lang.NamesIn(p.lang, p.src)
	at := func(re *regexp.Regexp) int { return lang.LineIn(p.lang, p.src, re) }
	if p.lang == lang.Python {
		for i, l := range lines {
			if m := pyNameMain.FindStringSubmatch(l); m != nil && m[1]+m[2] != "__main__" {
				return Finding{ID: "name-main", Line: i + 1, Says: fmt.Sprintf("if __name__ == %q: is never true: Python names the file it runs \"__main__\", "+
					"with two underscores on each side, so the code under it never ran and the program ended without listening. Write if __name__ == \"__main__\":", m[1]+m[2])}, true
			}
		}
		if f, ok := pyNeverCalled(lines); ok {
			return f, true
		}
	}
	switch p.lang {
	case lang.Python, lang.C, lang.CPP:
		if at(listenCall) > 0 {
			return Finding{}, false
		}
		if n := at(acceptCallAny); n > 0 {
			return Finding{ID: "no-listen", Line: n, Says: fmt.Sprintf("your server calls accept() but never listen(): a socket takes calls only once listen() has made it a listening socket, "+
				"so accept() fails (%s) and nobody can call. Call %s after bind() and before accept(), as the lecture does.", acceptFails(p.lang), listenWords(p.lang, names.Server))}, true
		}
		if at(sockCall) == 0 {
			return Finding{ID: "no-socket", Says: fmt.Sprintf("your %s makes no socket at all, so there was nothing to call. A server makes a socket, bind()s it to eth0's address and port 8000, "+
				"listen()s and accept()s a call, as the lecture's script does.", p.name())}, true
		}
		return Finding{ID: "no-listen", Line: at(bindLine), Says: fmt.Sprintf("your server never calls listen(), so its socket never takes a call. After bind(), call %s, then accept().", listenWords(p.lang, names.Server))}, true
	case lang.Node:
		if at(nodeListenCall) > 0 {
			return Finding{}, false
		}
		return Finding{ID: "no-listen", Line: at(regexp.MustCompile(`createServer\s*\(`)), Says: "net.createServer() makes a server, but only listen() starts it listening: " +
			"without it Node had nothing to wait for and ended at once. Call " + ph.BindOne + "."}, true
	}
	return Finding{}, false
}

var nodeListenCall = regexp.MustCompile(`\.listen\s*\(`)

// acceptFails is what accept() on a socket that is not listening does.
func acceptFails(l lang.Lang) string {
	if l == lang.Python {
		return "OSError: [Errno 22] Invalid argument"
	}
	return "it returns -1, and errno is EINVAL, Invalid argument"
}

// listenWords is listen() in the language, on the student's socket.
func listenWords(l lang.Lang, server string) string {
	if l == lang.Python {
		return server + ".listen(5)"
	}
	return "listen(" + server + ", 5)"
}

// pyNeverCalled finds a Python server whose socket code is all inside a
// function that nothing calls: Python defines it, and ends.
func pyNeverCalled(lines []string) (Finding, bool) {
	owner := ""
	defAt := map[string]int{}
	inDef := map[string]bool{}
	for i, l := range lines {
		if m := pyDef.FindStringSubmatch(l); m != nil {
			owner = m[1]
			defAt[owner] = i + 1
			continue
		}
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t") {
			owner = ""
		}
		if owner != "" && (acceptCallAny.MatchString(l) || listenCall.MatchString(l)) {
			inDef[owner] = true
		}
	}
	for f := range inDef {
		called := regexp.MustCompile(`\b` + f + `\b`)
		for i, l := range lines {
			if i+1 != defAt[f] && called.MatchString(l) {
				return Finding{}, false
			}
		}
		return Finding{ID: "never-called", Line: defAt[f], Says: fmt.Sprintf("your server is inside def %s():, and nothing calls %s(), so Python defined the function and ended, without ever listening. "+
			"Call it at the end of the file, not indented: %s()", f, f, f)}, true
	}
	return Finding{}, false
}

// endedWithoutListening explains a server that ended well (exit status 0)
// but never listened: an empty file, what its source shows, or else what
// a server must do.
func endedWithoutListening(p program) Finding {
	if f, ok := notListening(p); ok {
		return f
	}
	return Finding{ID: "never-listened", Says: fmt.Sprintf("your %s ended (exit status 0) before it ever listened, so nobody could call it: it never reached listen(), or returned right after. "+
		"A server makes a socket, bind()s it, listen()s, then waits in accept() for a call. Look at what it printed before it ended.", p.name())}
}

// programOf is the program a report is about.
func programOf(rep Report) program {
	role := lang.Server
	if strings.HasPrefix(strings.ToLower(path.Base(rep.File)), "client") {
		role = lang.Client
	}
	return program{lang: rep.language(), file: rep.File, src: rep.Source, role: role}
}

// stuckAccepting explains a server still running that never listened
// when its source shows why: accept() with no listen() (in C, accept()
// returns -1 at once, and a loop around it spins).
func stuckAccepting(p program) (Finding, bool) {
	f, ok := notListening(p)
	return f, ok && f.ID == "no-listen" && f.Line > 0 && lang.LineIn(p.lang, p.src, acceptCallAny) == f.Line
}
