package roster

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// exportMetadata is shaped as Gradescope's Export Submissions writes it
// (Ruby's Psych): symbol keys, quoted ids, groups, autograder results and
// a history whose entries have submitters of their own.
const exportMetadata = `---
submission_216975964:
  :submitters:
  - :name: Ada Lovelace
    :sid: '06758767'
    :email: ada@example.edu
  - :name: Alan Turing
    :sid: '06754968'
    :email: alan@example.edu
  :created_at: 2023-12-02 02:52:07.938335000 Z
  :score: 8.0
  :status: processed
  :results:
    score: 8.0
    tests:
    - name: greeting
      output: |-
        :submitters:
        - :name: Mallory
    output: 'Your server: it works'
    extra_data:
    visibility:
  :history:
  - :submitters: []
    :created_at: 2023-12-01 06:59:12.419858000 Z
    :score: 0.0
    :id: 216688425
submission_216996427:
  :submitters:
  - :name: "Zo\xEB \"Zo\" \u00DCnal"
    :sid: '06828527'
    :email: zoe@example.edu
  :created_at: 2023-12-02 04:04:59.089605000 Z
  :score: 10.0
  :history: []
:submission_217021293:
  :submitters:
  - :name: 'Bob O''Neil'
    :email: bob@example.edu
  - :name: José Ñúñez
    :email: jose@example.edu
  - :name: Hubert Blaine Wolfeschlegelsteinhausenbergerdorff Jr., of a name long
      enough to be folded
    :email: hubert@example.edu
  :created_at: 2023-12-03 08:36:30.409435000 Z
submission_217191681:
  :submitters:
  - :name: !binary |-
      5p2O5bCP6b6Z
    :email: li@example.edu
  :created_at: 2023-12-03 08:36:30.409435000 Z
submission_217999999:
  :submitters:
  - :name: Ghost Student
    :email: ghost@example.edu
`

func TestParseMetadata(t *testing.T) {
	meta, order, err := parseMetadata([]byte(exportMetadata))
	require.NoError(t, err)
	require.Equal(t, []string{"submission_216975964", "submission_216996427", "submission_217021293", "submission_217191681", "submission_217999999"}, order)
	require.Equal(t, gsMeta{
		Submitters: []submitter{{"Ada Lovelace", "ada@example.edu", "06758767"}, {"Alan Turing", "alan@example.edu", "06754968"}},
		CreatedAt:  "2023-12-02 02:52:07.938335000 Z",
	}, meta["submission_216975964"], "the history's and the results' submitters are not the submission's")
	require.Equal(t, []submitter{{`Zoë "Zo" Ünal`, "zoe@example.edu", "06828527"}}, meta["submission_216996427"].Submitters)
	require.Equal(t, []submitter{
		{"Bob O'Neil", "bob@example.edu", ""},
		{"José Ñúñez", "jose@example.edu", ""},
		{"Hubert Blaine Wolfeschlegelsteinhausenbergerdorff Jr., of a name long enough to be folded", "hubert@example.edu", ""},
	}, meta["submission_217021293"].Submitters)
	require.Equal(t, "李小龙", meta["submission_217191681"].Submitters[0].Name)
}

func TestParseMetadataErrors(t *testing.T) {
	for _, tc := range []struct{ name, yml, want string }{
		{"unterminated", "submission_1:\n  :submitters:\n  - :name: \"Ada\n    :email: a@x\n", `line 3: a double-quoted value with no closing quote`},
		{"bad escape", "submission_1:\n  :submitters:\n  - :name: \"Ada \\q\"\n", `line 3: unknown escape \q`},
		{"stray quote", "submission_1:\n  :submitters:\n  - :name: 'O'Neil'\n", "line 3: a single-quoted value with a stray quote"},
		{"not a mapping", "just some text\n", `line 1: want a submission's name and a colon`},
		{"a list", "- a\n- b\n", "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseMetadata([]byte(tc.yml))
			require.ErrorContains(t, err, tc.want)
		})
	}
	meta, order, err := parseMetadata([]byte("---\n"))
	require.NoError(t, err, "an export with no submissions")
	require.Empty(t, meta)
	require.Empty(t, order)
}

func TestReadGradescope(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"assignment_1234567_export/submission_metadata.yml":                   exportMetadata,
		"assignment_1234567_export/submission_216975964/server.py":            "group",
		"assignment_1234567_export/submission_216975964/README.md":            "ours",
		"assignment_1234567_export/submission_216996427/socket-lab/Server.py": "zoë",
		"assignment_1234567_export/submission_217021293/server.c":             "int main;",
		"assignment_1234567_export/submission_217191681/server.py":            "li",
		"assignment_1234567_export/submission_300000001/server.py":            "unlisted",
		"assignment_1234567_export/notes.txt":                                 "a TA's",
	})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Gradescope, r.Layout)
	require.Equal(t, "assignment_1234567_export", r.Root)
	require.Equal(t, []row{
		{"Ada Lovelace, Alan Turing", "216975964", "ada-lovelace-alan-turing", "server.py", false, []string{"README.md", "server.py"}},
		{"Bob O'Neil, José Ñúñez, Hubert Blaine Wolfeschlegelsteinhausenbergerdorff Jr., of a name long enough to be folded",
			"217021293", "bob-oneil-jose-nunez-hubert-blaine-wolfe", "server.c", false, []string{"server.c"}},
		{"Ghost Student", "217999999", "ghost-student", "", false, nil},
		{"submission_300000001", "300000001", "submission-300000001", "server.py", false, []string{"server.py"}},
		{"Zoë \"Zo\" Ünal", "216996427", "zoe-zo-unal", "socket-lab/Server.py", false, []string{"socket-lab/Server.py"}},
		{"李小龙", "217191681", "student-217191681", "server.py", false, []string{"server.py"}},
	}, rows(r))
	require.Equal(t, []string{"ada@example.edu", "alan@example.edu"}, byName(t, r, "Ada Lovelace, Alan Turing").Emails)
	require.Contains(t, byName(t, r, "submission_300000001").Note, "not in submission_metadata.yml: named after its folder")
	require.Contains(t, byName(t, r, "Ghost Student").Note, "the export has no folder for it")
	require.Equal(t, []Skip{{"assignment_1234567_export/notes.txt", "not a Gradescope submission folder (submission_NNN)"}}, r.Skipped)
}

func TestReadGradescopeBadMetadata(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"submission_metadata.yml":  "submission_1:\n  :submitters:\n  - :name: \"Ada\n",
		"submission_1/server.py":   "x",
		"submission_2/server.py":   "y",
		"submission_3/src/main.py": "z",
	})
	r, err := Read(dir, Want{})
	require.NoError(t, err, "a broken metadata file loses no submission")
	require.Len(t, r.Submissions, 3)
	require.Contains(t, r.Submissions[0].Note, "submission_metadata.yml: line 3: a double-quoted value with no closing quote")
	require.Equal(t, "submission_metadata.yml", r.Skipped[0].Path)
}

func TestReadGradescopeNoMetadata(t *testing.T) {
	dir := writeTree(t, map[string]string{"submission_11/server.py": "x", "submission_12/server.py": "y"})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Gradescope, r.Layout)
	require.Equal(t, "submission_11", r.Submissions[0].Name)
	require.Equal(t, "11", r.Submissions[0].ID)
	require.Equal(t, "no submission_metadata.yml in the export: named after its folder", r.Submissions[0].Note)
}

func TestParseMetadataSpellings(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"plain", "Ada Lovelace", "Ada Lovelace"},
		{"a comment", "Ada Lovelace # the first programmer", "Ada Lovelace"},
		{"single quotes", "'O''Neil, Bob'", "O'Neil, Bob"},
		{"double quotes", `"Zo\u00EB \"Zo\" \xDCnal"`, `Zoë "Zo" Ünal`},
		{"an escaped line break", "\"Jean-Baptiste Emmanuel Zorg\\\n      \\ de la Tour\"", "Jean-Baptiste Emmanuel Zorg de la Tour"},
		{"a folded line", "\"Jean-Baptiste Emmanuel\n      Zorg\"", "Jean-Baptiste Emmanuel Zorg"},
		{"a tag", "!ruby/string Ada", "Ada"},
		{"a literal block", "|-\n      Ada\n      Lovelace", "Ada\nLovelace"},
		{"null", "~", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, eol := range []string{"\n", "\r\n"} {
				yml := "submission_1:\n  :submitters:\n  - :name: " + tc.value + "\n    :email: a@example.edu\n  :created_at: 2023-12-02 02:52:07 Z\n"
				yml = strings.ReplaceAll(yml, "\n", eol)
				meta, _, err := parseMetadata([]byte(yml))
				require.NoError(t, err)
				require.Equal(t, []submitter{{tc.want, "a@example.edu", ""}}, meta["submission_1"].Submitters)
				require.Equal(t, "2023-12-02 02:52:07 Z", meta["submission_1"].CreatedAt)
			}
		})
	}
}
