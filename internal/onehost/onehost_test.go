package onehost

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/netif"
)

func iface(name string, up, lo bool, addrs ...string) netif.Iface {
	i := netif.Iface{Name: name, Up: up, Loopback: lo}
	for _, a := range addrs {
		i.Addrs = append(i.Addrs, netip.MustParsePrefix(a))
	}
	return i
}

func TestPickTarget(t *testing.T) {
	lo := iface("lo", true, true, "127.0.0.1/8", "::1/128")
	eth0 := iface("eth0", true, false, "172.17.0.5/16", "fe80::1/64")
	for _, tc := range []struct {
		name  string
		ifs   []netif.Iface
		want  string
		notOn []string
		err   string
	}{
		{"a container: eth0 called, loopback must refuse", []netif.Iface{lo, eth0}, "172.17.0.5:8000", []string{"127.0.0.1:8000"}, ""},
		{"eth0 first, whatever the order", []netif.Iface{lo, iface("eth1", true, false, "10.0.0.2/24"), eth0},
			"172.17.0.5:8000", []string{"127.0.0.1:8000", "10.0.0.2:8000"}, ""},
		{"no eth0: the first up interface", []netif.Iface{lo, iface("ens5", false, false, "10.1.0.2/24"), iface("ens6", true, false, "10.2.0.2/24")},
			"10.2.0.2:8000", []string{"127.0.0.1:8000"}, ""},
		{"eth0 down: the first up interface", []netif.Iface{lo, iface("eth0", false, false, "10.1.0.2/24"), iface("ens6", true, false, "10.2.0.2/24")},
			"10.2.0.2:8000", []string{"127.0.0.1:8000"}, ""},
		{"no network (PrairieLearn's default): not gradable, the set-up's", []netif.Iface{lo}, "", nil, "no network interface but loopback (it has: lo)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pickTarget(tc.ifs, "", 8000)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.ErrorContains(t, err, "set-up, not the program")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got.addr)
			require.Equal(t, tc.notOn, got.notOn)
		})
	}
}

func TestFindProgram(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   []string
		command []string
		dir     string
		note    string
		err     string
	}{
		{"the lecture's server.py", []string{"server.py", "notes.txt"}, []string{"python3", "-u", "server.py"}, ".", "", ""},
		{"in another case", []string{"Server.PY"}, []string{"python3", "-u", "Server.PY"}, ".", "", ""},
		{"in a folder, run there", []string{"lab1/src/server.py", "lab1/src/util.py"}, []string{"python3", "-u", "server.py"}, "lab1/src", "in the folder lab1/src", ""},
		{"the shallowest of two", []string{"old/server.py", "server.py"}, []string{"python3", "-u", "server.py"}, ".", "", ""},
		{"the only Python file", []string{"my_server.py", "README.md"}, []string{"python3", "-u", "my_server.py"}, ".", "no server.py", ""},
		{"hidden folders are not the submission", []string{".git/server.py", "x.py"}, []string{"python3", "-u", "x.py"}, ".", "its only Python file", ""},
		{"nothing to run", []string{"notes.txt"}, nil, "", "", "no server.py"},
		{"too many to choose from", []string{"a.py", "b.py"}, nil, "", "", "2 other Python files (a.py, b.py)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				p := filepath.Join(dir, filepath.FromSlash(f))
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, []byte("pass\n"), 0o644))
			}
			p, err := FindProgram(dir)
			if tc.err != "" {
				require.ErrorIs(t, err, ErrSubmission)
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.command, p.Command)
			require.Equal(t, tc.dir, p.Dir)
			if tc.note == "" {
				require.Empty(t, p.Note)
			} else {
				require.Contains(t, p.Note, tc.note)
			}
		})
	}
}

func TestLimitsArgs(t *testing.T) {
	l := Limits{}.withDefaults(25 * time.Second)
	require.Equal(t, []string{"-nproc=64", "-as=536870912", "-cpu=25", "-fsize=16777216", "-nofile=256"},
		l.args([]string{"python3", "-u", "server.py"}, 64))
	// A JVM maps gigabytes it never touches: its limit is on data.
	require.Contains(t, l.args([]string{"/usr/bin/java", "Server"}, 64), "-data=536870912")
	require.Equal(t, "-nproc=70", l.args([]string{"python3"}, 70)[0])
}

func TestCappedKeepsTheStartAndCountsTheRest(t *testing.T) {
	c := newCapped(10)
	for range 3 {
		n, err := c.Write([]byte("0123456"))
		require.NoError(t, err)
		require.Equal(t, 7, n, "never blocks nor fails the writer")
	}
	require.Equal(t, "0123456012\n[... 11 bytes more not kept: the grader keeps the first 10 bytes]\n", c.String())
	require.Equal(t, "", newCapped(10).String())
}

func TestSubmissionErrorsAreTheStudents(t *testing.T) {
	_, err := FindProgram(t.TempDir())
	require.True(t, errors.Is(err, ErrSubmission))
	require.True(t, strings.HasPrefix(err.Error(), "the submission cannot be graded: "))
}
