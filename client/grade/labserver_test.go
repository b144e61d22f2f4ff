package grade

import (
	"bufio"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildServer builds the lab's server into a directory the test removes.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "server")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/socketlab/socketlab/server").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./server: %v\n%s", err, out)
	}
	return bin
}

// startLabServer runs the lab's server on 127.0.0.1 and a free port with
// flags until the test ends, and returns the address it listens at.
func startLabServer(t *testing.T, bin string, flags ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1", "-port", "0"}, flags...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	// The first line says where it listens; the call log after it is read
	// and dropped, so the server never blocks on a full pipe.
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case first <- sc.Text():
			default:
			}
		}
	}()
	select {
	case line := <-first:
		addr, ok := strings.CutPrefix(line, "server listening at ")
		if !ok {
			t.Fatalf("server's first line %q; want \"server listening at IP:PORT\"", line)
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not say where it listens within 10s")
	}
	return ""
}

// TestGradeLabServer grades socketlab's own server, as built, in the
// configurations a lesson uses.
func TestGradeLabServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ./server; skipped with -short")
	}
	t.Parallel()
	bin := buildServer(t)
	tests := []struct {
		name   string
		flags  []string
		want   map[string]Status
		model  Model
		passed bool
	}{
		{"default", nil, verdicts("not-on 127.0.0.2", Pass), ModelMany, true},
		{"one employee", []string{"-workers", "1"}, verdicts("not-on 127.0.0.2", Pass, "silent-caller", Warn), ModelOne, true},
		{"one employee, busy signal", []string{"-workers", "1", "-busy"}, verdicts("not-on 127.0.0.2", Pass, "silent-caller", Warn), ModelOne, true},
		{"one employee who hangs up on silence", []string{"-workers", "1", "-idle-timeout", "200ms"}, verdicts("not-on 127.0.0.2", Pass), ModelOne, true},
		{"once", []string{"-once"}, verdicts("echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip, "silent-caller", Skip,
			"model", Skip, "not-on 127.0.0.2", Skip, "still-there", Fail), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := startLabServer(t, bin, tt.flags...)
			port := addr[strings.LastIndex(addr, ":")+1:]
			rep, err := Run(context.Background(), Config{Addr: addr, NotOn: []string{"127.0.0.2:" + port}, Timeout: testTimeout})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Checks {
				id := strings.TrimSuffix(r.ID, ":"+port)
				if want := tt.want[id]; r.Status != want {
					t.Errorf("%s: got %s (%s); want %s", id, r.Status, r.Reason, want)
				}
			}
			if rep.Model != tt.model || rep.Passed != tt.passed {
				t.Errorf("model %q, passed %v; want %q, %v", rep.Model, rep.Passed, tt.model, tt.passed)
			}
		})
	}
}
