package lang

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// needTool skips a test when the machine has no such compiler: the lab's
// laptop image has them all; a developer's machine may not.
func needTool(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s on this machine", tool)
		}
	}
}

// hello is each language's smallest program that prints "hello lab".
var hello = map[string]string{
	"server.c":    "#include <stdio.h>\nint main(void) { printf(\"hello lab\\n\"); return 0; }\n",
	"server.cpp":  "#include <iostream>\nint main() { std::cout << \"hello lab\" << std::endl; }\n",
	"Server.java": "public class Server { public static void main(String[] a) { System.out.println(\"hello lab\"); } }\n",
	"server.js":   "console.log('hello lab');\n",
	"server.go":   "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello lab\") }\n",
}

var tools = map[string][]string{
	"server.c": {"gcc"}, "server.cpp": {"g++"}, "Server.java": {"javac", "java"}, "server.js": {"node"}, "server.go": {"go"},
}

// buildAndRun builds the one program in files and runs it, as the
// supervisor does.
func buildAndRun(t *testing.T, files map[string]string, file string) (Ready, Result, string) {
	t.Helper()
	dir := folder(t, files)
	p, err := Detect(dir, Server, file)
	require.NoError(t, err)
	if p.Lang == Go {
		// The machine's own build cache: a fresh one compiles the standard
		// library (the laptop's Debian Go ships it compiled).
		p.Env = slices.DeleteFunc(p.Env, func(e string) bool { return strings.HasPrefix(e, "GOCACHE=") })
	}
	var log bytes.Buffer
	ready, r := Build(context.Background(), p, dir, t.TempDir(), &log)
	if !r.OK() {
		return ready, r, log.String()
	}
	cmd := exec.Command(ready.Run[0], ready.Run[1:]...)
	cmd.Dir = ready.Dir
	cmd.Env = append(cmd.Environ(), ready.Env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return ready, r, string(out)
}

func TestBuildBuildsAndRunsEachLanguage(t *testing.T) {
	for file, src := range hello {
		t.Run(file, func(t *testing.T) {
			needTool(t, tools[file]...)
			t.Parallel()
			_, r, out := buildAndRun(t, map[string]string{file: src}, "")
			require.True(t, r.OK(), "build: %+v", r)
			require.Equal(t, "hello lab\n", out)
		})
	}
}

func TestBuildWithAMakefile(t *testing.T) {
	needTool(t, "make", "gcc")
	files := map[string]string{
		"Makefile": "CC=gcc\nall: echo_server client\necho_server: server.c util.c\n\t$(CC) -o echo_server server.c util.c\nclient: client.c\n\t$(CC) -o client client.c\n",
		"server.c": "#include <stdio.h>\nint twice(int);\nint main(void) { printf(\"%d\\n\", twice(21)); return 0; }\n",
		"util.c":   "int twice(int x) { return 2 * x; }\n",
		"client.c": "int main(void) { return 0; }\n",
	}
	ready, r, out := buildAndRun(t, files, "")
	require.True(t, r.OK(), "build: %+v", r)
	require.Equal(t, "echo_server", filepath.Base(ready.Run[len(ready.Run)-1]), "the executable whose name has the role")
	require.Equal(t, "42\n", out)
}

func TestBuildReportsTheFirstCompilerError(t *testing.T) {
	tests := []struct {
		file, src string
		line      int
		message   string
	}{
		{"server.c", "#include <stdio.h>\nint main(void) {\n  int fd = socket(AF_INET, SOCK_STREAM, 0);\n  return fd;\n}\n", 3, "'AF_INET' undeclared"},
		{"server.cpp", "int main() {\n  std::cout << 1;\n}\n", 2, "'cout' is not a member of 'std'"},
		{"Server.java", "public class Server {\n  public static void main(String[] a) {\n    ServerSocket s = null;\n  }\n}\n", 3, "cannot find symbol"},
		{"server.go", "package main\n\nimport \"os\"\n\nfunc main() {}\n", 3, `"os" imported and not used`},
		{"server.js", "const net = require('net');\nnet.createServer((c) => {\n", 3, "SyntaxError: Unexpected end of input"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			needTool(t, tools[tt.file]...)
			t.Parallel()
			_, r, log := buildAndRun(t, map[string]string{tt.file: tt.src}, "")
			require.False(t, r.OK())
			require.NotZero(t, r.ExitCode)
			require.NotNil(t, r.Error, "no error found in:\n%s", r.Output)
			require.Equal(t, tt.line, r.Error.Line, "%+v", r.Error)
			require.True(t, strings.HasSuffix(r.Error.File, tt.file), r.Error.File)
			if tt.file == "server.go" && strings.Contains(r.Error.Message, "but not used") {
				tt.message = `"os" imported but not used` // Go before 1.20
			}
			require.Contains(t, r.Error.Message, tt.message)
			require.Contains(t, log, tt.message[:8], "the compiler's words reach the laptop's log")
		})
	}
}

func TestBuildStopsAtItsTimeLimit(t *testing.T) {
	needTool(t, "make", "sleep")
	dir := folder(t, map[string]string{"Makefile": "all:\n\tsleep 30\n", "server.c": "int main(void) { return 0; }\n"})
	p, err := Detect(dir, Server, "")
	require.NoError(t, err)
	p.Limits.Build = 300 * time.Millisecond
	start := time.Now()
	_, r := Build(context.Background(), p, dir, t.TempDir(), nil)
	require.Less(t, time.Since(start), 5*time.Second, "make's child, sleep, is killed too")
	require.True(t, r.TimedOut)
	require.False(t, r.OK())
}

func TestBuildSaysWhenMakeMadeNoProgram(t *testing.T) {
	needTool(t, "make")
	dir := folder(t, map[string]string{"Makefile": "all:\n\t@echo nothing to do\n", "server.c": "int main(void) { return 0; }\n"})
	p, err := Detect(dir, Server, "")
	require.NoError(t, err)
	_, r := Build(context.Background(), p, dir, t.TempDir(), nil)
	require.False(t, r.OK())
	require.Contains(t, r.Problem, "made no program")
}

// TestBuildRunsCLineBuffered: a C server's printf reaches the lab's log as
// it prints, not when 4 kB have gathered.
func TestBuildRunsCLineBuffered(t *testing.T) {
	needTool(t, "gcc", "stdbuf")
	dir := folder(t, map[string]string{"server.c": "#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf(\"listening\\n\"); pause(); }\n"})
	p, err := Detect(dir, Server, "")
	require.NoError(t, err)
	ready, r := Build(context.Background(), p, dir, t.TempDir(), nil)
	require.True(t, r.OK(), "%+v", r)
	cmd := exec.Command(ready.Run[0], ready.Run[1:]...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make([]byte, 10)
	done := make(chan error, 1)
	go func() { _, err := io.ReadFull(out, line); done <- err }()
	select {
	case err := <-done:
		require.NoError(t, err)
		require.Equal(t, "listening\n", string(line))
	case <-time.After(5 * time.Second):
		t.Fatal("the program's line did not come while it ran")
	}
}

func TestBuildLeavesPythonAlone(t *testing.T) {
	dir := folder(t, map[string]string{"server.py": "print('hi')\n"})
	p, err := Detect(dir, Server, "")
	require.NoError(t, err)
	ready, r := Build(context.Background(), p, dir, t.TempDir(), nil)
	require.True(t, r.OK())
	require.Zero(t, r.Took)
	require.Equal(t, dir, ready.Dir, "Python runs in the student's folder, as before")
	require.Equal(t, []string{"python3", "-u", "server.py"}, ready.Run)
}

// TestBuildLeavesTheLabsOwnGoModAlone: a server.go saved at the top of the
// lab's repository (`just my-server server.go`) has socketlab's go.mod
// beside it, whose go line is newer than the laptop's Go (Debian's); the
// file is the student's, and builds and runs all the same.
func TestBuildLeavesTheLabsOwnGoModAlone(t *testing.T) {
	needTool(t, "go")
	mod := "module github.com/socketlab/socketlab\n\ngo 1.99.0\n\nrequire github.com/stretchr/testify v1.12.1\n"
	_, r, out := buildAndRun(t, map[string]string{"go.mod": mod, "server.go": hello["server.go"], "internal/x/x.go": "package x\n"}, "server.go")
	require.True(t, r.OK(), "build: %+v", r)
	require.Equal(t, "hello lab\n", out)

	// A student's own module is the student's: built as a module.
	_, r, _ = buildAndRun(t, map[string]string{"go.mod": "module mine\n\ngo 1.99.0\n", "server.go": hello["server.go"]}, "server.go")
	require.False(t, r.OK(), "a go.mod of the student's own is used")
	require.Contains(t, r.Output, "1.99")
}
