package roster

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseCanvas(t *testing.T) {
	for _, tc := range []struct {
		name string
		want canvasName
		ok   bool
	}{
		{"doejohn_12345_67890_server.py", canvasName{"doejohn", false, "12345", "67890", "server.py"}, true},
		{"doejohn_LATE_12345_67890_server.py", canvasName{"doejohn", true, "12345", "67890", "server.py"}, true},
		{"doejohn_12345_67890_server-1.py", canvasName{"doejohn", false, "12345", "67890", "server-1.py"}, true},
		{"doejohn_12345_67890_my_server_v2.py", canvasName{"doejohn", false, "12345", "67890", "my_server_v2.py"}, true},
		{"doejohn_12345_67890_7_8_9.py", canvasName{"doejohn", false, "12345", "67890", "7_8_9.py"}, true},
		{"müllerjürgen_45678_22222_Server.py", canvasName{"müllerjürgen", false, "45678", "22222", "Server.py"}, true},
		{"van_der_berg_anna_11_22_server.py", canvasName{"van_der_berg_anna", false, "11", "22", "server.py"}, true},
		{"garciamaria_67890_text.html", canvasName{"garciamaria", false, "67890", "", "text.html"}, true},
		{"garciamaria_LATE_67890_link.html", canvasName{"garciamaria", true, "67890", "", "link.html"}, true},
		{"anon_x1y2z_44444_server.py", canvasName{"anon_x1y2z", false, "x1y2z", "44444", "server.py"}, true},
		{"LATE_anon_x1y2z_44444_server.py", canvasName{"anon_x1y2z", true, "x1y2z", "44444", "server.py"}, true},
		{"anon_x1y2z_text.html", canvasName{"anon_x1y2z", false, "x1y2z", "", "text.html"}, true},
		{"server.py", canvasName{}, false},
		{"Alice Smith_1201_assignsubmission_file_server.py", canvasName{}, false},
		{"doe john_12345_67890_server.py", canvasName{}, false},
		{"_12345_67890_server.py", canvasName{}, false},
		{"doejohn_12345_server.py", canvasName{}, false},
		{"doejohn_12345_67890_", canvasName{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseCanvas(tc.name)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestUnresubmit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		base string
		n    int
	}{
		{"server.py", "server.py", 0},
		{"server-1.py", "server.py", 1},
		{"server-12.py", "server.py", 12},
		{"Makefile-2", "Makefile", 2},
		{"hw-1-2.py", "hw-1.py", 2},
		{"my-server.py", "my-server.py", 0},
		{"-1.py", "-1.py", 0},
		{"lab-2024.py", "lab-2024.py", 0},
	} {
		base, n := unresubmit(tc.in)
		require.Equal(t, tc.base, base, tc.in)
		require.Equal(t, tc.n, n, tc.in)
	}
}

func TestReadCanvas(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"doejohn_12345_67890_server.py":          "john",
		"smithjane_LATE_23456_78901_server.py":   "jane",
		"smithjane_LATE_23456_78902_README.md":   "jane's readme",
		"smithjane_LATE_23456_78903_client.py":   "jane's client",
		"oneilbob_34567_11111_server.py":         "bob 0",
		"oneilbob_34567_11113_server-2.py":       "bob 2",
		"oneilbob_34567_11112_server-1.py":       "bob 1",
		"müllerjürgen_45678_22222_Server.py":     "jürgen",
		"garciamaria_67890_text.html":            "<p>my server is below</p>",
		"LATE_anon_ab1cd_44444_server.py":        "anonymous",
		"smithjohn_111_5001_server.py":           "john smith one",
		"smithjohn_222_5002_server.py":           "john smith two",
		"grades.csv":                             "a TA's",
		"feedback/doejohn.txt":                   "a TA's",
		"doejohn_12345_67891_server (1).py.orig": "editor backup",
	})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Canvas, r.Layout)
	require.Equal(t, []row{
		{"anon_ab1cd", "ab1cd", "anon-ab1cd", "server.py", true, []string{"server.py"}},
		{"doejohn", "12345", "doejohn", "server.py", false, []string{"server (1).py.orig", "server.py"}},
		{"garciamaria", "67890", "garciamaria", "", false, []string{"text.html"}},
		{"müllerjürgen", "45678", "mullerjurgen", "Server.py", false, []string{"Server.py"}},
		{"oneilbob", "34567", "oneilbob", "server.py", false, []string{"server.py"}},
		{"smithjane", "23456", "smithjane", "server.py", true, []string{"README.md", "client.py", "server.py"}},
		{"smithjohn", "111", "smithjohn", "server.py", false, []string{"server.py"}},
		{"smithjohn", "222", "smithjohn-2", "server.py", false, []string{"server.py"}},
	}, rows(r))
	require.ElementsMatch(t, []Skip{
		{"grades.csv", "not named as Canvas names a submission's files (login_userid_fileid_name)"},
		{"feedback", "a folder in a Canvas export, whose submissions are files"},
	}, r.Skipped)

	bob := byName(t, r, "oneilbob")
	require.Equal(t, map[string]string{"server.py": "bob 2"}, stageAll(t, bob), "the latest resubmission is graded")
	require.Equal(t, "server.py is server-2.py, the latest of server.py, server-1.py, server-2.py", bob.Note)
	require.Equal(t, map[string]string{"server.py": "jane", "README.md": "jane's readme", "client.py": "jane's client"},
		stageAll(t, byName(t, r, "smithjane")))
	require.Contains(t, byName(t, r, "garciamaria").Note, "holds text.html")
	require.Equal(t, "graded Server.py (the only server file)", byName(t, r, "müllerjürgen").Note)
}

func TestReadCanvasOneResubmission(t *testing.T) {
	dir := writeTree(t, map[string]string{"doejohn_LATE_12345_67890_server-1.py": "again"})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Canvas, r.Layout, "one Canvas file is a Canvas export, not a student's folder")
	s := r.Submissions[0]
	require.Equal(t, "server.py", s.Program)
	require.True(t, s.Late)
	require.Equal(t, "server.py is server-1.py, as Canvas renamed a resubmission", s.Note)
}

func TestCanvasNames(t *testing.T) {
	require.Equal(t, []canvasName{
		{"bob", false, "123", "2045331", "98765432_server.go"},
		{"bob_123", false, "2045331", "98765432", "server.go"},
	}, canvasNames("bob_123_2045331_98765432_server.go"), "left to right, as Canvas's own rule tries them")
	require.Equal(t, []canvasName{
		{"doejane", true, "2045331", "98765432", "lab_2.py"},
	}, canvasNames("doejane_late_2045331_98765432_lab_2.py"), "older Canvas wrote late in lower case")
	require.Equal(t, []canvasName{
		{"bob", false, "123", "", "text.html"},
	}, canvasNames("bob_123_text.html"))
}

// TestReadCanvasLoginEndingInDigits: a sortable name ending in "_<digits>"
// ("Bob_123" is "bob_123") or made of digits is kept whole; Canvas's own
// first-two-numbers rule took its digits for the user id.
func TestReadCanvasLoginEndingInDigits(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"bob_123_2045331_98765432_server.go":       "bob's server",
		"bob_123_2045331_98765433_client.go":       "bob's client",
		"12345_LATE_2045332_98765434_server.py":    "digits",
		"doejane_2045333_98765435_2024_server.py":  "jane",
		"lee_7_2045334_text.html":                  "<p>see below</p>",
		"smithjohn_2045335_98765436_server.py":     "john",
		"oneilbob_2045336_98765437_server_v2_1.py": "bob o",
	})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Canvas, r.Layout)
	require.Equal(t, []row{
		{"12345", "2045332", "12345", "server.py", true, []string{"server.py"}},
		{"bob_123", "2045331", "bob-123", "server.go", false, []string{"client.go", "server.go"}},
		{"doejane", "2045333", "doejane", "2024_server.py", false, []string{"2024_server.py"}},
		{"lee_7", "2045334", "lee-7", "", false, []string{"text.html"}},
		{"oneilbob", "2045336", "oneilbob", "server_v2_1.py", false, []string{"server_v2_1.py"}},
		{"smithjohn", "2045335", "smithjohn", "server.py", false, []string{"server.py"}},
	}, rows(r))
	require.Equal(t, []string{"bob_123_2045331_98765432_server.go", "bob_123_2045331_98765433_client.go"},
		byName(t, r, "bob_123").Export, "the export's own names, for what goes back")
}
