package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite README.md from the commands' -h")

// readme is README.md, the flags reference, as the commands' -h print it.
func readme(t *testing.T) string {
	var b strings.Builder
	b.WriteString("# client: flags reference\n\n" +
		"Every command of `client`: what it is for, then its usage and flags exactly as\n" +
		"`-h` prints them, then the exit statuses, which are the same in every command.\n" +
		"This file is generated: `go test ./client -run TestReadme -update` rewrites it\n" +
		"from the code, and the test fails when the two differ.\n\n")
	help := func(args ...string) string {
		_, errOut, code := runClient(t, "", append(args, "-h")...)
		if code != exitOK {
			t.Fatalf("client %s -h: exit %d", strings.Join(args, " "), code)
		}
		return fmt.Sprintf("```text\n$ %s\n%s```\n", strings.Join(append(append([]string{"client"}, args...), "-h"), " "), errOut)
	}
	b.WriteString("- [client](#client)\n")
	for _, name := range commandNames() {
		fmt.Fprintf(&b, "- [client %s](#client-%s)\n", name, strings.ReplaceAll(name, " ", "-"))
	}
	b.WriteString("- [Exit statuses](#exit-statuses)\n")
	b.WriteString("\n## client\n\nCall a server the way the lecture's telnet does; list the commands.\n\n" + help())
	for _, name := range commandNames() {
		for _, c := range commands {
			if c.name == name {
				fmt.Fprintf(&b, "\n## client %s\n\n%s.\n\n%s", name, strings.ToUpper(c.summary[:1])+c.summary[1:], help(strings.Fields(name)...))
			}
		}
	}
	b.WriteString("\n## Exit statuses\n\nThe same in every command; `client -h` ends with this.\n\n```text" + exitTable() + "```\n")
	return b.String()
}

// TestReadme keeps README.md equal to what the commands' -h print.
func TestReadme(t *testing.T) {
	want := readme(t)
	if *update {
		if err := os.WriteFile("README.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatalf("%v (go test ./client -run TestReadme -update writes it)", err)
	}
	if string(got) != want {
		t.Errorf("README.md is not the commands' -h: go test ./client -run TestReadme -update rewrites it\ngot:\n%s\nwant:\n%s", got, want)
	}
}
