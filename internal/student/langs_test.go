package student

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/labtest"
	"github.com/socketlab/socketlab/internal/student/lang"
)

func TestCheckGivesAFailedBuildAVerdictOfItsOwn(t *testing.T) {
	src := "#include <stdio.h>\nint main(void) {\n  memset(&addr, 0, sizeof addr)\n  addr.sin_port = 8000;\n}\n"
	tests := []struct {
		name  string
		build lang.Result
		lines []string
	}{
		{"compile error", lang.Result{Lang: lang.C, File: "server.c", ExitCode: 1, Command: []string{"gcc"},
			Error: &lang.CompileError{File: "server.c", Line: 3, Col: 32, Message: "expected ';' before 'addr'"}},
			[]string{
				"laptop-a's server.c did not compile: not calling it\n",
				"verdict: FAIL: your server.c did not compile.\n",
				"  - line 3: your server.c did not compile: expected ';' before 'addr' — the compiler expected ; here: most often the line before this one lacks its ;",
				"  also in your file:\n  - line 4: sin_port is set without htons()",
			}},
		{"timed out", lang.Result{Lang: lang.C, File: "server.c", ExitCode: -1, TimedOut: true, Limit: time.Minute},
			[]string{"verdict: FAIL: your server.c did not build within 1m0s.\n", "the lab's limit for c: the build was stopped"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.build
			rep := writeReport(t, Report{State: StateExited, File: "server.c", Source: src, Lang: "c", Build: &b, ExitCode: 1})
			var out bytes.Buffer
			v, err := Check(context.Background(), CheckConfig{Addr: "127.0.0.1:1", Report: rep, Out: &out})
			require.NoError(t, err)
			require.False(t, v.Passed)
			for _, l := range tt.lines {
				require.Contains(t, out.String(), l)
			}
			require.NotContains(t, out.String(), "Trying", "a program that did not build is not called")
		})
	}
}

func TestCheckWaitsOutABuild(t *testing.T) {
	addr := serveLike(t, lecture)
	host, port, _ := net.SplitHostPort(addr)
	p := writeReport(t, Report{State: StateBuilding, Lang: "java", File: "Server.java", Build: &lang.Result{Lang: lang.Java}})
	go func() {
		// Longer than the listen wait: the build's time is its own.
		time.Sleep(400 * time.Millisecond)
		WriteReport(p, Report{State: StateListening, Lang: "java", File: "Server.java", Listening: []string{addr}, Build: &lang.Result{Lang: lang.Java}})
	}()
	var out bytes.Buffer
	v, err := Check(context.Background(), CheckConfig{Addr: net.JoinHostPort(host, port), Report: p, ListenWait: 200 * time.Millisecond, Out: &out})
	require.NoError(t, err)
	require.True(t, v.Passed, out.String())
	require.Contains(t, out.String(), "laptop-a's Server.java is listening at "+addr)
}

func TestBehaviourInTheProgramsLanguage(t *testing.T) {
	tests := []struct {
		name      string
		lang      string
		listening string
		says      string
	}{
		{"htons", "c", "10.0.0.10:16415", "listens on port 16415, and the caller calls port 8000: 16415 is 8000 with its two bytes swapped (0x1F40, 0x401F)"},
		{"node on ::", "node", "[::]:8000", "on every network your laptop is on, in IPv6 (::) and with it IPv4 (0.0.0.0)"},
		{"java on 0.0.0.0", "java", "0.0.0.0:8000", "new ServerSocket(8000, 5, addr) with addr eth0's"},
		{"go on 0.0.0.0", "go", "0.0.0.0:8000", `net.Listen("tcp", ip+":8000")`},
		{"python as before", "python", "0.0.0.0:8000", "serversocket.bind((ip, 8000)) with ip = ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Verdict{Report: Report{State: StateListening, Lang: tt.lang, Listening: []string{tt.listening}}}
			fs := behaviour(v, CheckConfig{Addr: "10.0.0.10:8000"})
			require.Len(t, fs, 1)
			require.Contains(t, fs[0].Says, tt.says)
		})
	}
}

// TestCheckSeesCallsLeftOpen: a C server that never closes its calls holds
// a socket more after each, which the supervisor counts; the verdict says
// so, at the accept() line the source shows.
func TestCheckSeesCallsLeftOpen(t *testing.T) {
	addr := labtest.Start(t, labtest.NeverHangsUp).Addr
	src := "int main(void) {\n  for (;;) {\n    int conn = accept(fd, 0, 0);\n    send(conn, \"hello\\n\", 6, 0);\n  }\n}\n"
	p := writeReport(t, Report{State: StateListening, Lang: "c", File: "server.c", Source: src, Listening: []string{addr}, Sockets: 12})
	var out bytes.Buffer
	v, err := Check(context.Background(), CheckConfig{Addr: addr, Report: p, Timeout: 300 * time.Millisecond, Out: &out})
	require.NoError(t, err)
	require.False(t, v.Passed)
	require.Contains(t, out.String(), fmt.Sprintf("  - line 3: after all %d of the check's calls had hung up, your server still held 11 of them open", v.Grade.Calls))
	require.Contains(t, out.String(), "close(conn) after the echo.")
}

func TestGradedNamesAFailedBuild(t *testing.T) {
	v := Verdict{Report: Report{State: StateExited, File: "server.c", ExitCode: 1,
		Build: &lang.Result{Lang: lang.C, ExitCode: 1, Error: &lang.CompileError{File: "server.c", Line: 10, Message: "expected ';' before 'addr'"}}}}
	v.Findings = buildFindings(v.Report)
	g := Graded(v, grade.Report{}, "ada", time.Second)
	require.False(t, g.Passed)
	require.Equal(t, "program", g.Checks[0].ID)
	require.Equal(t, "it did not compile. line 10: your server.c did not compile: expected ';' before 'addr' — the compiler expected ; here: most often the line before this one lacks its ; or a ( { [ is not closed.", g.Checks[0].Reason)
}

func TestJudgeGivesAClientThatDidNotCompileItsVerdict(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "laptop-b.json")
	require.NoError(t, WriteReport(rep, Report{State: StateExited, ExitCode: 1, File: "Client.java", Lang: "java",
		Build: &lang.Result{Lang: lang.Java, ExitCode: 1, Error: &lang.CompileError{File: "Client.java", Line: 9, Message: "cannot find symbol", Detail: "symbol: class Socket"}}}))
	var out bytes.Buffer
	v, err := Judge(context.Background(), JudgeConfig{Addr: "127.0.0.1:0", Report: rep, CallWait: 10 * time.Second, Out: &out})
	require.NoError(t, err)
	require.False(t, v.Called)
	require.Equal(t, []string{"compile"}, ids(v.Findings))
	require.Contains(t, out.String(), "FAIL  called laptop-a: did not compile\n")
	require.Contains(t, out.String(), "  - line 9: your Client.java did not compile: cannot find symbol (symbol: class Socket) — a name that Java does not know")
}

func TestJudgeTellsAClientsFixInItsLanguage(t *testing.T) {
	v, out := judgeCaller(t, func(addr string) {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Read(make([]byte, 16))
			c.Close()
		}
	}, &Report{State: StateExited, File: "client.go", Lang: "go"})
	require.False(t, v.Passed, out)
	require.Contains(t, out, `send a line after it, e.g. conn.Write([]byte("hi back atcha\n")).`)
}
