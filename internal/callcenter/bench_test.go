package callcenter

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// BenchmarkCall is one whole lecture call on loopback, callers in parallel:
// connect, greeting, message, echo, both sides hang up. The log goes to
// io.Discard through the real CallLog, so its cost is counted.
func BenchmarkCall(b *testing.B) {
	for _, m := range Models {
		b.Run(string(m), func(b *testing.B) { benchmarkCall(b, m) })
	}
}

func benchmarkCall(b *testing.B, m Model) {
	s := &Server{Model: m, Log: NewCallLog(io.Discard, io.Discard)}
	addr := labtest.Serve(b, s, ErrServerClosed).Addr
	msg := []byte("hi back atcha\n")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				b.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(5 * time.Second))
			res, err := lab.Exchange(c, msg)
			c.Close()
			if err == nil {
				err = lab.Verify(res, msg)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLogLine is what telling one call costs the employee.
func BenchmarkLogLine(b *testing.B) {
	log := NewCallLog(io.Discard, io.Discard)
	c := record{caller: &net.TCPAddr{IP: net.IPv4(172, 28, 5, 20), Port: 40312}, said: []byte("hi back atcha\n"), echoed: 14, took: 410 * time.Microsecond}
	b.ReportAllocs()
	for b.Loop() {
		log.call(&c)
	}
}
