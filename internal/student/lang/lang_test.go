package lang

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// folder makes a folder with the files given (name → content).
func folder(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	}
	return dir
}

func TestDetectFindsTheProgramAsNamed(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		role  Role
		file  string
		want  string
		lang  Lang
		make  bool
	}{
		{"python", map[string]string{"server.py": "", "client.py": ""}, Server, "", "server.py", Python, false},
		{"python client", map[string]string{"server.py": "", "client.py": ""}, Client, "", "client.py", Python, false},
		{"c", map[string]string{"server.c": "int main(){}"}, Server, "", "server.c", C, false},
		{"c++ .cc", map[string]string{"server.cc": ""}, Server, "", "server.cc", CPP, false},
		{"c++ .cpp", map[string]string{"client.cpp": ""}, Client, "", "client.cpp", CPP, false},
		{"java", map[string]string{"Server.java": "", "Client.java": ""}, Server, "", "Server.java", Java, false},
		{"node", map[string]string{"server.js": ""}, Server, "", "server.js", Node, false},
		{"go", map[string]string{"server.go": ""}, Server, "", "server.go", Go, false},
		{"upper case", map[string]string{"SERVER.C": ""}, Server, "", "SERVER.C", C, false},
		{"nested", map[string]string{"hw3/src/Server.java": "", "README.md": ""}, Server, "", "hw3/src/Server.java", Java, false},
		{"shallowest wins", map[string]string{"old/server.py": "", "server.c": ""}, Server, "", "server.c", C, false},
		{"python before c at one depth", map[string]string{"server.py": "", "server.c": ""}, Server, "", "server.py", Python, false},
		{"name containing the role", map[string]string{"EchoServer.java": "", "Util.java": ""}, Server, "", "EchoServer.java", Java, false},
		{"tcp_server", map[string]string{"tcp_server.c": "", "tcp_client.c": ""}, Client, "", "tcp_client.c", C, false},
		{"main.c of one language", map[string]string{"main.c": "int main(void) { return 0; }", "util.c": "int f(void) { return 1; }"}, Server, "", "main.c", C, false},
		{"makefile", map[string]string{"Makefile": "all:\n", "server.c": "", "client.c": ""}, Server, "", "server.c", C, true},
		{"makefile above", map[string]string{"Makefile": "all:\n", "src/server.cpp": ""}, Server, "", "src/server.cpp", CPP, true},
		{"no makefile for java", map[string]string{"Makefile": "all:\n", "Server.java": ""}, Server, "", "Server.java", Java, false},
		{"file named", map[string]string{"server.py": "", "server.c": ""}, Server, "server.c", "server.c", C, false},
		{"makefile named", map[string]string{"Makefile": "all:\n", "server.c": ""}, Server, "Makefile", "server.c", C, true},
		{"hidden folders left out", map[string]string{".git/server.c": "", "node_modules/x/server.js": "", "server.go": ""}, Server, "", "server.go", Go, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Detect(folder(t, tt.files), tt.role, tt.file)
			require.NoError(t, err)
			require.Equal(t, tt.want, p.File)
			require.Equal(t, tt.lang, p.Lang)
			require.Equal(t, tt.make, p.Make)
			require.Equal(t, LimitsOf(tt.lang), p.Limits)
		})
	}
}

func TestDetectSaysWhatIsMissing(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		file  string
		want  string
	}{
		{"empty", map[string]string{"README.md": "hi"}, "", "no server.py, server.c, server.cpp, Server.java, server.js or server.go in the folder"},
		{"only a client", map[string]string{"client.c": "int main(){}"}, "", "no server.py"},
		{"named file missing", map[string]string{"server.c": ""}, "server.py", "no file server.py in the folder"},
		{"unknown language", map[string]string{"server.rb": ""}, "server.rb", "not a language the lab knows"},
		{"a lookalike", map[string]string{"server.py": ""}, "server", "no file server in the folder; it has server.py"},
		{"another case", map[string]string{"Server.py": ""}, "server.py", "no file server.py in the folder; it has Server.py"},
		{"a folder with no server", map[string]string{"mine/notes.txt": "", "mine/old/draft.txt": ""}, "mine",
			"mine is a folder, not a file, and has no server in it (server.py, server.c, server.cpp, Server.java, server.js or server.go); it has: notes.txt, old/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Detect(folder(t, tt.files), Server, tt.file)
			require.ErrorIs(t, err, ErrNoProgram)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// TestDetectRunsTheServerInAFolderNamedForAFile: `just my-server mine`,
// mine a folder, runs the server in it and says so.
func TestDetectRunsTheServerInAFolderNamedForAFile(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		file  string
		want  string
		note  string
	}{
		{"one server", map[string]string{"mine/server.py": "", "other/server.c": ""}, "mine", "mine/server.py", "mine is a folder: running the server in it, mine/server.py"},
		{"a trailing slash", map[string]string{"mine/Server.java": ""}, "mine/", "mine/Server.java", "running the server in it, mine/Server.java"},
		{"nested", map[string]string{"hw/src/server.go": "", "hw/README.md": ""}, "hw", "hw/src/server.go", "running the server in it, hw/src/server.go"},
		{"two servers", map[string]string{"mine/server.py": "", "mine/server.c": ""}, "mine", "mine/server.py", "(it also has mine/server.c; name one with its path to run it instead)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Detect(folder(t, tt.files), Server, tt.file)
			require.NoError(t, err)
			require.Equal(t, tt.want, p.File)
			require.Contains(t, p.Note, tt.note)
		})
	}
	p, err := Detect(folder(t, map[string]string{"server.py": ""}), Server, "server.py")
	require.NoError(t, err)
	require.Empty(t, p.Note, "a file named is run without a word")
}

func TestDetectRunsJavaByItsPackage(t *testing.T) {
	dir := folder(t, map[string]string{"src/edu/lab/Server.java": "package edu.lab;\n\npublic class Server {}\n"})
	p, err := Detect(dir, Server, "")
	require.NoError(t, err)
	require.Equal(t, "edu.lab.Server", p.Run[len(p.Run)-1])
	require.Contains(t, p.Build[0], "src", "the source root, above the package's folders")
}

func TestOf(t *testing.T) {
	for file, want := range map[string]Lang{
		"server.py": Python, "a/b/Server.JAVA": Java, "x.cxx": CPP, "Makefile": C, "server.mjs": Node, "README": "", "server.rb": "",
	} {
		require.Equal(t, want, Of(file), file)
	}
}

// TestLangEnvAgreesWithLimits: deploy/compose/lang-env.sh sets the compose lab's
// limits for `just my-server` and `just my-client`; the graders take
// LimitsOf. The two tables must say the same.
func TestLangEnvAgreesWithLimits(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	cpp := folder(t, map[string]string{"Makefile": "all:\n", "server.cpp": ""})
	for file, l := range map[string]Lang{
		"server.py": Python, "x/Server.C": C, "server.cpp": CPP, "server.cc": CPP, "Server.java": Java,
		"server.js": Node, "server.go": Go, "server.pl": Python, filepath.Join(cpp, "Makefile"): CPP, "Makefile": C,
	} {
		out, err := exec.Command("bash", filepath.Join("..", "..", "..", "deploy", "compose", "lang-env.sh"), file).Output()
		require.NoError(t, err)
		lim := LimitsOf(l)
		require.Equal(t, fmt.Sprintf("STUDENT_MEM=%s STUDENT_PIDS=%d STUDENT_TMP=%s\n", lim.Memory, lim.Pids, lim.Tmp), string(out), file)
	}
}
