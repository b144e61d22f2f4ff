package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socketlab/socketlab/internal/labtest"
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
		{"bad not-on port", []string{"grade", "-not-on", "127.0.0.2:99999", "127.0.0.1"}, exitUsage, `bad -not-on "127.0.0.2:99999"`},
		{"empty not-on", []string{"grade", "-not-on", "", "127.0.0.1"}, exitUsage, "empty address"},
		{"not-on the graded address", []string{"grade", "-not-on", "127.0.0.1", "127.0.0.1", "8000"}, exitUsage, "-not-on 127.0.0.1:8000 is the address being graded"},
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

func TestSplitNotOn(t *testing.T) {
	tests := []struct {
		in   string
		host string
		port int
		ok   bool
	}{
		{"10.0.0.2", "10.0.0.2", 8000, true},
		{"10.0.0.2:9000", "10.0.0.2", 9000, true},
		{"laptop-b", "laptop-b", 8000, true},
		{"[::1]", "::1", 8000, true},
		{"[::1]:9000", "::1", 9000, true},
		{"10.0.0.2:0", "10.0.0.2", 0, false},
		{"10.0.0.2:http", "10.0.0.2", 0, false},
		{":9000", "", 9000, false},
	}
	for _, tt := range tests {
		host, port, ok := splitNotOn(tt.in, 8000)
		if ok != tt.ok || (ok && (host != tt.host || port != tt.port)) {
			t.Errorf("splitNotOn(%q) = %q, %d, %v; want %q, %d, %v", tt.in, host, port, ok, tt.host, tt.port, tt.ok)
		}
	}
}

func TestGradeCommand(t *testing.T) {
	lecturer := labtest.Start(t, labtest.Lecture)
	howdy := labtest.Start(t, labtest.Scripted("howdy\n", nil))

	t.Run("text", func(t *testing.T) {
		out, errOut, code := runClient(t, "", append([]string{"grade", "-timeout", "500ms", "-not-on", "127.0.0.2"}, target(lecturer)...)...)
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
		out, errOut, code := runClient(t, "", append([]string{"grade", "-timeout", "500ms", "-json", "-junit", junit}, target(howdy)...)...)
		if code != exitFailed {
			t.Fatalf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", code, exitFailed, out, errOut)
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
		if code != exitFailed {
			t.Fatalf("exit %d; want %d", code, exitFailed)
		}
		if !strings.Contains(out, "FAIL  answers on 127.0.0.1:") || !strings.Contains(out, "SKIP  greets with") {
			t.Errorf("stdout:\n%s\nwant answers FAIL and the rest SKIP", out)
		}
	})

	t.Run("junit file cannot be written", func(t *testing.T) {
		_, errOut, code := runClient(t, "", append([]string{"grade", "-junit", filepath.Join(t.TempDir(), "no", "such", "dir.xml")}, closedPort(t)...)...)
		// Said before grading, as bad usage: nothing was called.
		if code != exitUsage || !strings.Contains(errOut, "cannot write") || strings.Contains(errOut, "answers") {
			t.Errorf("exit %d, stderr %q; want 2 and the reason", code, errOut)
		}
	})
}
