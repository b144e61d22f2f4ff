package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStudentFileAtTheTopReachesTheLaptop: a student who saves server.py at
// the top of the repository and types `just my-server server.py` sends this
// folder as laptop-a's build context, which the repository's .dockerignore
// filters. The engine's own build (BuildKit) says what passes: the lab's
// sources and the student's file, nothing else. No container runs.
func TestStudentFileAtTheTopReachesTheLaptop(t *testing.T) {
	requireDocker(t)
	ignore := readRepoFile(t, ".dockerignore")
	ctxDir := t.TempDir()
	for name, text := range map[string]string{
		".dockerignore":  ignore,
		"go.mod":         "module example\n",
		"internal/x.go":  "package x\n",
		"server/main.go": "package main\n",
		"client/main.go": "package main\n",
		"server.py":      "print('hello')\n",
		"Server.java":    "class Server {}\n",
		"server.go":      "package main\n",
		"client.go":      "package main\n",
		"README.md":      "not for the laptop\n",
		"notes.txt":      "not for the laptop\n",
		"deploy/x.sh":    "not for the laptop\n",
		"mine/server.py": "a folder of its own: sent as its own context, not this one\n",
	} {
		p := filepath.Join(ctxDir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	out := t.TempDir()
	build := exec.CommandContext(t.Context(), "docker", "buildx", "build", "-q", "--output", "type=local,dest="+out, "-f", "-", ctxDir)
	build.Stdin = strings.NewReader("FROM scratch\nCOPY . /\n")
	b, err := build.CombinedOutput()
	require.NoError(t, err, "docker buildx build: %s", b)

	var got []string
	require.NoError(t, filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	}))
	require.ElementsMatch(t, []string{"go.mod", "internal/x.go", "server/main.go", "client/main.go", "server.py", "Server.java", "server.go", "client.go"}, got,
		"what a build of the repository's top sends: the lab's sources, and a student's program saved there")
}
