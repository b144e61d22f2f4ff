package roster

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseMoodle(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  bool
		want moodleName
		ok   bool
	}{
		{"Alice Smith_1201_assignsubmission_file_", true, moodleName{"Alice Smith", "1201", "file", ""}, true},
		{"Alice Smith_1201_assignsubmission_file", true, moodleName{"Alice Smith", "1201", "file", ""}, true},
		{"Bob O'Neil_1202_assignsubmission_onlinetext_", true, moodleName{"Bob O'Neil", "1202", "onlinetext", ""}, true},
		{"Jonathan_Hoyte_657737_assignsubmission_file_", true, moodleName{"Jonathan Hoyte", "657737", "file", ""}, true},
		{"Anne-Marie d'Été 2_1203_assignsubmission_file_", true, moodleName{"Anne-Marie d'Été 2", "1203", "file", ""}, true},
		{"Participant_1234567_assignsubmission_file_", true, moodleName{"Participant 1234567", "1234567", "file", ""}, true},
		{"Default group_assignsubmission_file_", true, moodleName{"Default group", "", "file", ""}, true},
		{"Team 7_42_assignsubmission_file_", true, moodleName{"Team 7", "42", "file", ""}, true},
		{"Alice Smith_1201_assignsubmission_file_server.py", false, moodleName{"Alice Smith", "1201", "file", "server.py"}, true},
		{"Alice Smith_1201_assignsubmission_file_my_server_1.py", false, moodleName{"Alice Smith", "1201", "file", "my_server_1.py"}, true},
		{"Alice Smith_1201_assignsubmission_onlinetext_onlinetext.html", false, moodleName{"Alice Smith", "1201", "onlinetext", "onlinetext.html"}, true},
		{"Alice Smith_1201_assignsubmission_file_", false, moodleName{}, false},
		{"Alice Smith_1201_assignsubmission_file_server.py", true, moodleName{}, false},
		{"_1201_assignsubmission_file_", true, moodleName{}, false},
		{"Alice Smith", true, moodleName{}, false},
		{"doejohn_12345_67890_server.py", false, moodleName{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseMoodle(tc.name, tc.dir)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestReadMoodleFolders(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Alice Smith_1201_assignsubmission_file_/server.py":               "alice",
		"Bob O'Neil_1202_assignsubmission_file_/hw1/server.py":            "bob",
		"Bob O'Neil_1202_assignsubmission_onlinetext_/onlinetext.html":    "<p>see hw1</p>",
		"José Ñúñez_1203_assignsubmission_file/Server.py":                 "josé",
		`Zoë "Zo" Ünal_1204_assignsubmission_onlinetext_/onlinetext.html`: "<p>forgot the file</p>",
		"Participant_1234567_assignsubmission_file_/server.py":            "blind",
		"Team Rocket_42_assignsubmission_file_/server.py":                 "team",
		"Default group_assignsubmission_file_/server.py":                  "no group",
		"李小龙_1205_assignsubmission_file_/server.py":                       "lee",
		"index.html": "a TA's",
	})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Moodle, r.Layout)
	require.Equal(t, []row{
		{"Alice Smith", "1201", "alice-smith", "server.py", false, []string{"server.py"}},
		{"Bob O'Neil", "1202", "bob-oneil", "hw1/server.py", false, []string{"hw1/server.py", "onlinetext.html"}},
		{"Default group", "", "default-group", "server.py", false, []string{"server.py"}},
		{"José Ñúñez", "1203", "jose-nunez", "Server.py", false, []string{"Server.py"}},
		{"Participant 1234567", "1234567", "participant-1234567", "server.py", false, []string{"server.py"}},
		{"Team Rocket", "42", "team-rocket", "server.py", false, []string{"server.py"}},
		{`Zoë "Zo" Ünal`, "1204", "zoe-zo-unal", "", false, []string{"onlinetext.html"}},
		{"李小龙", "1205", "student-1205", "server.py", false, []string{"server.py"}},
	}, rows(r))
	require.Equal(t, []Skip{{"index.html", "not named as Moodle names a submission (Full Name_ID_assignsubmission_file_)"}}, r.Skipped)
	require.Equal(t, map[string]string{"hw1/server.py": "bob", "onlinetext.html": "<p>see hw1</p>"}, stageAll(t, byName(t, r, "Bob O'Neil")))
	require.Contains(t, byName(t, r, `Zoë "Zo" Ünal`).Note, "holds onlinetext.html")
}

func TestReadMoodleFlat(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Alice Smith_1201_assignsubmission_file_server.py":            "alice",
		"Alice Smith_1201_assignsubmission_file_README.md":            "readme",
		"Bob O'Neil_1202_assignsubmission_onlinetext_onlinetext.html": "<p>hi</p>",
		"Bob O'Neil_1202_assignsubmission_file_Server.py":             "bob",
	})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Moodle, r.Layout)
	require.Equal(t, []row{
		{"Alice Smith", "1201", "alice-smith", "server.py", false, []string{"README.md", "server.py"}},
		{"Bob O'Neil", "1202", "bob-oneil", "Server.py", false, []string{"Server.py", "onlinetext.html"}},
	}, rows(r))
	require.Equal(t, map[string]string{"server.py": "alice", "README.md": "readme"}, stageAll(t, byName(t, r, "Alice Smith")))
}
