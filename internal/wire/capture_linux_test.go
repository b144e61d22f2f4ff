package wire

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/labtest"
)

// canCapture says whether this process may open a packet socket, that is,
// has CAP_NET_RAW.
func canCapture(t *testing.T) bool {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		if !errors.Is(err, syscall.EPERM) && !errors.Is(err, syscall.EACCES) {
			t.Fatalf("open a packet socket: %v", err)
		}
		return false
	}
	syscall.Close(fd)
	return true
}

// lectureServer answers calls on 127.0.0.1 the lecture's way, as the
// server does (greet, read once, echo, then FIN first and drain), one at a
// time, and returns its address.
func lectureServer(t *testing.T) *net.TCPAddr {
	t.Helper()
	return tcpAddr(t, labtest.Config{Serial: true}.Start(t, labtest.Lecture))
}

func tcpAddr(t *testing.T, s *labtest.Server) *net.TCPAddr {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp4", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// watchLoopback opens a watch of port on lo and returns a function that
// reads the next segment; it fails the test after 5s without one.
func watchLoopback(t *testing.T, port int) (next func() Event) {
	t.Helper()
	if !canCapture(t) {
		t.Skip("this process lacks CAP_NET_RAW, which a packet socket needs (run the tests as root to include this one)")
	}
	pr, pw := io.Pipe()
	w, err := Open(Config{Iface: "lo", Port: port, JSON: true, Out: pw})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !w.Iface().Loopback {
		t.Fatalf("got interface %+v; want the loopback", w.Iface())
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() {
		_, err := w.Run(ctx)
		pw.Close()
		ran <- err
	}()
	timeout := time.AfterFunc(5*time.Second, func() { pr.CloseWithError(errors.New("watched for 5s")) })
	t.Cleanup(func() {
		timeout.Stop()
		cancel()
		pr.Close()
		if err := <-ran; err != nil && !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("Run: %v", err)
		}
	})
	dec := json.NewDecoder(pr)
	var seen []string
	return func() Event {
		t.Helper()
		var e Event
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("after %d segments (%s): %v", len(seen), strings.Join(seen, "; "), err)
		}
		if e.Src.Port() != uint16(port) && e.Dst.Port() != uint16(port) {
			t.Fatalf("got a segment of another port: %+v", e)
		}
		seen = append(seen, e.Text())
		return e
	}
}

// callOnce makes the lecture's call to addr: wait for the greeting, send
// msg, read until the server hangs up. It runs in its own goroutine.
func callOnce(t *testing.T, addr string, msg []byte) {
	c, err := net.DialTimeout("tcp4", addr, 5*time.Second)
	if err != nil {
		t.Errorf("dial: %v", err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c, make([]byte, len("hello\n"))); err != nil {
		t.Errorf("greeting: %v", err)
	}
	c.Write(msg)
	io.ReadAll(c) // the echo, until the server hangs up or resets
}

// TestCaptureLoopback watches one lecture call on lo, the loopback, whose
// frames carry an Ethernet header with zero MACs.
func TestCaptureLoopback(t *testing.T) {
	srv := lectureServer(t)
	next := watchLoopback(t, srv.Port)

	// The call, after Open: from then on every frame is queued for Run.
	msg := "hi back atcha\n"
	go callOnce(t, srv.String(), []byte(msg))

	// Read segments until both sides have hung up.
	var got []Event
	for fins := 0; fins < 2; {
		e := next()
		got = append(got, e)
		if strings.Contains(e.Flags, "FIN") {
			fins++
		}
	}
	type step struct {
		fromServer bool
		flags      Flags
		data       string
		moment     Moment
	}
	want := []step{
		{false, SYN, "", MomentRing},
		{true, SYN | ACK, "", MomentAnswer},
		{false, ACK, "", MomentHandshake},
		{true, PSH | ACK, "hello\n", MomentGreeting},
		{false, PSH | ACK, msg, MomentMessage},
		{true, PSH | ACK, msg, MomentEcho},
		{true, FIN | ACK, "", MomentHangUpFirst},
		{false, FIN | ACK, "", MomentHangUp},
	}
	// The steps must come in this order; pure ACKs may come in between.
	i := 0
	for _, e := range got {
		if i < len(want) && (e.Src.Port() == uint16(srv.Port)) == want[i].fromServer &&
			e.Flags == want[i].flags.String() && e.Data == want[i].data && len(e.Moments) > 0 && e.Moments[0] == want[i].moment {
			i++
		}
	}
	if i < len(want) {
		var b strings.Builder
		for _, e := range got {
			b.WriteString(e.Text() + "\n")
		}
		t.Fatalf("step %d (%+v) missing or out of order in:\n%s", i, want[i], b.String())
	}
	if got[0].Seq != 0 || got[0].MS != 0 {
		t.Errorf("first segment: got seq %d at %vms; want 0 at 0", got[0].Seq, got[0].MS)
	}
}

// TestCaptureNaiveCloseResets: a server that closes without draining,
// as the lecture's script does, resets a caller who sent more than it read.
func TestCaptureNaiveCloseResets(t *testing.T) {
	srv := tcpAddr(t, labtest.Start(t, func(c net.Conn) {
		io.WriteString(c, "hello\n")
		buf := make([]byte, 1000)
		n, _ := io.ReadFull(c, buf) // the lecture's recv(1000), made sure to get all 1000
		c.Write(buf[:n])
		c.Close() // 2000 bytes unread: the kernel sends RST, not FIN
	}))
	next := watchLoopback(t, srv.Port)
	go callOnce(t, srv.String(), make([]byte, 3000))
	for {
		e := next()
		if !strings.Contains(e.Flags, "RST") {
			continue
		}
		if e.Src.Port() != uint16(srv.Port) || len(e.Moments) == 0 || e.Moments[0] != MomentResetUnread ||
			!strings.Contains(e.Gloss, "sent 3000 bytes") || !strings.Contains(e.Gloss, "read and echoed 1000") {
			t.Errorf("got %s; want the server's reset, explained by the 2000 bytes it never read", e.Text())
		}
		return
	}
}

// TestCaptureNeedsNetRaw runs Open without CAP_NET_RAW: as this process
// when it lacks it, or else as a helper process run as nobody.
// openLoopbackSocket opens the packet socket of a watch on lo.
func openLoopbackSocket(t *testing.T) *packetSocket {
	t.Helper()
	if !canCapture(t) {
		t.Skip("this process lacks CAP_NET_RAW, which a packet socket needs (run the tests as root to include this one)")
	}
	w, err := Open(Config{Iface: "lo", Port: 8000})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w.src.(*packetSocket)
}

// sockoptInt reads or (with set) writes an integer option of p's socket.
func sockoptInt(t *testing.T, p *packetSocket, opt int, set *int) int {
	t.Helper()
	var v int
	var err error
	p.rc.Control(func(fd uintptr) {
		if set != nil {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, opt, *set)
			return
		}
		v, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, opt)
	})
	if err != nil {
		t.Fatalf("socket option %#x: %v", opt, err)
	}
	return v
}

func TestCaptureRaisesItsBuffer(t *testing.T) {
	p := openLoopbackSocket(t)
	b, err := os.ReadFile("/proc/sys/net/core/rmem_max")
	if err != nil {
		t.Skipf("read net.core.rmem_max: %v", err)
	}
	rmemMax, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("net.core.rmem_max: %v", err)
	}
	want := min(recvBuffer, rmemMax)
	// Does this process pass rmem_max, with CAP_NET_ADMIN?
	if fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0); err == nil {
		if syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, recvBuffer) == nil {
			want = recvBuffer
		}
		syscall.Close(fd)
	}
	// The kernel doubles what it is asked for, room for its bookkeeping.
	if got := sockoptInt(t, p, syscall.SO_RCVBUF, nil); got != 2*want {
		t.Errorf("got a receive buffer of %d bytes; want %d (asked %d, rmem_max %d)", got, 2*want, recvBuffer, rmemMax)
	}
}

func TestCaptureCountsDrops(t *testing.T) {
	p := openLoopbackSocket(t)
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	tx, err := net.DialUDP("udp4", nil, rx.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	send := func(n int) {
		t.Helper()
		for range n {
			if _, err := tx.Write(make([]byte, 1000)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Frames that fit in the queue are received, not dropped.
	send(5)
	if n, err := p.dropped(); err != nil || n != 0 {
		t.Fatalf("got %d dropped, %v; want 0 from 5 datagrams in a %d-byte queue", n, err, recvBuffer)
	}
	// A burst into the kernel's least queue, a few frames, that nobody reads.
	zero := 0
	sockoptInt(t, p, syscall.SO_RCVBUF, &zero)
	send(200)
	n, err := p.dropped()
	if err != nil || n == 0 {
		t.Errorf("got %d dropped, %v; want some after a burst of 200 datagrams into a full queue", n, err)
	}
	t.Logf("the kernel dropped %d frames of the burst", n)
}

func TestCaptureNeedsNetRaw(t *testing.T) {
	if os.Getenv("WIRE_HELPER_OPEN_LO") == "1" {
		_, err := Open(Config{Iface: "lo", Port: 8000})
		os.Stdout.WriteString(errText(err))
		if errors.Is(err, ErrNeedRawCapability) {
			os.Exit(0)
		}
		os.Exit(1)
	}
	if !canCapture(t) {
		_, err := Open(Config{Iface: "lo", Port: 8000})
		if !errors.Is(err, ErrNeedRawCapability) {
			t.Fatalf("got %v; want ErrNeedRawCapability", err)
		}
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("has CAP_NET_RAW without being root: no user to drop it to")
	}
	// The test binary's folder is private to root; copy it where nobody can run it.
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "wire.test")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestCaptureNeedsNetRaw$")
	cmd.Env = append(os.Environ(), "WIRE_HELPER_OPEN_LO=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.Output()
	if errors.Is(err, os.ErrPermission) {
		t.Skipf("nobody may not run a copy of the test binary in %s: %v", dir, err)
	}
	if err != nil {
		t.Fatalf("as nobody: %v; Open said %q; want ErrNeedRawCapability", err, out)
	}
	if !strings.Contains(string(out), "CAP_NET_RAW") {
		t.Errorf("got %q; want the error to name CAP_NET_RAW", out)
	}
}

func errText(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}
