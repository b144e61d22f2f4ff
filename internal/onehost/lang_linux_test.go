package onehost

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/student/lang"
)

// cServer is the lecture's server in C, bound to the address and port it
// is given, as the tests' Python servers are.
const cServer = `#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
    listen(fd, 5);
    printf("uid %d\n", (int)getuid());
    for (;;) {
        int c = accept(fd, 0, 0);
        char buf[1000];
        send(c, "hello\n", 6, 0);
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n > 0) send(c, buf, n, 0);
        close(c);
    }
}
`

// langHereTest is newHereTest for a C file, built by the supervisor as the
// program's user before it runs.
func langHereTest(t *testing.T, src string) *hereTest {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc here")
	}
	h := newHereTest(t, "")
	require.NoError(t, os.Remove(filepath.Join(h.cfg.Dir, "server.py")))
	require.NoError(t, os.WriteFile(filepath.Join(h.cfg.Dir, "server.c"), []byte(src), 0o644))
	ip, port := h.addr[:len(h.addr)-len(strconv.Itoa(h.cfg.Port))-1], strconv.Itoa(h.cfg.Port)
	h.cfg.Find = func(dir string) (Program, error) {
		p, err := FindProgram(dir)
		p.Args = []string{ip, port}
		return p, err
	}
	return h
}

// A C server is found, built and graded on one host as in the lab: the
// compiler and the program run as the program's user, under its limits.
func TestGradeHereBuildsAndPassesACServer(t *testing.T) {
	h := langHereTest(t, cServer)
	res := h.grade()
	require.True(t, res.Verdict.Passed, res.VerdictText())
	require.Equal(t, "c", res.Verdict.Report.Lang)
	require.True(t, res.Verdict.Report.Build.OK())
	require.Contains(t, res.Output, "socketlab: building server.c (c, at most 1m0s): gcc")
	require.Equal(t, grade.Pass, check(res.Grade, "not-on").Status, "refused on 127.0.0.1")
	if os.Geteuid() == 0 {
		require.Contains(t, res.Output, "uid ")
		require.NotContains(t, res.Output, "uid 0\n", "never root")
	}
}

// A C file that does not compile gets its verdict, the compiler's first
// error at its line, on one host too.
func TestGradeHereSaysACServerDidNotCompile(t *testing.T) {
	h := langHereTest(t, "int main(void) {\n  return x\n}\n")
	res := h.grade()
	require.False(t, res.Verdict.Passed)
	require.True(t, res.Verdict.Report.BuildFailed())
	require.Contains(t, res.VerdictText(), "verdict: FAIL: your server.c did not compile.")
	require.Contains(t, res.VerdictText(), "line 2: your server.c did not compile: 'x' undeclared")
}

func TestFindProgramFindsOtherLanguages(t *testing.T) {
	for files, want := range map[string]Program{
		"hw/Server.java": {Lang: lang.Java, Dir: ".", File: "hw/Server.java", Note: "The grader built and ran hw/Server.java, in the folder hw of your submission."},
		"server.go":      {Lang: lang.Go, Dir: ".", File: "server.go"},
	} {
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(files)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, files), []byte("x"), 0o644))
		got, err := FindProgram(dir)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
}
