//go:build linux

package student

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// What the program started ends with it, even a child that holds its
// output open: the supervisor neither waits for it nor leaves it behind.
func TestSuperviseEndsWhatTheProgramStarted(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	_, err := Supervise(context.Background(), Config{
		Command: []string{"sh", "-c", "sleep 30 & echo $!; exit 0"},
		Report:  filepath.Join(t.TempDir(), "report.json"), Linger: -1, Stdout: &out,
	})
	require.NoError(t, err)
	require.Less(t, time.Since(start), 10*time.Second)
	pid := strings.TrimSpace(out.String())
	require.NotEmpty(t, pid)
	// Gone, or a zombie until its new parent reaps it: not running.
	require.Eventually(t, func() bool {
		status, err := os.ReadFile("/proc/" + pid + "/status")
		return err != nil || strings.Contains(string(status), "State:\tZ")
	}, 2*time.Second, 10*time.Millisecond, "the program's child still runs")
}

// Prepare sees the command just before it starts, and can change it.
func TestSupervisePrepares(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "report.json")
	var out bytes.Buffer
	code, err := Supervise(context.Background(), Config{
		Command: []string{"sh", "-c", "exit 3"}, Report: rep, Linger: -1, Stdout: &out,
		Prepare: func(cmd *exec.Cmd) error {
			cmd.Args = []string{"sh", "-c", "echo prepared; exit 4"}
			return nil
		},
	})
	require.NoError(t, err)
	require.Equal(t, 4, code)
	require.Equal(t, "prepared\n", out.String())
	r, err := ReadReport(rep)
	require.NoError(t, err)
	require.Equal(t, []string{"sh", "-c", "exit 3"}, r.Command, "the report names the program, not how it was started")
}
