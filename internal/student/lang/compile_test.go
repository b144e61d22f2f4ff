package lang

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFirstErrorReadsEachCompiler(t *testing.T) {
	tests := []struct {
		name    string
		lang    Lang
		out     string
		want    CompileError
		meaning string
	}{
		{"gcc undeclared", C, "server.c: In function 'main':\nserver.c:12:5: error: 'sockfd' undeclared (first use in this function)\n   12 |     sockfd = 1;\n      |     ^~~~~~\nserver.c:12:5: note: each undeclared identifier is reported only once\nserver.c:20:1: error: expected ';' before '}' token\n",
			CompileError{File: "server.c", Line: 12, Col: 5, Message: "'sockfd' undeclared (first use in this function)"}, "sockfd is used but was never declared"},
		{"gcc missing semicolon", C, "server.c:9:19: error: expected ';' before 'return'\n",
			CompileError{File: "server.c", Line: 9, Col: 19, Message: "expected ';' before 'return'"}, "the line before this one lacks its ;"},
		{"gcc missing header", C, "server.c:3:10: fatal error: netinet/ni.h: No such file or directory\ncompilation terminated.\n",
			CompileError{File: "server.c", Line: 3, Col: 10, Message: "netinet/ni.h: No such file or directory"}, "the header netinet/ni.h is not on the laptop"},
		{"g++ not declared", CPP, "server.cpp: In function 'int main()':\nserver.cpp:7:5: error: 'cout' was not declared in this scope; did you mean 'std::cout'?\n",
			CompileError{File: "server.cpp", Line: 7, Col: 5, Message: "'cout' was not declared in this scope; did you mean 'std::cout'?"}, "std:: missing"},
		{"ld undefined reference", C, "/usr/bin/ld: /tmp/ccA1b2.o: in function `main':\nserver.c:(.text+0x2a): undefined reference to `handle_call'\ncollect2: error: ld returned 1 exit status\n",
			CompileError{File: "server.c", Message: "undefined reference to `handle_call'"}, "the linker found no function handle_call"},
		{"ld no main", C, "/usr/bin/ld: /usr/lib/gcc/x86_64-linux-gnu/12/../../../x86_64-linux-gnu/Scrt1.o: in function `_start':\n(.text+0x17): undefined reference to `main'\ncollect2: error: ld returned 1 exit status\n",
			CompileError{Message: "undefined reference to `main'"}, "your program has no main() function"},
		{"go no main", Go, "# command-line-arguments\nruntime.main_main·f: function main is undeclared in the main package\n",
			CompileError{Message: "function main is undeclared in the main package"}, "your program has no func main()"},
		{"go empty file", Go, "server.go:1:1: expected 'package', found 'EOF'\n",
			CompileError{File: "server.go", Line: 1, Col: 1, Message: "expected 'package', found 'EOF'"}, "the file has no code"},
		{"make no rule", C, "make: *** No rule to make target 'Server.c', needed by 'server'.  Stop.\n",
			CompileError{File: "Makefile", Message: "No rule to make target 'Server.c', needed by 'server'"}, "the Makefile needs Server.c"},
		{"make spaces", C, "Makefile:2: *** missing separator.  Stop.\n",
			CompileError{File: "Makefile", Line: 2, Message: "missing separator"}, "must start with a tab"},
		{"javac cannot find symbol", Java, "Server.java:12: error: cannot find symbol\n        Socket s = ss.acept();\n                     ^\n  symbol:   method acept()\n  location: variable ss of type ServerSocket\n1 error\n",
			CompileError{File: "Server.java", Line: 12, Message: "cannot find symbol", Detail: "symbol: method acept(), location: variable ss of type ServerSocket"}, "a name that Java does not know"},
		{"javac unreported", Java, "Server.java:6: error: unreported exception IOException; must be caught or declared to be thrown\n        ServerSocket ss = new ServerSocket(8000);\n                          ^\n1 error\n",
			CompileError{File: "Server.java", Line: 6, Message: "unreported exception IOException; must be caught or declared to be thrown"}, "throws IOException"},
		{"javac file name", Java, "server.java:3: error: class Server is public, should be declared in a file named Server.java\npublic class Server {\n       ^\n",
			CompileError{File: "server.java", Line: 3, Message: "class Server is public, should be declared in a file named Server.java"}, "rename the file or the class"},
		{"go unused", Go, "# command-line-arguments\n./server.go:5:2: \"os\" imported but not used\n./server.go:9:2: x declared but not used\n",
			CompileError{File: "./server.go", Line: 5, Col: 2, Message: "\"os\" imported but not used"}, "remove \"os\" from the imports"},
		{"go undefined", Go, "# command-line-arguments\n./server.go:12:9: undefined: net.Listn\n",
			CompileError{File: "./server.go", Line: 12, Col: 9, Message: "undefined: net.Listn"}, "net.Listn is not declared"},
		{"go syntax", Go, "# command-line-arguments\n./server.go:8:1: syntax error: unexpected }, expected expression\n",
			CompileError{File: "./server.go", Line: 8, Col: 1, Message: "syntax error: unexpected }, expected expression"}, "Go could not read this line"},
		{"node syntax", Node, "/student/server.js:4\nconst s = net.createServer((c) => {\n                                   ^\n\nSyntaxError: Unexpected end of input\n    at internalCompileFunction (node:internal/vm:76:18)\n",
			CompileError{File: "/student/server.js", Line: 4, Message: "SyntaxError: Unexpected end of input"}, "the file ends before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FirstError(tt.lang, tt.out)
			require.True(t, ok)
			require.Equal(t, tt.want, got)
			require.Contains(t, Meaning(tt.lang, got), tt.meaning)
		})
	}
}

func TestFirstErrorFindsNoneInCleanOutput(t *testing.T) {
	for _, l := range []Lang{C, CPP, Java, Go, Node} {
		_, ok := FirstError(l, "server.c:3:1: warning: unused variable 'x'\nNote: Some input files use unchecked operations.\n")
		require.False(t, ok, l)
	}
}
