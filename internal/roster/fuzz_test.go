package roster

import (
	"regexp"
	"strings"
	"testing"
)

var digits = regexp.MustCompile(`^\d+$`)

// FuzzParseCanvas checks that a name Canvas's parser accepts is made of
// the parts it returns, in Canvas's order.
func FuzzParseCanvas(f *testing.F) {
	for _, s := range []string{
		"doejohn_12345_67890_server.py", "doejohn_LATE_12345_67890_server-1.py", "garciamaria_67890_text.html",
		"LATE_anon_x1y2z_44444_server.py", "anon_x1y2z_link.html", "müllerjürgen_45678_22222_Server.py",
		"a_1_2_3_4_5", "_LATE__1_2_x", "x_LATE_LATE_1_2_y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c, ok := parseCanvas(name)
		if !ok {
			if c != (canvasName{}) {
				t.Fatalf("%q: not ok, but %+v", name, c)
			}
			return
		}
		if c.Login == "" || c.UserID == "" || c.File == "" {
			t.Fatalf("%q: an empty part in %+v", name, c)
		}
		if c.FileID != "" && !digits.MatchString(c.FileID) {
			t.Fatalf("%q: file id %q", name, c.FileID)
		}
		if c.FileID == "" && c.File != "text.html" && c.File != "link.html" {
			t.Fatalf("%q: no file id for %q", name, c.File)
		}
		tail := "_" + c.File
		if c.FileID != "" {
			tail = "_" + c.FileID + tail
		}
		late, anonLate := "", ""
		if c.Late {
			late, anonLate = "_LATE", "LATE_"
		}
		named := c.Login + late + "_" + c.UserID + tail
		anon := anonLate + "anon_" + c.UserID + tail
		switch {
		case c.Login == "anon_"+c.UserID && name == anon:
		case name == named && digits.MatchString(c.UserID):
		default:
			t.Fatalf("%q parsed as %+v, which spells %q or %q", name, c, named, anon)
		}
		base, n := unresubmit(c.File)
		if base == "" || n < 0 || (n == 0) != (base == c.File) {
			t.Fatalf("%q: unresubmit gives %q, %d", c.File, base, n)
		}
	})
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
		if strings.TrimSpace(m.Name) == "" || m.Plugin == "" || (m.ID != "" && !digits.MatchString(m.ID)) {
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
