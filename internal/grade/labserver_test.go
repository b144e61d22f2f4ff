package grade

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/callcenter"
	"github.com/socketlab/socketlab/internal/labtest"
)

// TestGradeLabServer grades socketlab's own server, run in this process,
// in the configurations a lesson uses.
func TestGradeLabServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		srv    *callcenter.Server
		want   map[string]Status
		model  Model
		passed bool
	}{
		{"default", &callcenter.Server{}, verdicts("not-on", Pass), ModelMany, true},
		{"one employee", &callcenter.Server{Workers: 1}, verdicts("not-on", Pass, "silent-caller", Warn), ModelOne, true},
		{"one employee, busy signal", &callcenter.Server{Workers: 1, Busy: true}, verdicts("not-on", Pass, "silent-caller", Warn), ModelOne, true},
		{"one employee who hangs up on silence", &callcenter.Server{Workers: 1, IdleTimeout: 200 * time.Millisecond}, verdicts("not-on", Pass), ModelOne, true},
		{"once", &callcenter.Server{Once: true}, verdicts("echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip, "silent-caller", Skip,
			"model", Skip, "not-on", Skip, "still-there", Fail), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := labtest.Serve(t, tt.srv, callcenter.ErrServerClosed)
			addr, port := srv.Addr, srv.Port()
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
