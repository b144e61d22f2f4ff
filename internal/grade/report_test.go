package grade

import (
	"encoding/json"
	"fmt"
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
FAIL  one required check failed, 2 not run, one warning (3 calls in 1.2s)
`
	require.Equal(t, want, b.String())
}

// TestWriteResultLabelsANoteAsANote: a Fix that is no change to make
// ("note: ...") is printed as a note, never after "fix:"; advice under a
// check that passed (a WARN) is a "tip:", and "fix:" is a FAIL's alone.
func TestWriteResultLabelsANoteAsANote(t *testing.T) {
	tests := []struct {
		status    Status
		fix, want string
	}{
		{Warn, "read once: conn.recv(1000).", "      tip: read once: conn.recv(1000).\n"},
		{Fail, "read once: conn.recv(1000).", "      fix: read once: conn.recv(1000).\n"},
		{Pass, "a thread per caller.", "      tip: a thread per caller.\n"},
		{Warn, "note: fine for this exercise.", "      note: fine for this exercise.\n"},
		{Warn, "", ""},
	}
	for _, tt := range tests {
		var b strings.Builder
		require.NoError(t, WriteResult(&b, Result{Status: tt.status, Title: "echoes", Reason: "a reset.", Fix: tt.fix}))
		require.Equal(t, fmt.Sprintf("%-4s  echoes: a reset.\n", tt.status)+tt.want, b.String())
	}
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
			"FAIL  1 not run, interrupted (one call in 50ms)\n"},
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
