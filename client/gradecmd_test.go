package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/labtest"
	"github.com/socketlab/socketlab/internal/results"
)

func TestGradeUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string // part of stderr
	}{
		{"help", []string{"grade", "-h"}, exitOK, "usage: client grade [flags] HOST [PORT]"},
		{"no host", []string{"grade"}, exitUsage, "missing HOST"},
		{"zero timeout", []string{"grade", "-timeout", "0", "127.0.0.1"}, exitUsage, "-timeout must be positive"},
		{"not-on at another port", []string{"grade", "-not-on", "127.0.0.2:9000", "127.0.0.1"}, exitUsage, `bad -not-on "127.0.0.2:9000": it is called at the port under test, 8000`},
		{"empty not-on", []string{"grade", "-not-on", "", "127.0.0.1"}, exitUsage, "empty address"},
		{"not-on the graded address", []string{"grade", "-not-on", "127.0.0.1", "127.0.0.1", "8000"}, exitUsage, "-not-on 127.0.0.1 is 127.0.0.1:8000, the address being graded"},
		{"two ports", []string{"grade", "127.0.0.1:8000", "9000"}, exitUsage, `"127.0.0.1:8000" already has a port`},
		{"bad port in HOST:PORT", []string{"grade", "127.0.0.1:http"}, exitUsage, `bad PORT "http"`},
		{"max read below 1000", []string{"grade", "-max-read", "999", "127.0.0.1"}, exitUsage, "-max-read must be at least 1000"},
		{"csv header without csv", []string{"grade", "-csv-header", "127.0.0.1"}, exitUsage, "-csv-header needs -csv-file"},
		{"json and csv on stdout", []string{"grade", "-json", "-csv-file", "-", "127.0.0.1"}, exitUsage, "both write stdout"},
		{"gradescope file cannot be written", []string{"grade", "-gradescope-file", "/nonexistent/results.json", "127.0.0.1"}, exitUsage,
			"cannot write /nonexistent/results.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runClient(t, "", tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q; want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
}

func TestNotOnHost(t *testing.T) {
	tests := []struct {
		in   string
		host string // "" when it is bad usage
	}{
		{"10.0.0.2", "10.0.0.2"},
		{"laptop-b", "laptop-b"},
		{"[::1]", "::1"},
		{"10.0.0.2:8000", "10.0.0.2"}, // the port under test, said again
		{"[::1]:8000", "::1"},
		{"10.0.0.2:9000", ""}, // another port would be another test
		{"10.0.0.2:http", ""},
		{":8000", ""},
		{"[::1", ""},
	}
	for _, tt := range tests {
		host, err := notOnHost(tt.in, 8000)
		if host != tt.host || (err == nil) != (tt.host != "") {
			t.Errorf("notOnHost(%q) = %q, %v; want %q", tt.in, host, err, tt.host)
		}
	}
}

func TestGradeCommand(t *testing.T) {
	lecturer := labtest.Start(t, labtest.Lecture)
	howdy := labtest.Start(t, labtest.Scripted("howdy\n", nil))

	t.Run("text", func(t *testing.T) {
		// HOST:PORT in one operand, as a server prints where it listens.
		out, errOut, code := runClient(t, "", "grade", "-timeout", "500ms", "-not-on", "127.0.0.2", lecturer.Addr)
		if code != exitOK {
			t.Fatalf("exit %d; want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if want := "grading " + lecturer.Addr + " against the lecture's protocol (each step waits at most 500ms)"; lines[0] != want {
			t.Errorf("first line %q; want %q", lines[0], want)
		}
		if n := len(lines); n != 14 {
			t.Errorf("%d lines; want a header, 12 checks and a summary:\n%s", n, out)
		}
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "PASS  ") && !strings.HasPrefix(l, "INFO  one employee or many: many employees") {
				t.Errorf("line %q; want PASS (or the model)", l)
			}
		}
		if errOut != "" {
			t.Errorf("stderr %q; want nothing", errOut)
		}
	})

	t.Run("json and junit", func(t *testing.T) {
		junit := filepath.Join(t.TempDir(), "grade.xml")
		out, errOut, code := runClient(t, "", append([]string{"grade", "-timeout", "500ms", "-json", "-junit-file", junit}, target(howdy)...)...)
		if code != exitFail {
			t.Fatalf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", code, exitFail, out, errOut)
		}
		var rep struct {
			Passed bool `json:"passed"`
			Checks []struct {
				ID, Status string
			} `json:"checks"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
		}
		if rep.Passed || len(rep.Checks) != 11 || rep.Checks[1].ID != "greeting" || rep.Checks[1].Status != "FAIL" {
			t.Errorf("report %+v; want a failed grade, the greeting failing", rep)
		}
		data, err := os.ReadFile(junit)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil || doc.Tests != 11 || doc.Failures != 1 {
			t.Errorf("JUnit file: %+v, %v; want 11 tests, 1 failure\n%s", doc, err, data)
		}
	})

	t.Run("nothing listens", func(t *testing.T) {
		out, _, code := runClient(t, "", append([]string{"grade"}, closedPort(t)...)...)
		if code != exitFail {
			t.Fatalf("exit %d; want %d", code, exitFail)
		}
		if !strings.Contains(out, "FAIL  answers on 127.0.0.1:") || !strings.Contains(out, "SKIP  greets with") {
			t.Errorf("stdout:\n%s\nwant answers FAIL and the rest SKIP", out)
		}
	})

	t.Run("junit file cannot be written", func(t *testing.T) {
		_, errOut, code := runClient(t, "", append([]string{"grade", "-junit-file", filepath.Join(t.TempDir(), "no", "such", "dir.xml")}, closedPort(t)...)...)
		// Said before grading, as bad usage: nothing was called.
		if code != exitUsage || !strings.Contains(errOut, "cannot write") || strings.Contains(errOut, "answers") {
			t.Errorf("exit %d, stderr %q; want 2 and the reason", code, errOut)
		}
	})
}

// TestGradeOutputs: one grade labelled -name, written in every format a
// grader reads, and a second grade appended to the same CSV file.
func TestGradeOutputs(t *testing.T) {
	lecturer := labtest.Start(t, labtest.LectureScript)
	howdy := labtest.Start(t, labtest.Scripted("howdy\n", nil))
	dir := t.TempDir()
	junit, gs, csvFile := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "results.json"), filepath.Join(dir, "class.csv")
	// Stale content is replaced, never appended to.
	require.NoError(t, os.WriteFile(junit, []byte(strings.Repeat("stale ", 1000)), 0o644))

	out, errOut, code := runClient(t, "", "grade", "-timeout", "500ms", "-name", "Ada, A.", "-junit-file", junit,
		"-gradescope-file", gs, "-csv-file", csvFile, "-csv-header", lecturer.Addr)
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	require.True(t, strings.HasPrefix(out, "Ada, A.: grading "+lecturer.Addr), out)
	require.Contains(t, out, "WARN  echoes one read of 3000 bytes: the first 1000 came back, then a reset")

	data, err := os.ReadFile(junit)
	require.NoError(t, err)
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(data, &doc), string(data))
	require.Equal(t, 11, doc.Tests)
	require.Equal(t, 0, doc.Failures)
	require.Equal(t, "Ada, A.", doc.Suites[0].Name)
	for _, c := range doc.Suites[0].Cases {
		require.NotContains(t, c.Name, lecturer.Port())
		require.Equal(t, "socketlab.grade", c.Classname)
	}

	data, err = os.ReadFile(gs)
	require.NoError(t, err)
	var res struct {
		Score float64 `json:"score"`
		Tests []struct {
			Name   string  `json:"name"`
			Status string  `json:"status"`
			Score  float64 `json:"score"`
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal(data, &res), string(data))
	// weights.txt's points of every check but program (2: a server alone
	// has none) and not-on (2: no -not-on here), a warning passing.
	require.Equal(t, 16.0, res.Score)
	require.Equal(t, "answers: answers on the address graded", res.Tests[0].Name)

	// A second student, appended; no second header.
	out, _, code = runClient(t, "", "grade", "-timeout", "500ms", "-name", "bo", "-csv-file", csvFile, "-csv-header",
		howdy.Host(), howdy.Port())
	require.Equal(t, exitFail, code, out)
	data, err = os.ReadFile(csvFile)
	require.NoError(t, err)
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err, string(data))
	require.Len(t, recs, 3, string(data))
	require.Equal(t, results.CSVHeader, recs[0])
	require.Equal(t, []string{"Ada, A.", "PASS", "9", "9", ""}, recs[1][:5])
	require.Equal(t, []string{"bo", "FAIL", "8", "9", "greeting"}, recs[2][:5])
	require.Contains(t, recs[2][6], `greeting: it said "howdy\n".`)

	// -csv - prints the line after the report.
	out, _, _ = runClient(t, "", "grade", "-timeout", "500ms", "-name", "bo", "-csv-file", "-", howdy.Addr)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.True(t, strings.HasPrefix(lines[len(lines)-2], "FAIL  one required check failed"), out)
	require.True(t, strings.HasPrefix(lines[len(lines)-1], "bo,FAIL,8,9,greeting,"), out)
}
