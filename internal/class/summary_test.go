package class

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/roster"
)

// TestSummaryKeepsNamesAsData: names with commas, quotes, a pipe, a
// newline and accents come back from summary.csv exactly, and each is one
// cell of summary.md.
func TestSummaryKeepsNamesAsData(t *testing.T) {
	names := []string{`O'Neil, Bob`, `Zoë "Zed" Ünal`, "pipe | name", "two\nlines"}
	var sum Summary
	for i, n := range names {
		g := &grade.Report{Name: "laptop-b's label", Passed: i%2 == 0, Checks: []grade.Result{{ID: "echo", Required: true, Status: grade.Pass}}}
		if !g.Passed {
			g.Checks[0].Status, g.Checks[0].Reason = grade.Fail, "it said nothing"
		}
		v := "PASS"
		if !g.Passed {
			v = "FAIL"
		}
		g.Elapsed = 300 * time.Millisecond // the calls alone, within the lab's second
		sum.Rows = append(sum.Rows, Row{Sub: roster.Submission{Name: n, ID: "12", Program: "hw1/server.py", Late: i == 1}, Verdict: v, Grade: &results.Submission{Report: *g}, Took: time.Second})
	}
	sum.Rows = append(sum.Rows, Row{Sub: roster.Submission{Name: "ken"}, Verdict: NotGraded, Note: "no server.py"})
	out := t.TempDir()
	require.NoError(t, writeSummary(out, "class", sum, Config{Jobs: 3, Timeout: time.Minute, Weights: results.Default()}))

	f, err := os.Open(filepath.Join(out, "summary.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, Header, recs[0])
	require.Len(t, recs, len(names)+2)
	for i, n := range names {
		require.Equal(t, n, recs[i+1][0], "the LMS's name, not laptop-b's label")
		require.Equal(t, "hw1/server.py", recs[i+1][len(Header)-1])
	}
	require.Equal(t, []string{"PASS", "FAIL", "PASS", "FAIL", NotGraded}, []string{recs[1][1], recs[2][1], recs[3][1], recs[4][1], recs[5][1]})
	require.Equal(t, "late", recs[2][len(Header)-2])
	points, maxPoints := slices.Index(Header, "points"), slices.Index(Header, "max")
	total := results.Default().Total()
	require.Equal(t, []string{"0", strconv.FormatFloat(total, 'g', -1, 64)}, []string{recs[5][points], recs[5][maxPoints]},
		"a submission with no program scores 0, as in every grade file")
	seconds := slices.Index(Header, "seconds")
	require.Equal(t, "1.0", recs[1][seconds], "the whole lab's time, as summary.md's Time")

	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	require.NoError(t, err)
	rows := 0
	_, students, ok := strings.Cut(string(md), "## Students")
	require.True(t, ok, "%s", md)
	for line := range strings.Lines(students) {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| Student") {
			rows++
			require.Equal(t, 8, strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"), "one row of 7 cells: %q", line)
			if strings.Contains(line, "ken") {
				require.Contains(t, line, fmt.Sprintf("| 0/%g |", total), "no program scores 0")
			} else {
				require.Contains(t, line, "| 1.0s |", "the same time as summary.csv's")
			}
		}
	}
	require.Equal(t, len(names)+1, rows, "%s", md)
	require.Contains(t, string(md), `pipe \| name`)
	require.Contains(t, string(md), "two lines")
}

func TestSubcommandLeavesOutTheComposeFiles(t *testing.T) {
	d := &docker{cfg: Config{Repo: "/r"}}
	got := subcommand(append(d.compose("p-1"), "up", "-d", "--no-build"))
	require.Equal(t, "up -d --no-build", got)
}

// TestDockerSaidSaysWhy: a lab's error note gives docker's reason, not
// compose's progress line before it.
func TestDockerSaidSaysWhy(t *testing.T) {
	err := errors.New("docker up --no-start --no-build: exit status 1:  Network p-0_lab  Creating\n Network p-0_lab  Error\nfailed to create network p-0_lab: Error response from daemon: Pool overlaps with other one on this address space")
	require.Equal(t, "docker up --no-start --no-build: exit status 1:  Network p-0_lab  Creating failed to create network p-0_lab: Error response from daemon: Pool overlaps with other one on this address space", dockerSaid(err))
}

func TestCappedKeepsAtMostItsCap(t *testing.T) {
	b := capped(make([]byte, 1_000_000), logCap)
	require.LessOrEqual(t, len(b), logCap)
	require.Contains(t, string(b), "more bytes not kept]")
	require.Equal(t, "short", string(capped([]byte("short"), logCap)))
}

// TestCauseGroupsAreNamedInGeneralWords: students with the same kind of
// mistake on different lines are one group, named by what they share,
// never by one student's line; a cause with no label of its own is named
// by the check it failed.
func TestCauseGroupsAreNamedInGeneralWords(t *testing.T) {
	for _, c := range []results.Cause{
		{ID: "syntax", Check: "program", Says: "line 24: Python could not read your file: '(' was never closed."},
		{ID: "name-error", Check: "program", Says: "line 21: date is not defined: a typo."},
		{ID: "empty-file", Check: "program", Says: "your server.py is empty: there is nothing in it to run."},
		{ID: "some-new-finding", Check: "greeting", Says: "line 9: something only one student wrote."},
	} {
		l := causeLabel(c)
		require.NotContains(t, l, "line ", "a group's label is no one student's line: %q", l)
		require.NotContains(t, l, "your ", "a group's label is no one student's words: %q", l)
	}
	require.Equal(t, causeLabels["greeting"], causeLabel(results.Cause{ID: "some-new-finding", Check: "greeting", Says: "line 9: x."}))
}

// TestSummarySaysWhichFileWasGraded: the note says which file was graded
// and why, after the first cause, and the file column names the upload the
// program came from when the student named it otherwise.
func TestSummarySaysWhichFileWasGraded(t *testing.T) {
	g := &results.Submission{Report: grade.Report{Passed: true, Checks: []grade.Result{{ID: "echo", Required: true, Status: grade.Pass}}}}
	rows := []Row{
		{Sub: roster.Submission{Name: "cooperwei", Program: "server.py", Note: "server.py is server-1.py, as Canvas renamed a resubmission",
			Export: []string{"cooperwei_LATE_2045525_98766608_server-1.py"}}, Verdict: "PASS", Grade: g},
		{Sub: roster.Submission{Name: "petersonmichelle", Program: "server.py", Note: "graded server.py, named as asked (also uploaded server_old.py, not graded)",
			Export: []string{"petersonmichelle_2045277_98765674_server.py", "petersonmichelle_2045277_98765681_server_old.py"}}, Verdict: "PASS", Grade: g},
		{Sub: roster.Submission{Name: "alice", Program: "server.py", Export: []string{"alice/"}}, Verdict: "PASS", Grade: g},
	}
	file, note := slices.Index(Header, "file"), slices.Index(Header, "note")
	w := results.Default()
	require.Equal(t, "server.py, from cooperwei_LATE_2045525_98766608_server-1.py", rows[0].record(w)[file])
	require.Equal(t, rows[0].Sub.Note, rows[0].record(w)[note])
	require.Equal(t, "server.py", rows[1].record(w)[file])
	require.Contains(t, rows[1].record(w)[note], "also uploaded server_old.py")
	require.Equal(t, []string{"server.py", ""}, []string{rows[2].record(w)[file], rows[2].record(w)[note]})
}
