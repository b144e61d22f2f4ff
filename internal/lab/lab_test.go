package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestVerify(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 3000)
	tests := []struct {
		name     string
		greeting string
		echo     []byte
		msg      []byte
		want     Kind
	}{
		{"the lecture's call", Greeting, []byte("hi\n"), []byte("hi\n"), ""},
		{"greeting with CRLF", "hello\r\n", []byte("hi\n"), []byte("hi\n"), KindWrongGreeting},
		{"no greeting", "", []byte("hi\n"), []byte("hi\n"), KindWrongGreeting},
		{"echo cut short", Greeting, []byte("h"), []byte("hi\n"), KindWrongEcho},
		{"echo of more than was sent", Greeting, []byte("hi\nhi\n"), []byte("hi\n"), KindWrongEcho},
		{"no echo", Greeting, nil, []byte("hi\n"), KindWrongEcho},
		{"one read of a long message", Greeting, long[:1000], long, ""},
		{"a shorter read of a long message", Greeting, long[:600], long, ""},
		{"more than one read of a long message", Greeting, long[:1001], long, KindWrongEcho},
		{"no echo of a long message", Greeting, nil, long, KindWrongEcho},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(Result{Greeting: []byte(tt.greeting), Echo: tt.echo}, tt.msg)
			if got := Classify(err); got != tt.want {
				t.Fatalf("got %q (%v); want %q", got, err, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want Kind
	}{
		{nil, ""},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, KindRefused},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), KindReset},
		{syscall.EPIPE, KindReset},
		{syscall.EHOSTUNREACH, KindUnreachable},
		{os.ErrDeadlineExceeded, KindTimeout},
		{context.DeadlineExceeded, KindTimeout},
		{&CallError{Kind: KindBusy, Msg: "busy"}, KindBusy},
		{errors.New("something else"), KindOther},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%v) = %q; want %q", tt.err, got, tt.want)
		}
	}
}

func TestWrapSaysWhatHappened(t *testing.T) {
	err := Wrap("connect 127.0.0.1:8000", syscall.ECONNREFUSED)
	if want := "connect 127.0.0.1:8000: connection refused (nothing is listening there)"; !bytes.HasPrefix([]byte(err.Error()), []byte(want)) {
		t.Fatalf("got %q; want it to start %q", err, want)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatal("Wrap must keep the cause for errors.Is")
	}
}

func TestPreviewCutsLongInput(t *testing.T) {
	if got := Preview(bytes.Repeat([]byte{0}, 1000)); len(got) > 300 {
		t.Fatalf("preview of 1000 bytes is %d characters long", len(got))
	}
	if got, want := Preview([]byte("hi\n")), `"hi\n"`; got != want {
		t.Fatalf("got %s; want %s", got, want)
	}
}

func TestCloseWriteUnsupported(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if err := CloseWrite(a); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("CloseWrite of a net.Pipe: %v; want errors.ErrUnsupported", err)
	}
}
