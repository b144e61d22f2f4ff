package roster

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/roster/rostertest"
)

func TestParseBrightspace(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  bool
		want d2lName
		ok   bool
	}{
		{"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM", true, d2lName{"397063-2557369", "", "Mary-Ann Smith", "Sep 24, 2024 926 PM", 202409242126, ""}, true},
		{"39786-640693 - Aiden Rodriguez - Oct 10, 2025 1022 AM", true, d2lName{"39786-640693", "", "Aiden Rodriguez", "Oct 10, 2025 1022 AM", 202510101022, ""}, true},
		{"1-2 - Team 7 - Bo Li - Jan 1, 2024 1200 AM", true, d2lName{"1-2", "Team 7", "Bo Li", "Jan 1, 2024 1200 AM", 202401010000, ""}, true},
		{"1-2 - Bo Li- Jan 1, 2024 1201 PM", true, d2lName{"1-2", "", "Bo Li", "Jan 1, 2024 1201 PM", 202401011201, ""}, true},
		{"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM - my - server.py", false, d2lName{"397063-2557369", "", "Mary-Ann Smith", "Sep 24, 2024 926 PM", 202409242126, "my - server.py"}, true},
		{"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM", false, d2lName{}, false},
		{"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 1360 PM", true, d2lName{}, false},
		{"397063-2557369 - Mary-Ann Smith - Sept 24, 2024 926 PM", true, d2lName{}, false},
		{"Alice Smith_1201_assignsubmission_file_", true, d2lName{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseBrightspace(tc.name, tc.dir)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestReadBrightspace reads Brightspace's "Download", as a folder and as
// its zip: each student under the name the download gives, the id the
// latest submission's pair, index.html passed over.
func TestReadBrightspace(t *testing.T) {
	for name, dir := range map[string]string{"folder": rostertest.Brightspace.Dir(t), "zip": rostertest.Brightspace.Zip(t)} {
		t.Run(name, func(t *testing.T) {
			r, err := Read(dir, Want{})
			require.NoError(t, err)
			require.Equal(t, Brightspace, r.Layout)
			require.Equal(t, "Lab 2 echo server", r.Assignment)
			require.Equal(t, []row{
				{"Ann Lee", "397068-2557374", "ann-lee", "", false, []string{"echo.txt"}},
				{"Jessie James", "397067-2557373", "jessie-james", "server.py", false, []string{"server.py"}},
				{"Mary-Ann Smith", "397063-2557369", "mary-ann-smith", "server.py", false, []string{"server.py"}},
				{"Seán O'Brien", "397064-2557370", "sean-obrien", "src/server.py", false, []string{"src/server.py"}},
				{`Zoë "Zo" Ünal`, "397065-2557371", "zoe-zo-unal", "server.py", false, []string{"notes.txt", "server.py"}},
				{"李 小龍", "397066-2557372", "student-397066-2557372", "Server.py", false, []string{"Server.py"}},
			}, rows(r))
			require.Empty(t, r.Skipped)
			mary := byName(t, r, "Mary-Ann Smith")
			require.Equal(t, map[string]string{"server.py": "print('mary-ann')\n"}, stageAll(t, mary), "the latest submission")
			require.Contains(t, mary.Note, "submitted Sep 24, 2024 926 PM, the latest of 2 (Sep 23, 2024 1108 AM)")
			require.Equal(t, []string{"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM/"}, mary.Export)
			require.Contains(t, byName(t, r, "Jessie James").Note, "group Team Rocket")
		})
	}
}

// TestReadBrightspaceFlat: older downloads put every file at the top,
// "ID-ID - First Last - date - FILE"; the newest date's files count.
func TestReadBrightspaceFlat(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"index.html": "<html></html>",
		"1-2 - Bo Li - Sep 3, 2024 1108 AM - server.py": "first",
		"1-3 - Bo Li - Sep 4, 2024 108 PM - server.py":  "second",
		"1-3 - Bo Li - Sep 4, 2024 108 PM - README.txt": "notes",
		"1-4 - Eve Ng - Sep 4, 2024 108 PM - server.py": "eve",
	})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Brightspace, r.Layout)
	require.Equal(t, "", r.Assignment)
	require.Equal(t, []row{
		{"Bo Li", "1-3", "bo-li", "server.py", false, []string{"README.txt", "server.py"}},
		{"Eve Ng", "1-4", "eve-ng", "server.py", false, []string{"server.py"}},
	}, rows(r))
	require.Equal(t, map[string]string{"server.py": "second", "README.txt": "notes"}, stageAll(t, byName(t, r, "Bo Li")))
}
