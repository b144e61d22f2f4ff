package roster

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFindProgram(t *testing.T) {
	server, err := Want{}.normal()
	require.NoError(t, err)
	client, err := Want{Role: "client"}.normal()
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		want  Want
		paths []string
		prog  string
		note  string // a part of the note; "" for none at all
	}{
		{"top, exact", server, []string{"README.md", "server.py"}, "server.py", ""},
		{"top, exact, an old version beside it", server, []string{"server.py", "server_old.py"}, "server.py",
			"graded server.py, named as asked (also uploaded server_old.py, not graded)"},
		{"other case", server, []string{"SERVER.PY"}, "SERVER.PY", "graded SERVER.PY (the only server file)"},
		{"nested", server, []string{"hw1/server.py", "hw1/notes.txt"}, "hw1/server.py", "graded hw1/server.py (the only server file)"},
		{"top-most wins", server, []string{"a/b/server.py", "z/server.c"}, "z/server.c", "graded z/server.c, the top-most (also found a/b/server.py)"},
		{"language order at one depth", server, []string{"server.js", "server.c", "server.py"}, "server.py", "graded server.py, first in the order server.py, server.c, server.cpp, ... (also found server.c, server.js)"},
		{"Java's capital", server, []string{"src/Server.java"}, "src/Server.java", "the only server file"},
		{"a Makefile beside C", server, []string{"Makefile", "main.c"}, "Makefile", ""},
		{"a Makefile beside C++", server, []string{"src/Makefile", "src/echo.cpp"}, "src/Makefile", ""},
		{"a Makefile alone", server, []string{"Makefile", "notes.md"}, "", "Makefile has no C or C++ source beside it"},
		{"C before its Makefile", server, []string{"Makefile", "server.c"}, "server.c", "also found Makefile"},
		{"a lookalike", server, []string{"server (1).py", "README"}, "server (1).py", "the only file named like a server"},
		{"two lookalikes", server, []string{"server_v1.py", "server_v2.py"}, "", "no server.py"},
		{"a client is no server", server, []string{"client.py"}, "", "holds client.py"},
		{"nothing", server, nil, "", "has no files"},
		{"the client role", client, []string{"server.py", "lab/Client.py"}, "lab/Client.py", "the only client file"},
		{"names given", Want{Role: "server", Names: []string{"echo.rb"}}, []string{"x/ECHO.rb"}, "x/ECHO.rb", "graded x/ECHO.rb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prog, note := findProgram(tc.paths, tc.want)
			require.Equal(t, tc.prog, prog)
			if tc.note == "" && tc.name == "top, exact" {
				require.Empty(t, note)
			}
			require.Contains(t, note, tc.note)
		})
	}
}
