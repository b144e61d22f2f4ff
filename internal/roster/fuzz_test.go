package roster

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var digitsRE = regexp.MustCompile(`^\d+$`)

// FuzzParseCanvas checks that every way Canvas's names split a name is
// made of the parts it returns, in Canvas's order, and that the first is
// what parseCanvas gives.
func FuzzParseCanvas(f *testing.F) {
	for _, s := range []string{
		"doejohn_12345_67890_server.py", "doejohn_LATE_12345_67890_server-1.py", "garciamaria_67890_text.html",
		"LATE_anon_x1y2z_44444_server.py", "anon_x1y2z_link.html", "müllerjürgen_45678_22222_Server.py",
		"a_1_2_3_4_5", "_LATE__1_2_x", "x_LATE_LATE_1_2_y", "bob_123_2045331_98765432_server.go", "doejane_late_1_2_x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		all := canvasNames(name)
		c, ok := parseCanvas(name)
		if !ok {
			if c != (canvasName{}) || len(all) > 0 {
				t.Fatalf("%q: not ok, but %+v", name, c)
			}
			return
		}
		if c != all[0] {
			t.Fatalf("%q: parseCanvas gives %+v, not the first of %+v", name, c, all)
		}
		for _, c := range all {
			checkCanvasName(t, name, c)
		}
	})
}

func checkCanvasName(t *testing.T, name string, c canvasName) {
	t.Helper()
	if c.Login == "" || c.UserID == "" || c.File == "" {
		t.Fatalf("%q: an empty part in %+v", name, c)
	}
	if c.FileID != "" && !digitsRE.MatchString(c.FileID) {
		t.Fatalf("%q: file id %q", name, c.FileID)
	}
	if c.FileID == "" && c.File != "text.html" && c.File != "link.html" {
		t.Fatalf("%q: no file id for %q", name, c.File)
	}
	tail := "_" + c.File
	if c.FileID != "" {
		tail = "_" + c.FileID + tail
	}
	var spellings []string
	if c.Late {
		spellings = []string{c.Login + "_LATE_" + c.UserID + tail, c.Login + "_late_" + c.UserID + tail, "LATE_anon_" + c.UserID + tail}
	} else {
		spellings = []string{c.Login + "_" + c.UserID + tail, "anon_" + c.UserID + tail}
	}
	switch {
	case c.Login == "anon_"+c.UserID && name == spellings[len(spellings)-1]:
	case slices.Contains(spellings[:len(spellings)-1], name) && digitsRE.MatchString(c.UserID):
	default:
		t.Fatalf("%q parsed as %+v, which spells one of %q", name, c, spellings)
	}
	base, n := unresubmit(c.File)
	if base == "" || n < 0 || (n == 0) != (base == c.File) {
		t.Fatalf("%q: unresubmit gives %q, %d", c.File, base, n)
	}
}

// FuzzCanvasLoginEndingInDigits writes one student's file as Canvas names
// it, the login as Canvas makes it from any sortable name ("Bob_123" is
// "bob_123", which Canvas's own first-two-numbers rule misreads), beside
// three classmates' files, with ids as long as a class's (a 7-digit user,
// an 8-digit file): Read gives the student's own login, user id and file.
func FuzzCanvasLoginEndingInDigits(f *testing.F) {
	f.Add("Bob_123", uint32(45331), uint32(765432), "server.go")
	f.Add("12345", uint32(1), uint32(2), "2024_server.py")
	f.Add("O'Brien, Sean_7", uint32(999999), uint32(0), "1234567_12345678_server.py")
	f.Add("x_1_2", uint32(5), uint32(6), "text.html")
	f.Fuzz(func(t *testing.T, sortable string, uid, att uint32, file string) {
		login := canvasLoginOf(sortable)
		user := fmt.Sprint(3_000_000 + uid%7_000_000) // none of the classmates'
		fileID := fmt.Sprint(90_000_000 + att%9_000_000)
		if !canvasLogin.MatchString(login) || strings.HasPrefix(login, "anon_") || file == "" ||
			strings.ContainsAny(file, "/\\\x00:*?\"<>|") || junk(file) || file == "text.html" || file == "link.html" || !utf8.ValidString(file) {
			return
		}
		name := login + "_" + user + "_" + fileID + "_" + file
		dir := t.TempDir()
		for n, body := range map[string]string{
			name:                                     "the student's",
			"doejane_2045331_98765431_server.py":     "jane",
			"smithjohn_LATE_2045340_98765440_lab.py": "john",
			"leeann_2045351_98765450_server.py":      "ann",
		} {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644); err != nil {
				t.Skip(err) // a name this file system refuses
			}
		}
		r, err := Read(dir, Want{})
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		var got *Submission
		for i, s := range r.Submissions {
			if s.ID == user {
				got = &r.Submissions[i]
			}
		}
		if got == nil || got.Name != login || len(r.Submissions) != 4 || len(got.Files) != 1 || got.Export[0] != name {
			t.Fatalf("%q: want %s (%s) with its file, got %+v", name, login, user, rows(r))
		}
	})
}

// canvasLoginOf is what Canvas makes of a sortable name in a file name
// (content_zipper.rb): "_<digits>_" folded to the digits, then every
// character that is not a letter, a digit or "_" dropped, in lower case.
func canvasLoginOf(sortable string) string {
	s := regexp.MustCompile(`_(\d+)_`).ReplaceAllString(sortable, "$1")
	return strings.ToLower(regexp.MustCompile(`[^\p{L}\p{M}\p{N}_]`).ReplaceAllString(s, ""))
}

// FuzzParseMoodle checks that a name Moodle's parser accepts has a
// student, a numeric id or none, and a file exactly when it is flat.
func FuzzParseMoodle(f *testing.F) {
	for _, s := range []string{
		"Alice Smith_1201_assignsubmission_file_", "Bob O'Neil_1202_assignsubmission_onlinetext", "Default group_assignsubmission_file_",
		"Alice Smith_1201_assignsubmission_file_server.py", "Participant_1234567_assignsubmission_file_", "a_1_assignsubmission_x_y_z",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, name string, dir bool) {
		m, ok := parseMoodle(name, dir)
		if !ok {
			return
		}
		if strings.TrimSpace(m.Name) == "" || m.Plugin == "" || (m.ID != "" && !digitsRE.MatchString(m.ID)) {
			t.Fatalf("%q: %+v", name, m)
		}
		if dir != (m.File == "") {
			t.Fatalf("%q (folder %v): file %q", name, dir, m.File)
		}
		if !strings.Contains(name, "_assignsubmission_"+m.Plugin) || (m.File != "" && !strings.HasSuffix(name, "_"+m.File)) {
			t.Fatalf("%q: parts %+v not in it", name, m)
		}
		if k := Key(m.Name, m.ID); !keyShape.MatchString(k) || len(k) > maxKey {
			t.Fatalf("%q: key %q", m.Name, k)
		}
	})
}

// FuzzKey checks the key's shape for any name: what compose and file
// systems accept, never empty.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"Bob O'Neil", "José Ñúñez", "王小明", "", "--", "$(rm -rf ~)", "Ǆemal Ĳssel"} {
		f.Add(s, "12")
	}
	f.Fuzz(func(t *testing.T, name, id string) {
		k := Key(name, id)
		if !keyShape.MatchString(k) || len(k) > maxKey+len("student-") || k != Key(name, id) {
			t.Fatalf("Key(%q, %q) = %q", name, id, k)
		}
	})
}

// FuzzParseMetadata checks that no metadata file makes the reader panic
// or loop, and that every submitter it reads belongs to a listed key.
func FuzzParseMetadata(f *testing.F) {
	f.Add(exportMetadata)
	f.Add("submission_1:\n  :submitters:\n  - :name: \"a\\u00e9\\\n    b\"\n")
	f.Add(":x:\n  :submitters:\n    - :name: !binary |-\n        YQ==\n")
	f.Fuzz(func(t *testing.T, yml string) {
		meta, order, _ := parseMetadata([]byte(yml))
		if len(meta) != len(order) {
			t.Fatalf("%d submissions, %d in order", len(meta), len(order))
		}
	})
}

// FuzzParseBlackboard checks that a name Blackboard's parser accepts is
// its parts in Blackboard's order, the time a sortable stamp.
func FuzzParseBlackboard(f *testing.F) {
	for _, s := range []string{
		"Lab 2 echo server_jdoe_attempt_2024-02-20-00-35-07.txt", "Lab 2_jdoe_attempt_2024-02-20-00-35-07_my_attempt_2024-01-01-00-00-00_x.py",
		"a_b_attempt_2024-02-20-00-35-07_", "_attempt_2024-02-20-00-35-07.txt",
	} {
		f.Add(s)
	}
	stamp := regexp.MustCompile(`^\d{4}(-\d\d){5}$`)
	f.Fuzz(func(t *testing.T, name string) {
		b, ok := parseBlackboard(name)
		if !ok {
			return
		}
		tail := ".txt"
		if b.File != "" {
			tail = "_" + b.File
		}
		if b.Prefix == "" || !stamp.MatchString(b.Stamp) || name != b.Prefix+"_attempt_"+b.Stamp+tail || strings.Contains(b.Prefix, "_attempt_"+b.Stamp) {
			t.Fatalf("%q parsed as %+v", name, b)
		}
	})
}

// FuzzParseBrightspace checks that a name Brightspace's parser accepts
// has a student, a real date, and the name and file in it.
func FuzzParseBrightspace(f *testing.F) {
	for _, s := range []string{
		"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM", "1-2 - Team 7 - Bo Li - Jan 1, 2024 1200 AM",
		"1-2 - Bo Li - Sep 3, 2024 1108 AM - server - v2.py", "1-2 -  - Sep 3, 2024 1108 AM",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, name string, dir bool) {
		n, ok := parseBrightspace(name, dir)
		if !ok {
			return
		}
		if n.Name == "" || strings.TrimSpace(n.Name) != n.Name || n.When < 199001010000 || !strings.HasPrefix(name, n.IDs) ||
			!strings.Contains(name, n.Name) || !strings.Contains(name, n.Date) || dir != (n.File == "") || !strings.HasSuffix(name, n.File) {
			t.Fatalf("%q (folder %v) parsed as %+v", name, dir, n)
		}
	})
}
