package grade

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sample is a report as a grade of the lecture's script gives it, cut short.
func sample() Report {
	ms := time.Millisecond
	return Report{
		Name:    "Ada, \"the\" student",
		Addr:    "127.0.0.1:8000",
		Timeout: 3 * time.Second,
		Checks: []Result{
			{ID: "answers", Name: "answers on the address graded", Title: "answers on 127.0.0.1:8000", Status: Pass,
				Reason: "the call was picked up.", Required: true, Elapsed: 2 * ms},
			{ID: "greeting", Name: `greets with "hello\n"`, Title: `greets with "hello\n"`, Status: Fail,
				Reason: `it said "howdy\x00\n" & <more>.`, Fix: `greet with exactly "hello\n".`, Required: true},
			{ID: "echo-3000", Name: "echoes one read of 3000 bytes", Title: "echoes one read of 3000 bytes", Status: Warn,
				Reason: "then a reset.", Required: true, Advisory: true},
			{ID: "silent-caller", Name: "handles a caller who says nothing", Title: "handles a caller who says nothing",
				Status: Skip, Reason: "not checked: the server stopped answering after one call"},
			{ID: "model", Name: "one employee or many", Title: "one employee or many", Status: Info,
				Reason: "many employees: a second caller was greeted."},
			{ID: "not-on", Name: "not reachable on another address", Title: "not reachable on 127.0.0.2:8000",
				Status: Skip, Reason: "not observed: it does not answer on its own address either", Required: true},
		},
		Calls:   3,
		Elapsed: 1234 * ms,
	}
}

func TestPassed(t *testing.T) {
	tests := []struct {
		name   string
		status []Status // of required checks
		extra  Status   // of a check that is not required
		want   bool
	}{
		{"all pass", []Status{Pass, Pass}, Skip, true},
		{"a warning passes", []Status{Pass, Warn}, Fail, true},
		{"a fact passes", []Status{Info}, Pass, true},
		{"a failure fails", []Status{Pass, Fail}, Pass, false},
		{"a required check not run fails", []Status{Pass, Skip}, Pass, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := []Result{{Status: tt.extra}}
			for _, s := range tt.status {
				checks = append(checks, Result{Status: s, Required: true})
			}
			require.Equal(t, tt.want, passed(checks))
		})
	}
}

func TestWriteText(t *testing.T) {
	var b strings.Builder
	require.NoError(t, sample().WriteText(&b))
	want := `Ada, "the" student: grading 127.0.0.1:8000 against the lecture's protocol (each step waits at most 3s)
PASS  answers on 127.0.0.1:8000: the call was picked up.
FAIL  greets with "hello\n": it said "howdy\x00\n" & <more>.
      fix: greet with exactly "hello\n".
WARN  echoes one read of 3000 bytes: then a reset.
SKIP  handles a caller who says nothing: not checked: the server stopped answering after one call
INFO  one employee or many: many employees: a second caller was greeted.
SKIP  not reachable on 127.0.0.2:8000: not observed: it does not answer on its own address either
FAIL  one required check failed, 1 not checked, one warning (3 calls in 1.2s)
`
	require.Equal(t, want, b.String())
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name string
		rep  Report
		want string
	}{
		{"passed", Report{Passed: true, Calls: 9, Elapsed: 3100 * time.Millisecond,
			Checks: []Result{{Status: Pass, Required: true}, {Status: Warn, Required: true}, {Status: Warn}}},
			"PASS  every required check passed, 2 warnings (9 calls in 3.1s)\n"},
		{"interrupted", Report{Interrupted: true, Calls: 1, Elapsed: 50 * time.Millisecond,
			Checks: []Result{{Status: Pass, Required: true}, {Status: Skip, Required: true}}},
			"FAIL  1 not checked, interrupted (one call in 50ms)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.rep.Summary())
		})
	}
}

func TestWriteJSON(t *testing.T) {
	var b strings.Builder
	require.NoError(t, sample().WriteJSON(&b))
	var got struct {
		Name    string `json:"name"`
		Addr    string `json:"addr"`
		Timeout int64  `json:"timeout_ns"`
		Checks  []struct {
			ID, Name, Status, Reason, Fix string
			Required, Advisory            bool
		} `json:"checks"`
	}
	require.NoError(t, json.Unmarshal([]byte(b.String()), &got), b.String())
	require.Equal(t, "127.0.0.1:8000", got.Addr)
	require.Equal(t, sample().Name, got.Name)
	require.Equal(t, int64(3*time.Second), got.Timeout)
	require.Len(t, got.Checks, 6)
	require.Equal(t, `greet with exactly "hello\n".`, got.Checks[1].Fix)
	c := got.Checks[2]
	require.Equal(t, "echo-3000", c.ID)
	require.Equal(t, "WARN", c.Status)
	require.True(t, c.Required && c.Advisory)
}

// TestWriteJUnit: a failure and a required check that could not run are
// failures, a check that is not required and could not run is skipped;
// names and classnames hold no address; the address is a property.
func TestWriteJUnit(t *testing.T) {
	var b strings.Builder
	require.NoError(t, sample().WriteJUnit(&b))
	out := b.String()
	require.True(t, strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`), out)
	var doc junitSuites
	require.NoError(t, xml.Unmarshal([]byte(out), &doc), out)
	require.Equal(t, []int{6, 2, 1}, []int{doc.Tests, doc.Failures, doc.Skipped})
	require.Len(t, doc.Suites, 1)
	s := doc.Suites[0]
	require.Equal(t, sample().Name, s.Name)
	require.Equal(t, "1.234", s.Time)
	require.Contains(t, s.Properties, junitProperty{"addr", "127.0.0.1:8000"})
	require.Contains(t, s.Properties, junitProperty{"verdict", "FAIL"})
	tests := []struct {
		name             string
		failure, skipped bool
		failType         string
	}{
		{"answers: answers on the address graded", false, false, ""},
		{`greeting: greets with "hello\n"`, true, false, "FAIL"},
		{"echo-3000: echoes one read of 3000 bytes", false, false, ""},
		{"silent-caller: handles a caller who says nothing", false, true, ""},
		{"model: one employee or many", false, false, ""},
		{"not-on: not reachable on another address", true, false, "not checked"},
	}
	for i, tt := range tests {
		c := s.Cases[i]
		require.Equal(t, tt.name, c.Name)
		require.Equal(t, Classname, c.Classname)
		require.NotContains(t, c.Name, "127.0.0")
		require.Equal(t, tt.failure, c.Failure != nil, c.Name)
		require.Equal(t, tt.skipped, c.Skipped != nil, c.Name)
		if tt.failure {
			require.Equal(t, tt.failType, c.Failure.Type)
			require.Equal(t, sample().Checks[i].Reason, c.Failure.Message)
		}
		if c.Skipped != nil {
			require.NotContains(t, c.Skipped.Message, "see the last line")
		}
	}
	require.Contains(t, s.Cases[1].Failure.Text, "\n      fix: greet with exactly")
	require.Contains(t, s.Cases[2].SystemOut, "WARN  echoes one read")
	require.Equal(t, "0.002", s.Cases[0].Time)
}

// TestWriteJUnitInvalidText: a byte XML forbids, even escaped, is replaced,
// so the file still parses; markup is escaped.
func TestWriteJUnitInvalidText(t *testing.T) {
	rep := Report{Checks: []Result{{ID: "x", Name: "<x>", Status: Fail, Reason: "a\x00b & \xff"}}}
	var b strings.Builder
	require.NoError(t, rep.WriteJUnit(&b))
	var doc junitSuites
	require.NoError(t, xml.Unmarshal([]byte(b.String()), &doc), b.String())
	c := doc.Suites[0].Cases[0]
	require.Equal(t, "x: <x>", c.Name)
	require.Equal(t, defaultSuite, doc.Suites[0].Name)
	require.NotContains(t, c.Failure.Message, "\x00")
	require.Contains(t, c.Failure.Message, "b & ")
}

func TestWriteGradescope(t *testing.T) {
	var b strings.Builder
	require.NoError(t, sample().WriteGradescope(&b))
	var got struct {
		Score         float64        `json:"score"`
		ExecutionTime float64        `json:"execution_time"`
		Output        string         `json:"output"`
		ExtraData     map[string]any `json:"extra_data"`
		Tests         []struct {
			Name     string   `json:"name"`
			Status   *string  `json:"status"`
			Score    *float64 `json:"score"`
			MaxScore *float64 `json:"max_score"`
			Output   string   `json:"output"`
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal([]byte(b.String()), &got), b.String())
	// Required: answers (passed), greeting (failed), echo-3000 (a warning
	// passes), not-on (could not run: failed): 2 of 4.
	require.Equal(t, 2.0, got.Score)
	require.Equal(t, 1.2, got.ExecutionTime)
	require.Equal(t, sample().Name, got.ExtraData["student"])
	require.Contains(t, got.Output, "FAIL  one required check failed")
	want := []struct {
		status          string // "" for none
		score, maxScore float64
	}{{"passed", 1, 1}, {"failed", 0, 1}, {"passed", 1, 1}, {"", 0, 0}, {"passed", 0, 0}, {"failed", 0, 1}}
	require.Len(t, got.Tests, len(want))
	for i, w := range want {
		tc := got.Tests[i]
		require.Equal(t, testName(sample().Checks[i]), tc.Name)
		require.NotContains(t, tc.Name, "127.0.0")
		if w.status == "" {
			require.Nil(t, tc.Status, tc.Name)
		} else {
			require.Equal(t, w.status, *tc.Status, tc.Name)
		}
		require.Equal(t, w.score, *tc.Score, tc.Name)
		require.Equal(t, w.maxScore, *tc.MaxScore, tc.Name)
	}
	require.Equal(t, "FAIL  greets with \"hello\\n\": it said \"howdy\\x00\\n\" & <more>.\n      fix: greet with exactly \"hello\\n\".", got.Tests[1].Output)
}

func TestWriteCSV(t *testing.T) {
	var b strings.Builder
	require.NoError(t, sample().WriteCSV(&b, true))
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	require.NoError(t, err, b.String())
	require.Equal(t, [][]string{CSVHeader, {sample().Name, "FAIL", "2", "4", "greeting not-on", "1.2",
		`greeting: it said "howdy\x00\n" & <more>.`}}, recs)
	// The name's comma and quotes are quoted, so the line stays 7 fields.
	require.Contains(t, b.String(), `"Ada, ""the"" student",FAIL`)

	b.Reset()
	pass := Report{Name: "bo", Passed: true, Elapsed: 3049 * time.Millisecond,
		Checks: []Result{{ID: "answers", Status: Pass, Required: true}, {ID: "model", Status: Info}}}
	require.NoError(t, pass.WriteCSV(&b, false))
	require.Equal(t, "bo,PASS,1,1,,3.0,\n", b.String())
}

func TestWriteMarkdownRow(t *testing.T) {
	var b strings.Builder
	r := sample()
	r.Name = "Ada | the student"
	require.NoError(t, r.WriteMarkdownRow(&b))
	require.Equal(t, "| Ada \\| the student | FAIL | 2/4 | greeting not-on | 1.2s | "+
		"greeting: it said \"howdy\\x00\\n\" & <more>. |\n", b.String())
}
