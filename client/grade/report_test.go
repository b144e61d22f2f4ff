package grade

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// sample is a report as a grade of the lecture's script gives it, cut short.
func sample() Report {
	ms := time.Millisecond
	return Report{
		Addr:    "127.0.0.1:8000",
		Timeout: 3 * time.Second,
		Checks: []Result{
			{ID: "answers", Title: "answers on 127.0.0.1:8000", Status: Pass, Reason: "the call was picked up.", Required: true, Elapsed: 2 * ms},
			{ID: "greeting", Title: `greets with "hello\n"`, Status: Fail, Reason: `it said "howdy\x00\n" & <more>: the greeting is exactly "hello\n".`, Required: true},
			{ID: "echo-3000", Title: "echoes one read (at most 1000 bytes) of 3000", Status: Warn, Reason: "then a reset (RST).", Required: true},
			{ID: "silent-caller", Title: "handles a caller who says nothing", Status: Skip, Reason: "not checked: the server stopped answering after one call (see the last line)"},
			{ID: "model", Title: "one employee or many", Status: Info, Reason: "many employees: a second caller was greeted."},
			{ID: "still-there", Title: "still answers after the checks", Status: Skip, Reason: "not checked: nothing answered", Required: true},
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
			if got := passed(checks); got != tt.want {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestWriteText(t *testing.T) {
	var b strings.Builder
	if err := sample().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `grading 127.0.0.1:8000 against the lecture's protocol (each step waits at most 3s)
PASS  answers on 127.0.0.1:8000: the call was picked up.
FAIL  greets with "hello\n": it said "howdy\x00\n" & <more>: the greeting is exactly "hello\n".
WARN  echoes one read (at most 1000 bytes) of 3000: then a reset (RST).
SKIP  handles a caller who says nothing: not checked: the server stopped answering after one call (see the last line)
INFO  one employee or many: many employees: a second caller was greeted.
SKIP  still answers after the checks: not checked: nothing answered
FAIL  one required check failed, 1 not checked, one warning (3 calls in 1.2s)
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
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
			"FAIL  1 not checked, interrupted (one call in 50ms)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rep.Summary(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	var b strings.Builder
	if err := sample().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Addr    string `json:"addr"`
		Timeout int64  `json:"timeout_ns"`
		Passed  bool   `json:"passed"`
		Checks  []struct {
			ID       string `json:"id"`
			Status   string `json:"status"`
			Reason   string `json:"reason"`
			Required bool   `json:"required"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if got.Addr != "127.0.0.1:8000" || got.Timeout != int64(3*time.Second) || len(got.Checks) != 6 {
		t.Errorf("got %+v", got)
	}
	if c := got.Checks[2]; c.ID != "echo-3000" || c.Status != "WARN" || !c.Required || c.Reason != "then a reset (RST)." {
		t.Errorf("third check %+v; want the echo-3000 warning", c)
	}
}

func TestWriteJUnit(t *testing.T) {
	var b strings.Builder
	if err := sample().WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML header:\n%s", out)
	}
	var doc junitSuites
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, out)
	}
	if doc.Tests != 6 || doc.Failures != 1 || doc.Skipped != 2 || len(doc.Suites) != 1 {
		t.Fatalf("tests %d, failures %d, skipped %d, suites %d; want 6, 1, 2, 1\n%s", doc.Tests, doc.Failures, doc.Skipped, len(doc.Suites), out)
	}
	s := doc.Suites[0]
	if s.Name != "client grade 127.0.0.1:8000" || s.Tests != 6 || s.Time != "1.234" || len(s.Cases) != 6 {
		t.Errorf("suite %q, %d tests, time %s, %d cases", s.Name, s.Tests, s.Time, len(s.Cases))
	}
	tests := []struct {
		i                     int
		name                  string
		failure, skipped, out bool
	}{
		{0, "answers: answers on 127.0.0.1:8000", false, false, true},
		{1, `greeting: greets with "hello\n"`, true, false, false},
		{2, "echo-3000: echoes one read (at most 1000 bytes) of 3000", false, false, true},
		{3, "silent-caller: handles a caller who says nothing", false, true, false},
		{4, "model: one employee or many", false, false, true},
		{5, "still-there: still answers after the checks", false, true, false},
	}
	for _, tt := range tests {
		c := s.Cases[tt.i]
		if c.Name != tt.name || (c.Failure != nil) != tt.failure || (c.Skipped != nil) != tt.skipped || (c.SystemOut != "") != tt.out {
			t.Errorf("case %d: %+v; want name %q, failure %v, skipped %v, system-out %v", tt.i, c, tt.name, tt.failure, tt.skipped, tt.out)
		}
	}
	if f := s.Cases[1].Failure; f == nil || f.Message != sample().Checks[1].Reason {
		t.Errorf("failure %+v; want the reason as its message", f)
	}
	if s.Cases[0].Time != "0.002" {
		t.Errorf("time %q; want 0.002", s.Cases[0].Time)
	}
}

// TestWriteJUnitInvalidText: a byte XML forbids, even escaped, is replaced,
// so the file still parses; markup is escaped.
func TestWriteJUnitInvalidText(t *testing.T) {
	rep := Report{Checks: []Result{{ID: "x", Title: "<x>", Status: Fail, Reason: "a\x00b & \xff"}}}
	var b strings.Builder
	if err := rep.WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	c := doc.Suites[0].Cases[0]
	if c.Name != "x: <x>" || c.Failure == nil || strings.ContainsRune(c.Failure.Message, 0) || !strings.Contains(c.Failure.Message, "b & ") {
		t.Errorf("case %+v", c)
	}
}
