package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/labtest"
)

// flagHelp is each flag of a command's -h: its name, and its words with
// the default left out (a default may differ from command to command).
func flagHelp(t *testing.T, args ...string) map[string]string {
	t.Helper()
	_, errOut, code := runClient(t, "", append(args, "-h")...)
	require.Equal(t, exitOK, code, errOut)
	flags := map[string]string{}
	name := ""
	for _, line := range strings.Split(errOut, "\n") {
		switch {
		case strings.HasPrefix(line, "  -"):
			name, _, _ = strings.Cut(strings.TrimPrefix(line, "  -"), " ")
			flags[name] = line
		case strings.HasPrefix(line, "    \t") && name != "":
			flags[name] += "\n" + line
		default:
			name = ""
		}
	}
	for n, h := range flags {
		flags[n] = regexp.MustCompile(` \(default [^)]*\)$`).ReplaceAllString(h, "")
	}
	return flags
}

// TestOneMeaningPerFlag: a flag that several commands have is said in
// the same words in each. -port, -iface and -report are the exceptions:
// the same port, interface and report, seen from each command (the port
// watched, listened on, or called; the report written or read).
func TestOneMeaningPerFlag(t *testing.T) {
	seen := map[string]string{} // flag: the first command that has it
	words := map[string]string{}
	for _, name := range append([]string{""}, commandNames()...) {
		for flag, help := range flagHelp(t, strings.Fields(name)...) {
			switch flag {
			case "port", "iface", "report":
				continue
			}
			if first, ok := seen[flag]; ok {
				require.Equal(t, words[flag], help, "-%s in client %s and client %s", flag, first, name)
				continue
			}
			seen[flag], words[flag] = name, help
		}
	}
	// The words the issue was about: one meaning each.
	require.Contains(t, words["json"], "print the result as JSON on stdout")
	require.Contains(t, words["timeout"], "at each step of a call")
	require.Contains(t, words["wait"], "a server that is still starting")
	require.Contains(t, words["not-on"], "-not-on HOST")
}

// TestEveryCommandListed: client -h names every command, and each has
// its own -h and its line in the exit statuses.
func TestEveryCommandListed(t *testing.T) {
	_, usage, code := runClient(t, "", "-h")
	require.Equal(t, exitOK, code)
	for _, want := range []string{"bench", "grade", "watch", "view", "onehost", "class", "student run", "student check", "student judge"} {
		require.Regexp(t, "\n  "+want+" +[a-z]", usage, "client -h lists %s", want)
		_, help, code := runClient(t, "", append(strings.Fields(want), "-h")...)
		require.Equal(t, exitOK, code, help)
		require.True(t, strings.HasPrefix(help, "usage: client "+want), help)
		require.Contains(t, exitUses, "client "+want)
		require.Contains(t, help, "exit", "client %s -h says how it exits", want)
	}
	require.Contains(t, usage, "exit status, the same in every command:\n  0    ok")
	for _, c := range exitCodes {
		require.Contains(t, usage, fmt.Sprintf("\n  %-4d %s", c.code, strings.Fields(c.long)[0]))
	}
	for name, use := range exitUses {
		for _, code := range use.codes {
			found := false
			for _, c := range exitCodes {
				found = found || c.code == code
			}
			require.True(t, found, "%s exits %d, which the table does not have", name, code)
		}
	}
}

// TestOldSpellings: the names the vocabulary changed. An old name that
// means nothing else now works for one release, with a note; one that
// would mean two things is an error that says the new name.
func TestOldSpellings(t *testing.T) {
	srv := labtest.Start(t, labtest.Lecture)
	dir := t.TempDir()

	t.Run("grade -junit", func(t *testing.T) {
		junit := filepath.Join(dir, "junit.xml")
		_, errOut, code := runClient(t, "", "grade", "-timeout", "500ms", "-allow-once", "-junit", junit, srv.Addr)
		require.Equal(t, exitOK, code, errOut)
		require.Equal(t, "client grade: -junit is renamed -junit-file; the old name goes in the next release\n", errOut)
		require.FileExists(t, junit)
	})
	t.Run("bench -hold -timeout", func(t *testing.T) {
		out, errOut, code := runClient(t, "", "bench", "-hold", "3", "-timeout", "5s", srv.Addr)
		require.Equal(t, exitOK, code, errOut)
		require.Contains(t, errOut, "client bench: with -hold, the hold's length is -hold-timeout now; -timeout 5s is taken for it\n")
		require.Contains(t, out, "greeted 3, failed 0")
	})
	checkUsage(t, []usageCase{
		{"student check -json FILE", []string{"student", "check", "-json", filepath.Join(dir, "grade.json"), "127.0.0.1"}, exitUsage,
			[]string{"-json FILE is renamed -json-file FILE"}},
		{"class -timeout", []string{"class", "-timeout", "60s", dir}, exitUsage, []string{"-timeout is renamed -submission-timeout here"}},
		{"student judge -wait", []string{"student", "judge", "-wait", "5s"}, exitUsage, []string{"-wait is renamed -call-wait here"}},
		{"watch -pcap", []string{"watch", "-pcap", filepath.Join(dir, "x.pcap"), "-iface", "en0"}, exitUsage,
			[]string{"client watch: -pcap is renamed -pcap-file", "no such interface"}},
		{"student here", []string{"student", "here", "-h"}, exitOK, []string{`"client student here" is renamed "client onehost"`, "usage: client onehost"}},
		{"grade -md and -csv", []string{"grade", "-csv-header", "-md", "x.md", "127.0.0.1"}, exitUsage,
			[]string{"-md is renamed -md-file", "-csv-header needs -csv-file"}},
	})
	_, err := os.Stat(filepath.Join(dir, "x.pcap"))
	require.True(t, os.IsNotExist(err), "a watch that cannot capture leaves no file")
}

// TestClassSaysWhatItsStatusOneMeans: a TA reads client class -h to script
// a class run; its status 1 is the lab failing some submissions, not a
// network error of the TA's.
func TestClassSaysWhatItsStatusOneMeans(t *testing.T) {
	_, help, code := runClient(t, "", "class", "-h")
	require.Equal(t, exitOK, code, help)
	flat := strings.Join(strings.Fields(help), " ")
	require.Contains(t, flat, "1 the lab could not grade some submissions")
	require.NotContains(t, flat, "1 network error")
}
