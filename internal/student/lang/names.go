package lang

import (
	"regexp"
	"strings"
)

// Names are what a student called the two sockets of a server: the
// listening one (the lecture's serversocket) and the one accept() returns
// for the call (the lecture's clientsocket). The explanations name them as
// the student wrote them, so that "clientsocket.settimeout()" points at a
// line of the student's own file.
type Names struct {
	Server, Conn string
}

// defaultNames are the names each language's phrases use when the source
// shows none: the lecture's for Python, the usual ones for the others.
var defaultNames = map[Lang]Names{
	Python: {Server: "serversocket", Conn: "clientsocket"},
	C:      {Server: "fd", Conn: "conn"},
	CPP:    {Server: "fd", Conn: "conn"},
	Java:   {Server: "server", Conn: "s"},
	Node:   {Server: "server", Conn: "socket"},
	Go:     {Server: "ln", Conn: "conn"},
}

var (
	// (clientsocket, address) = serversocket.accept(), conn, addr = s.accept()
	pyAccept = regexp.MustCompile(`\(?\s*(\w+)\s*,\s*\w+\s*\)?\s*=\s*(\w+(?:\.\w+)?)\.accept\(\s*\)`)
	// conn = s.accept()[0]
	pyAcceptIndex = regexp.MustCompile(`(\w+)\s*=\s*(\w+(?:\.\w+)?)\.accept\(\s*\)\s*\[\s*0\s*\]`)
	pyAcceptOne   = regexp.MustCompile(`(\w+)\s*=\s*(\w+(?:\.\w+)?)\.accept\(\s*\)`)
	pySocket      = regexp.MustCompile(`(\w+(?:\.\w+)?)\s*=\s*(?:socket\.)?socket\(`)
	// int conn = accept(fd, ...), conn = ::accept(fd, ...)
	cAcceptNames = regexp.MustCompile(`(\w+)\s*=\s*(?:::)?accept4?\s*\(\s*(\w+)`)
	cSocket      = regexp.MustCompile(`(\w+)\s*=\s*(?:::)?socket\s*\(`)
	// Socket s = server.accept()
	javaAcceptNames = regexp.MustCompile(`(\w+)\s*=\s*(\w+)\.accept\s*\(\s*\)`)
	javaServer      = regexp.MustCompile(`(\w+)\s*=\s*new\s+ServerSocket\s*\(`)
	// net.createServer((socket) => ...), net.createServer(function (c) {...})
	nodeConn   = regexp.MustCompile(`createServer\s*\(\s*(?:async\s+)?(?:function\s*\w*\s*)?\(?\s*(\w+)\s*[,)=]`)
	nodeServer = regexp.MustCompile(`(\w+)\s*=\s*(?:net\.)?createServer\s*\(`)
	// conn, err := ln.Accept()
	goAcceptNames = regexp.MustCompile(`(\w+)\s*,\s*\w+\s*:?=\s*(\w+)\.Accept\s*\(\s*\)`)
	goListener    = regexp.MustCompile(`(\w+)\s*,\s*\w+\s*:?=\s*net\.Listen(?:TCP)?\s*\(`)
)

// NamesIn finds the names of a server's two sockets in src, a program in
// language l; a name the source does not show is the language's usual one.
func NamesIn(l Lang, src string) Names {
	n, ok := defaultNames[l]
	if !ok {
		n = defaultNames[Python]
	}
	code := stripComments(l, src)
	if l == Python {
		code = stripPyComments(code)
	}
	set := func(p *string, m []string, i int) {
		if m != nil && m[i] != "" && m[i] != "_" {
			*p = m[i]
		}
	}
	switch l {
	case Python, "":
		set(&n.Server, pySocket.FindStringSubmatch(code), 1)
		if m := pyAccept.FindStringSubmatch(code); m != nil {
			set(&n.Conn, m, 1)
			set(&n.Server, m, 2)
		} else if m := pyAcceptIndex.FindStringSubmatch(code); m != nil {
			set(&n.Conn, m, 1)
			set(&n.Server, m, 2)
		} else if m := pyAcceptOne.FindStringSubmatch(code); m != nil {
			// conn = s.accept(): the pair under the name the student
			// meant for the socket.
			set(&n.Conn, m, 1)
			set(&n.Server, m, 2)
		}
	case C, CPP:
		set(&n.Server, cSocket.FindStringSubmatch(code), 1)
		if m := cAcceptNames.FindStringSubmatch(code); m != nil {
			set(&n.Conn, m, 1)
			set(&n.Server, m, 2)
		}
	case Java:
		set(&n.Server, javaServer.FindStringSubmatch(code), 1)
		if m := javaAcceptNames.FindStringSubmatch(code); m != nil {
			set(&n.Conn, m, 1)
			set(&n.Server, m, 2)
		}
	case Node:
		set(&n.Server, nodeServer.FindStringSubmatch(code), 1)
		set(&n.Conn, nodeConn.FindStringSubmatch(code), 1)
	case Go:
		set(&n.Server, goListener.FindStringSubmatch(code), 1)
		if m := goAcceptNames.FindStringSubmatch(code); m != nil {
			set(&n.Conn, m, 1)
			set(&n.Server, m, 2)
		}
	}
	return n
}

// fill puts the names into a phrase's {conn} and {server}.
func (n Names) fill(s string) string {
	return strings.NewReplacer("{conn}", n.Conn, "{server}", n.Server).Replace(s)
}

// Code is src, a program in language l, with its comments blanked and its
// lines where they were: what runs.
func Code(l Lang, src string) string { return strings.Join(codeLines(l, src), "\n") }

// stripPyComments blanks Python's # comments, keeping strings as they are
// (a comment may name the lecture's sockets; the code is what counts).
func stripPyComments(src string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		var quote byte
		for j := 0; j < len(l); j++ {
			c := l[j]
			switch {
			case quote != 0:
				if c == '\\' {
					j++
				} else if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '#':
				lines[i] = l[:j]
				j = len(l)
			}
		}
	}
	return strings.Join(lines, "\n")
}
