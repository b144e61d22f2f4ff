package main

import (
	"context"
	"flag"
	"io"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite README.md from server -h")

// TestReadme keeps README.md, the flags reference, equal to what server -h
// prints: go test ./server -run TestReadme -update rewrites it.
func TestReadme(t *testing.T) {
	var usage strings.Builder
	run(context.Background(), []string{"-h"}, io.Discard, &usage)
	want := "# server: flags reference\n\n" +
		"The lecture's socket server: it binds an interface's IPv4 address, greets each\n" +
		"caller, reads once, echoes what it read and hangs up; its flags make it the\n" +
		"lecture's call center. This is `server -h`, word for word, exit statuses\n" +
		"included. It is generated: `go test ./server -run TestReadme -update` rewrites\n" +
		"it from the code, and the test fails when the two differ.\n\n" +
		"```text\n$ server -h\n" + usage.String() + "```\n"
	if *update {
		if err := os.WriteFile("README.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatalf("%v (go test ./server -run TestReadme -update writes it)", err)
	}
	if string(got) != want {
		t.Errorf("README.md is not server -h: go test ./server -run TestReadme -update rewrites it\ngot:\n%s\nwant:\n%s", got, want)
	}
}
