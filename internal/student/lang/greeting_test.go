package lang

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// The sources the greeting tests point into: the line that sends the
// greeting is line 3 in each.
const (
	pyGreet   = "import socket\n(clientsocket, address) = serversocket.accept()\nclientsocket.send(%s)\ndata = clientsocket.recv(1000)\nclientsocket.send(data)\n"
	cppSizeof = "int conn = accept(fd, nullptr, nullptr);\nconst std::string hello = \"hello\\n\";\nsend(conn, \"hello\\n\", sizeof(\"hello\\n\"), 0);\n"
	cArray    = "int c = accept(fd, 0, 0);\nchar msg[64] = \"hello\\n\";\nsend(c, msg, sizeof msg, 0);\n"
	cPlusOne  = "int c = accept(fd, 0, 0);\nconst char *msg = \"hello\\n\";\nwrite(c, msg, strlen(msg) + 1);\n"
	goPrintln = "conn, err := ln.Accept()\n// greet\nfmt.Fprintln(conn, \"hello\\n\")\n"
	javaUTF   = "Socket s = server.accept();\nDataOutputStream out = new DataOutputStream(s.getOutputStream());\nout.writeUTF(\"hello\\n\");\n"
	nodeLate  = "const server = net.createServer((sock) => {\n  sock.once('data', (d) => {\n    sock.write('hello\\n'); sock.end(d);\n  });\n});\n"
)

func TestGreetingFaultSaysWhatIsWrongWithTheGreeting(t *testing.T) {
	sent := []byte("hi back atcha\n")
	tests := []struct {
		name     string
		lang     Lang
		src      string
		greeting string
		reply    string
		id       string
		line     int
		says     []string
	}{
		{"a NUL from sizeof on a string literal", CPP, cppSizeof, "hello\n\x00", "hi back atcha\n", "greeting-nul", 3,
			[]string{"an extra byte after the newline: a NUL (\\x00), the end of a C string", `sizeof("hello\n") is 7, not 6`, `send(conn, "hello\n", 6, 0), or strlen("hello\n") bytes, not sizeof`}},
		{"the NUL arrives with the echo", CPP, cppSizeof, "hello\n", "\x00hi back atcha\n", "greeting-nul", 3,
			[]string{"a NUL (\\x00)", "The caller takes that byte for the first of your echo"}},
		{"sizeof a whole array", C, cArray, "hello\n" + string(make([]byte, 57)), "hi back atcha\n", "greeting-nul", 3,
			[]string{"57 extra bytes after the newline, all NUL", "sizeof gives the size of the whole array", "send(c, "}},
		{"strlen + 1", C, cPlusOne, "hello\n\x00", "hi back atcha\n", "greeting-nul", 3, []string{"strlen(...) + 1 counts the NUL"}},
		{"a NUL in Python", Python, sprintf(pyGreet, `b"hello\n\0"`), "hello\n\x00", "hi back atcha\n", "greeting-nul", 3, []string{`clientsocket.send(b"hello\n")`}},
		{"no newline", Python, sprintf(pyGreet, `b"hello"`), "hello", "", "no-newline", 3,
			[]string{`it is "hello", 5 bytes`, "telnet prints what its user types on the same line as hello", `clientsocket.send(b"hello\n")`}},
		{"a NUL for a newline", C, "int c = accept(fd, 0, 0);\n\nsend(c, \"hello\", sizeof \"hello\", 0);\n", "hello\x00", "", "nul-no-newline", 3,
			[]string{"a NUL byte (\\x00), the end of a C string, where the newline should be", `sizeof("hello\n") is 7`}},
		{"\\r\\n", Java, "Socket s = server.accept();\nOutputStream out = s.getOutputStream();\nout.write(\"hello\\r\\n\".getBytes());\n", "hello\r\n", "", "crlf", 3,
			[]string{"a Windows line ending", `out.write("hello\n".getBytes()); out.flush()`}},
		{"a capital", Go, "c, err := l.Accept()\n\nc.Write([]byte(\"Hello\\n\"))\n", "Hello\n", "", "greeting-case", 3,
			[]string{`"H" is not "h"`, `c.Write([]byte("hello\n"))`}},
		{"a space", Node, "const s = net.createServer((c) => {\n\n  c.write('hello \\n');\n", "hello \n", "", "greeting-space", 3,
			[]string{"a space or a tab", `c.write('hello\n')`}},
		{"sent twice", Python, sprintf(pyGreet, `b"hello\n"`), "hello\nhello\n", "hi back atcha\n", "greeting-twice", 3, []string{"came 2 times", "send it once"}},
		{"sent twice, apart", Python, sprintf(pyGreet, `b"hello\n"`), "hello\n", "hello\nhi back atcha\n", "greeting-twice", 3, []string{"came 2 times"}},
		{"two newlines from Fprintln", Go, goPrintln, "hello\n\n", "hi back atcha\n", "greeting-blank-line", 3,
			[]string{"two newlines", "println (Fprintln, endl) adds a newline of its own", `conn.Write([]byte("hello\n"))`}},
		{"str of bytes", Python, sprintf(pyGreet, `str(b"hello\n").encode()`), `b'hello\n'`, "", "bytes-repr", 3,
			[]string{"the text b'hello\\n'", "how Python prints bytes", `str(b"hello\n")`}},
		{"a raw string", Python, sprintf(pyGreet, `rb"hello\n"`), `hello\n`, "", "backslash-n", 3, []string{`the two characters \ and n`}},
		{"writeUTF", Java, javaUTF, "\x00\x06hello\n", "hi back atcha\n", "write-utf", 3, []string{"writeUTF() sends the length of the text before it"}},
		{"UTF-16", Java, "Socket s = server.accept();\n\nout.writeChars(\"hello\\n\");\n", "\x00h\x00e\x00l\x00l\x00o\x00\n", "", "utf-16", 3, []string{"UTF-16, two bytes a character"}},
		{"other words", Python, sprintf(pyGreet, `b"Welcome to my server!\n"`), "Welcome to my server!\n", "hi back atcha\n", "greeting-words", 3,
			[]string{`your greeting is "Welcome to my server!\n"`, "byte for byte"}},
		{"more after the newline", Python, sprintf(pyGreet, `b"hello\nhow are you?\n"`), "hello\nhow are you?\n", "hi back atcha\n", "greeting-extra", 3,
			[]string{`more after its newline: "how are you?\n"`}},
		{"greets only after the caller spoke", Node, nodeLate, "", "hello\nhi back atcha\n", "greet-late", 2,
			[]string{"greets only after the caller has spoken", "Send the greeting first: sock.write('hello\\n')"}},
		{"never greets", Python, "s.listen(5)\n(c, a) = s.accept()\nc.send(c.recv(1000))\n", "", "hi back atcha\n", "no-greeting", 2,
			[]string{"never greets", `c.send(b"hello\n")`}},
		{"never greets, in C", C, "listen(s, 5);\nint c = accept(s, NULL, NULL);\nn = recv(c, buf, 1000, 0);\nsend(c, buf, n, 0);\n", "", "hi back atcha\n", "no-greeting", 2,
			[]string{"never greets"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := GreetingFault(tt.lang, tt.src, Heard{Greeting: []byte(tt.greeting), Reply: []byte(tt.reply), Sent: sent})
			require.True(t, ok)
			require.Equal(t, tt.id, e.ID, e.Says)
			require.Equal(t, tt.line, e.Line, e.Says)
			for _, s := range tt.says {
				require.Contains(t, e.Says, s)
			}
		})
	}
}

func TestGreetingFaultSaysNothingOfAGoodGreetingOrNone(t *testing.T) {
	sent := []byte("hi back atcha\n")
	for _, h := range []Heard{
		{Greeting: []byte("hello\n"), Reply: sent, Sent: sent},
		{Greeting: []byte("hello\n"), Reply: nil, Sent: sent},                 // no echo: the echo's fault
		{Greeting: []byte("hello\n"), Reply: []byte("HI BACK\n"), Sent: sent}, // a wrong echo, not the greeting's
		{Greeting: nil, Reply: nil, Sent: sent},                               // nothing at all: a crash says more
	} {
		_, ok := GreetingFault(Python, "", h)
		require.False(t, ok, "%q", h)
	}
}

func TestEchoFaultSaysWhatAFirstYearDidToTheEcho(t *testing.T) {
	sent := []byte("hi back atcha\n")
	tests := []struct {
		name  string
		lang  Lang
		src   string
		reply string
		id    string
		line  int
		says  string
	}{
		{"strip()", Python, "(c, a) = s.accept()\nc.send(b\"hello\\n\")\ndata = c.recv(1000).strip()\nc.send(data)\n", "hi back atcha", "echo-stripped", 3,
			`data = c.recv(1000), and send that back: c.send(data)`},
		{"readLine", Java, "Socket s = server.accept();\nString line = in.readLine();\nout.print(line);\n", "hi back atcha", "echo-stripped", 2, "readLine()"},
		{"println", Java, "Socket s = server.accept();\nint n = in.read(buf);\nout.println(new String(buf, 0, n));\n", "hi back atcha\n\n", "echo-extra-newline", 0, "a newline of its own"},
		{"str(data)", Python, "(c, a) = s.accept()\ndata = c.recv(1000)\nc.send(str(data).encode())\n", `b'hi back atcha\n'`, "echo-repr", 3, "str(data) made it"},
		{"twice", Go, "conn, _ := ln.Accept()\nn, _ := conn.Read(buf)\nconn.Write(buf[:n])\nconn.Write(buf[:n])\n", "hi back atcha\nhi back atcha\n", "echo-twice", 3, "came 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := EchoFault(tt.lang, tt.src, Heard{Greeting: []byte("hello\n"), Reply: []byte(tt.reply), Sent: sent})
			require.True(t, ok)
			require.Equal(t, tt.id, e.ID, e.Says)
			require.Equal(t, tt.line, e.Line, e.Says)
			require.Contains(t, e.Says, tt.says)
		})
	}
	_, ok := EchoFault(Python, "", Heard{Greeting: []byte("hello\n"), Reply: []byte("HI BACK ATCHA\n"), Sent: sent})
	require.False(t, ok, "an echo changed otherwise is the grader's to show")
}

func sprintf(format, arg string) string { return fmt.Sprintf(format, arg) }
