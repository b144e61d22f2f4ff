package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/class"
	"github.com/socketlab/socketlab/internal/lms"
	"github.com/socketlab/socketlab/internal/roster/rostertest"
)

// gradeForLMS is `just class EXPORT` with the LMS settings lc, on the
// subnets of net (its own), and returns OUT/lms's file, parsed as CSV
// (a byte-order mark dropped), and the folder.
func gradeForLMS(t *testing.T, export, net string, lc lms.Config, file string) ([][]string, string) {
	t.Helper()
	requireLaptopImage(t)
	root, err := repoRoot()
	require.NoError(t, err)
	setBaseImages(t, root)
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	project := "socketlab-e2e-lms-" + strings.ReplaceAll(net, ".", "-")
	var log bytes.Buffer
	sum, err := class.Run(ctx, class.Config{Dir: export, Out: out, Repo: root, Jobs: 2, Timeout: 45 * time.Second,
		Net: net, Project: project, Progress: &log, LMS: lc})
	t.Logf("client class %s:\n%s", export, log.String())
	require.NoError(t, err)
	require.Zero(t, sum.LabErrors(), "the lab failed some submissions")
	requireNoClassLabs(t, project)
	require.Contains(t, log.String(), "class: back into the LMS: "+filepath.Join(out, "lms", "README.txt"))
	b, err := os.ReadFile(filepath.Join(out, "lms", file))
	require.NoError(t, err)
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
	recs, err := cr.ReadAll()
	require.NoError(t, err, "%s is CSV:\n%s", file, b)
	return recs, out
}

// pointsBy is a grade file's points by its first column.
func pointsBy(recs [][]string, points int) map[string]string {
	m := map[string]string{}
	for _, r := range recs[1:] {
		m[r[0]] = r[points]
	}
	return m
}

// TestClassGradesABlackboardExportIntoItsGradeCenterFile: Blackboard
// Learn's "Assignment File Download" as its zip, graded end to end: Jane's
// latest attempt (correct) counts over her first (on every address),
// Seán's (username with a "_") is on every address, Wei attached nothing.
// The Grade Center upload has each username with the points of
// internal/results/weights.txt and the feedback.
func TestClassGradesABlackboardExportIntoItsGradeCenterFile(t *testing.T) {
	good, anywhere := labFile(t, "deploy/student/server.py"), labFile(t, "e2e/testdata/student/anywhere/server.py")
	const a = "Lab 2 echo server"
	files := map[string]string{}
	rostertest.BlackboardAttempt(files, a, "Jane Doe", "jdoe", "2024-02-19-22-10-03", "", "server.py", anywhere)
	rostertest.BlackboardAttempt(files, a, "Jane Doe", "jdoe", "2024-02-20-00-35-07", "", "server.py", good)
	rostertest.BlackboardAttempt(files, a, "Seán O'Brien", "sobrien_2", "2024-02-20-10-02-44", "", "server.py", anywhere)
	rostertest.BlackboardAttempt(files, a, "Li Wei", "li.wei", "2024-02-20-12-00-00", "<p>import socket</p>")
	export := rostertest.Export{Name: "gradebook_NET101.2024FA_" + a + "_2024-02-21-09-00-00", Files: files}.Zip(t)

	recs, _ := gradeForLMS(t, export, "10.233", lms.Config{AssignmentID: "118854"}, "blackboard-grades.csv")
	// weights.txt's total under its policy, the lecture's one call: 14.
	require.Equal(t, []string{"Username", a + " [Total Pts: 14 Score] |118854", "Feedback to Learner", "Feedback Format"}, recs[0])
	require.Equal(t, map[string]string{"jdoe": "14", "sobrien_2": "12", "li.wei": "0"}, pointsBy(recs, 1))
	for _, r := range recs[1:] {
		require.Equal(t, "HTML", r[3])
		if r[0] == "sobrien_2" {
			require.Contains(t, r[2], "FAIL  not reachable on", "the failed check, in the student's feedback")
		}
	}
}

// TestClassGradesABrightspaceExportIntoItsGradesImport: Brightspace's
// "Download" as its zip, with index.html, graded end to end, and its
// gradebook export for the ids its download lacks: Mary-Ann's program is
// in a sub-folder of her zip, Zoë's is on every address, Ann's second
// submission (on every address) counts over her first (correct).
func TestClassGradesABrightspaceExportIntoItsGradesImport(t *testing.T) {
	good, anywhere := labFile(t, "deploy/student/server.py"), labFile(t, "e2e/testdata/student/anywhere/server.py")
	export := rostertest.Export{
		Name: "Lab 2 echo server Download Sep 24, 2024 926 PM",
		Files: map[string]string{
			"index.html": "<html><body>Lab 2 echo server</body></html>",
			`397065-2557371 - Zoë "Zo" Ünal - Sep 22, 2024 1201 AM/server.py`: anywhere,
			"397070-2557380 - Ann Lee - Sep 23, 2024 800 AM/server.py":        good,
			"397071-2557381 - Ann Lee - Sep 24, 2024 1108 AM/server.py":       anywhere,
		},
		Zips: map[string]map[string]string{
			"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM/lab2.zip": {"lab2/src/server.py": good},
		},
	}.Zip(t)
	gradebook := filepath.Join(t.TempDir(), "Lab 2_GradesExport.csv")
	require.NoError(t, os.WriteFile(gradebook, []byte(
		"OrgDefinedId,Username,Last Name,First Name,Email,Lab 2 echo server Points Grade <Numeric MaxPoints:20>,End-of-Line Indicator\r\n"+
			"#20067930,#msmith,Smith,Mary-Ann,msmith@uni.example,,#\r\n"+
			"#00067932,#zunal,Ünal,\"Zoë \"\"Zo\"\"\",zunal@uni.example,,#\r\n"+
			"#20067935,#alee,Lee,Ann,alee@uni.example,,#\r\n"), 0o644))

	recs, out := gradeForLMS(t, export, "10.234", lms.Config{Gradebook: gradebook}, "brightspace-grades.csv")
	require.Equal(t, []string{"OrgDefinedId", "Username", "Lab 2 echo server Points Grade <Numeric MaxPoints:20>", "End-of-Line Indicator"}, recs[0])
	require.Equal(t, map[string]string{"#20067930": "14", "#00067932": "12", "#20067935": "12"}, pointsBy(recs, 2))

	// The feedback goes back in the download's own folders, byte for byte.
	zr, err := zip.OpenReader(filepath.Join(out, "lms", "brightspace-feedback.zip"))
	require.NoError(t, err)
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	require.ElementsMatch(t, []string{
		"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM/" + lms.FeedbackFile,
		`397065-2557371 - Zoë "Zo" Ünal - Sep 22, 2024 1201 AM/` + lms.FeedbackFile,
		"397071-2557381 - Ann Lee - Sep 24, 2024 1108 AM/" + lms.FeedbackFile,
	}, names)
}

// labFile is one of the repository's files, as text.
func labFile(t *testing.T, p string) string {
	t.Helper()
	root, err := repoRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
	require.NoError(t, err)
	return string(b)
}
