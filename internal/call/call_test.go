package call

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// config is a call to s with out as its stdout.
func config(t *testing.T, s *labtest.Server, out *strings.Builder) Config {
	t.Helper()
	port, err := strconv.Atoi(s.Port())
	if err != nil {
		t.Fatal(err)
	}
	return Config{Host: s.Host(), Port: port, Stdout: out}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		handle  labtest.Handler
		send    []byte // nil: interactive, with stdin
		stdin   string
		expect  bool
		want    string // stdout after "Connected to 127.0.0.1.\n"
		wantErr lab.Kind
	}{
		{"scripted", labtest.Lecture, []byte("hi back atcha"), "", true, "hello\nhi back atcha\n", ""},
		{"an empty line", labtest.Lecture, []byte{}, "", true, "hello\n\n", ""},
		{"wrong echo", labtest.Scripted(lab.Greeting, func([]byte) []byte { return []byte("bye\n") }), []byte("hi"), "", true, "hello\nbye\n", lab.KindWrongEcho},
		{"interactive, nil stdin", labtest.EchoAll, nil, "", false, "hello\n", ""},
		{"interactive", labtest.EchoAll, nil, "one\ntwo", false, "hello\none\ntwo\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			cfg := config(t, labtest.Start(t, tt.handle), &out)
			cfg.Send, cfg.ExpectEcho = tt.send, tt.expect
			if tt.stdin != "" {
				cfg.Stdin = strings.NewReader(tt.stdin)
			}
			err := Run(context.Background(), cfg)
			if lab.Classify(err) != tt.wantErr {
				t.Fatalf("Run: %v; want kind %q", err, tt.wantErr)
			}
			want := "Trying 127.0.0.1...\nConnected to 127.0.0.1.\n" + tt.want + closedLine
			if tt.wantErr != "" {
				want = strings.TrimSuffix(want, closedLine)
			}
			if !strings.HasPrefix(out.String(), want) {
				t.Errorf("stdout %q; want %q", out.String(), want)
			}
		})
	}
}

func TestRunInterrupted(t *testing.T) {
	var out strings.Builder
	cfg := config(t, labtest.Start(t, labtest.Silent), &out)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, cfg); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Run with a cancelled context: %v; want interrupted", err)
	}
}

func TestResolvePrefersIPv4(t *testing.T) {
	ips, err := Resolve(context.Background(), "localhost")
	if err != nil {
		t.Skipf("no localhost here: %v", err)
	}
	if !ips[0].Is4() {
		t.Fatalf("localhost resolved to %v first; want an IPv4 address", ips[0])
	}
	if ip, _ := Resolve(context.Background(), "::ffff:127.0.0.1"); ip[0].String() != "127.0.0.1" {
		t.Fatalf("a v4-mapped address resolved to %v; want it unmapped", ip)
	}
}

// TestSendLong: a line over 1000 bytes to the lecture's script comes back
// as its one read, then the call is reset because the rest was never read;
// -expect-echo accepts that, as the help says, and says what happened.
func TestSendLong(t *testing.T) {
	long := []byte(strings.Repeat("abcdefghij", 300)) // 3000 bytes, then the newline
	tests := []struct {
		name    string
		handle  labtest.Handler
		wantErr lab.Kind
		echo    int    // bytes echoed
		note    string // part of stderr
	}{
		{"the lecture's script", labtest.LectureScript, "", lab.MaxRead, "read 1000 of the 3001 bytes sent"},
		{"the lab's server, which drains", labtest.Lecture, "", lab.MaxRead, ""},
		{"an echo of everything", labtest.EchoAll, "", len(long) + 1, ""},
		{"a wrong echo", labtest.Scripted(lab.Greeting, func([]byte) []byte { return []byte("bye\n") }),
			lab.KindWrongEcho, 0, ""},
		{"a wrong echo, then a reset", func(c net.Conn) {
			io.WriteString(c, lab.Greeting)
			c.Read(make([]byte, lab.MaxRead))
			io.WriteString(c, "bye\n")
		}, lab.KindReset, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			cfg := config(t, labtest.Start(t, tt.handle), &out)
			cfg.Send, cfg.ExpectEcho, cfg.Stderr = long, true, &errOut
			err := Run(context.Background(), cfg)
			require.Equal(t, tt.wantErr, lab.Classify(err), "%v", err)
			head := "Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\n"
			require.True(t, strings.HasPrefix(out.String(), head), out.String())
			if tt.wantErr == "" {
				// The echo, then telnet's last words on a line of their own.
				want := head + string(append(long, '\n'))[:tt.echo]
				if !strings.HasSuffix(want, "\n") {
					want += "\n"
				}
				require.Equal(t, want+closedLine, out.String())
			}
			require.Contains(t, errOut.String(), tt.note)
		})
	}
}

// TestSendNoGreeting: a server that never greets is named as such, within
// the greeting's wait, whatever the timeout.
func TestSendNoGreeting(t *testing.T) {
	tests := []struct {
		name   string
		handle labtest.Handler
		want   string
	}{
		{"a web server", labtest.HTTP, "no greeting within 100ms: the server never said hello; it may be waiting for you to speak first, like a web server (HTTP)"},
		{"hello without a newline", labtest.HelloNoNewline, `no whole greeting within 100ms: the server said "hello" and no newline`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			cfg := config(t, labtest.Start(t, tt.handle), &out)
			cfg.Send, cfg.ExpectEcho, cfg.Timeout = []byte("hi"), true, 100*time.Millisecond
			err := Run(context.Background(), cfg)
			require.Equal(t, lab.KindWrongGreeting, lab.Classify(err))
			require.EqualError(t, err, tt.want)
		})
	}
}
