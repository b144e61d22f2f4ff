package roster_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/socketlab/socketlab/internal/roster"
)

// A Canvas "Download Submissions" folder: one flat folder, each file
// renamed login[_LATE]_userid_fileid_name, a resubmission numbered -N.
func ExampleRead() {
	dir, _ := os.MkdirTemp("", "canvas")
	defer os.RemoveAll(dir)
	for name, body := range map[string]string{
		"doejohn_12345_67890_server.py":        "print('john')",
		"oneilbob_34567_11111_server.py":       "print('bob, first try')",
		"oneilbob_34567_11112_server-1.py":     "print('bob, second try')",
		"smithjane_LATE_23456_78901_Server.py": "print('jane')",
		"smithjane_LATE_23456_78902_README.md": "how to run it",
		"garciamaria_45678_text.html":          "<p>my server is in my next message</p>",
	} {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	r, err := roster.Read(dir, roster.Want{Role: "server"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("layout:", r.Layout)
	for _, s := range r.Submissions {
		var files []string
		for _, f := range s.Files {
			files = append(files, f.Dst)
		}
		fmt.Printf("%-12s id=%s key=%s late=%v files=%v program=%q\n", s.Name, s.ID, s.Key, s.Late, files, s.Program)
		if s.Note != "" {
			fmt.Printf("%12s note: %s\n", "", s.Note)
		}
	}
	// Output:
	// layout: canvas
	// doejohn      id=12345 key=doejohn late=false files=[server.py] program="server.py"
	// garciamaria  id=45678 key=garciamaria late=false files=[text.html] program=""
	//              note: no server.py, server.c, server.cpp, server.cc, Server.java, server.js, server.go or Makefile found; the submission holds text.html
	// oneilbob     id=34567 key=oneilbob late=false files=[server.py] program="server.py"
	//              note: server.py is server-1.py, the latest of server.py, server-1.py
	// smithjane    id=23456 key=smithjane late=true files=[README.md Server.py] program="Server.py"
	//              note: graded Server.py (the only server file)
}
