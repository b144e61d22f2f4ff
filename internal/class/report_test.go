package class

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/roster"
	"github.com/socketlab/socketlab/internal/student"
)

// failing is a FAIL of the check, explained by the finding id (none
// when "").
func failing(name, check, id, says string) Row {
	g := &results.Submission{Report: grade.Report{Name: name, Checks: []grade.Result{
		{ID: "program", Name: "runs", Title: "runs", Status: grade.Pass, Required: true},
		{ID: "answers", Name: "answers", Title: "answers on 10.0.0.10:8000", Status: grade.Pass, Required: true},
		{ID: "not-on", Name: "not on", Title: "not reachable on 10.0.100.10:8000", Status: grade.Pass, Required: true},
		{ID: "still-there", Name: "still answers after the checks", Status: grade.Skip, Required: true},
	}}}
	for i := range g.Report.Checks {
		if c := &g.Report.Checks[i]; c.ID == check {
			c.Status, c.Reason, c.Fix = grade.Fail, says, "bind one address"
		}
	}
	if id != "" {
		g.Findings = []student.Finding{{ID: id, Says: says}}
	}
	return Row{Sub: roster.Submission{Name: name, Key: strings.ToLower(strings.Fields(name)[0]), Program: "server.py"}, Verdict: "FAIL", Grade: g, Took: 3 * time.Second}
}

func passing(name string) Row {
	return Row{Sub: roster.Submission{Name: name, Key: name, Program: "server.py"}, Verdict: "PASS",
		Grade: &results.Submission{Report: grade.Report{Name: name, Passed: true, Checks: []grade.Result{{ID: "answers", Status: grade.Pass, Required: true}}}}}
}

// classOf is a class a TA knows: most pass, the rest for a handful of
// reasons, and one with nothing to grade.
func classOf() Summary {
	return Summary{Layout: roster.Folders, Graded: 7, Rows: []Row{
		passing("alice"),
		failing("carol", "not-on", "all-interfaces", "your server listens on 0.0.0.0:8000. Bind one."),
		failing("bob", "program", "python2-print", "line 21: this is Python 2 code."),
		failing("Eve \"<img src=x onerror=alert(1)>\" O'Neil", "not-on", "all-interfaces", "your server listens on 0.0.0.0:8000."),
		passing("judy"),
		failing("zed", "answers", "some-new-cause", "a cause with no label yet. More words."),
		failing("yan", "answers", "", "connection refused: nothing listens there."),
		{Sub: roster.Submission{Name: "ken", Key: "ken"}, Verdict: NotGraded, Note: "no server.py found"},
	}}
}

// TestSummaryOpensWithTheClassAtAGlance: summary.md counts the verdicts
// and ranks the first causes, most common first, before the students.
func TestSummaryOpensWithTheClassAtAGlance(t *testing.T) {
	out := t.TempDir()
	require.NoError(t, writeSummary(out, "class", classOf(), Config{Jobs: 3, Timeout: time.Minute, Weights: results.Default()}))
	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	require.NoError(t, err)
	s := string(md)
	require.Contains(t, s, "8 submissions from `class` (one folder per student): 2 PASS, 5 FAIL, 1 not graded.")
	glance, students, ok := strings.Cut(s, "## Students")
	require.True(t, ok)
	require.Contains(t, glance, "## First causes")
	_, ranking, _ := strings.Cut(glance, "|---:|---|---|\n")
	lines := strings.Split(strings.TrimSpace(ranking), "\n")
	require.Equal(t, []string{
		`| 2 | bound all addresses (0.0.0.0 or ::), not eth0's | carol, Eve "<img src=x onerror=alert(1)>" O'Neil |`,
		"| 2 | did not answer on eth0's address | zed, yan |",
		"| 1 | wrote Python 2, which Python 3 refuses | bob |",
		"| 1 | not graded: no program found in the submission | ken |",
	}, lines)
	require.Contains(t, students, "| carol | FAIL | 5/9 | 2/4 | your server listens on 0.0.0.0:8000. Bind one. | 3.0s | server.py |",
		"points of the weights, and the first cause")
}

// TestReportIsOnePageWithNamesAsText: report.html holds everything it
// shows (no link to the network), each student's transcript from their
// folder, and names escaped: a name is text, never markup.
func TestReportIsOnePageWithNamesAsText(t *testing.T) {
	out := t.TempDir()
	sum := classOf()
	require.NoError(t, os.MkdirAll(filepath.Join(out, "bob"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out, "bob", "grade.txt"), []byte("Trying 10.0.0.10...\n<b>verdict: FAIL</b>\n"), 0o644))
	cfg := Config{Out: out, Dir: "/x/class", Jobs: 3, Timeout: time.Minute, Weights: results.Default()}
	require.NoError(t, writeReport(filepath.Join(out, "report.html"), sum, cfg))
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	require.NoError(t, err)
	page := string(b)
	require.NotContains(t, page, "<img")
	require.Contains(t, page, "Eve &#34;&lt;img src=x onerror=alert(1)&gt;&#34; O&#39;Neil")
	require.Contains(t, page, "&lt;b&gt;verdict: FAIL&lt;/b&gt;", "the transcript is text too")
	for _, far := range []string{"http://", "https://", "//cdn", "src=\"http", "@import"} {
		require.NotContains(t, page, far, "nothing from the network")
	}
	require.Equal(t, 4, strings.Count(page, `<rect class="bar"`), "a bar per first cause")
	require.Contains(t, page, `data-count="2"`)
	require.Equal(t, len(sum.Rows), strings.Count(page, `<details class="student"`))
}

// TestPlanKeepsWhatStillHolds: with records on disk, a run keeps the
// grades of the same files and grader, regrades the changed, the new and
// the lab errors, and rewrites the points of the kept under new weights.
func TestPlanKeepsWhatStillHolds(t *testing.T) {
	repo, out, export := t.TempDir(), t.TempDir(), t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "internal"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "internal", "x.go"), []byte("package x"), 0o644))
	for _, s := range []string{"alice", "bob", "carol", "dave"} {
		require.NoError(t, os.MkdirAll(filepath.Join(export, s), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(export, s, "server.py"), []byte("# "+s+"\n"), 0o644))
	}
	r, err := roster.Read(export, roster.Want{})
	require.NoError(t, err)
	cfg := Config{Repo: repo, Out: out, Timeout: time.Minute, Weights: results.Default()}
	grader, err := graderHash(repo, nil)
	require.NoError(t, err)
	g := failing("x", "not-on", "all-interfaces", "0.0.0.0").Grade
	for _, sub := range r.Submissions {
		files, err := filesHash(sub)
		require.NoError(t, err)
		rec := record{Version: recordVersion, Name: sub.Name, Files: files, Grader: grader, Weights: weightsHash(cfg.Weights), Timeout: time.Minute, Verdict: "FAIL", Grade: g}
		if sub.Name == "dave" {
			rec.Verdict, rec.Grade = LabError, nil
		}
		require.NoError(t, save(cfg, rec, Row{Sub: sub, Verdict: rec.Verdict, Grade: rec.Grade}, []byte("said\n"), nil))
	}
	// bob resubmits; erin hands in late.
	require.NoError(t, os.WriteFile(filepath.Join(export, "bob", "server.py"), []byte("# bob again\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(export, "erin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(export, "erin", "server.py"), []byte("# erin\n"), 0o644))
	r, err = roster.Read(export, roster.Want{})
	require.NoError(t, err)

	sum := Summary{Rows: make([]Row, len(r.Submissions))}
	todo, err := plan(cfg, r.Submissions, &sum)
	require.NoError(t, err)
	why := map[string]string{}
	for _, j := range todo {
		why[j.sub.Name] = j.why
	}
	require.Equal(t, map[string]string{"bob": "changed", "dave": "not graded before", "erin": "new"}, why)
	require.Equal(t, 2, sum.Kept)
	require.Equal(t, "kept 2 grades from the last run, grading 3 (1 changed, 1 not graded before, 1 new)", planWords(sum, todo, false))
	require.True(t, sum.Rows[0].Kept)
	require.Equal(t, "FAIL", sum.Rows[0].Verdict)

	// New weights: nothing to grade again, the points written again.
	w, err := results.ParseWeights(strings.NewReader("not-on 7\n"))
	require.NoError(t, err)
	cfg.Weights = w
	sum = Summary{Rows: make([]Row, len(r.Submissions))}
	_, err = plan(cfg, r.Submissions, &sum)
	require.NoError(t, err)
	require.Equal(t, 2, sum.Rescored)
	gs, err := os.ReadFile(filepath.Join(out, "alice", "results.json"))
	require.NoError(t, err)
	require.Contains(t, string(gs), `"max_score": 7`)

	// -regrade: everything.
	cfg.Regrade = true
	sum = Summary{Rows: make([]Row, len(r.Submissions))}
	todo, err = plan(cfg, r.Submissions, &sum)
	require.NoError(t, err)
	require.Len(t, todo, 5)
	require.Equal(t, "grading all 5 submissions again (-regrade)", planWords(sum, todo, true))
}
