package labtest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// Lecture is the lecture's call done right: greet, read once, echo, and
// hang up without losing the echo (HangUp).
func Lecture(conn net.Conn) { Scripted(lab.Greeting, nil)(conn) }

// Scripted greets with greeting, reads once, sends answer(what it read)
// back (a nil answer: the echo) and hangs up as Lecture does. An answer
// func can also keep what the server heard.
func Scripted(greeting string, answer func(said []byte) []byte) Handler {
	return func(conn net.Conn) {
		io.WriteString(conn, greeting)
		buf := make([]byte, lab.MaxRead)
		n, _ := conn.Read(buf)
		reply := buf[:n]
		if answer != nil {
			reply = answer(reply)
		}
		conn.Write(reply)
		HangUp(conn)
	}
}

// EchoAll greets, then echoes everything until the caller hangs up: the
// server's -mode echo, for interactive sessions.
func EchoAll(conn net.Conn) {
	io.WriteString(conn, lab.Greeting)
	io.Copy(conn, conn)
}

// Busy says the busy signal and hangs up at once.
func Busy(conn net.Conn) { io.WriteString(conn, lab.Busy) }

// HangUpAtOnce hangs up without a word, as a Python 3 script whose
// send("hello\n") raised does.
func HangUpAtOnce(net.Conn) {}

// Silent never answers: it reads and drops what the caller says until the
// caller hangs up.
func Silent(conn net.Conn) { io.Copy(io.Discard, conn) }

// HangUp ends a call the way the lab's server does: FIN first, then what the
// caller still sends is read and dropped, for a second at most, so the
// close does not turn unread bytes into a reset that destroys the echo.
func HangUp(conn net.Conn) {
	lab.CloseWrite(conn)
	conn.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, conn)
}

// The ways a student's server goes wrong, as fakes. A whole program that
// dies is a Config with Once: the crashed lecture script is
// Config{Once: true} serving HangUpAtOnce, a silent `nc -l PORT` is
// Config{Once: true} serving Silent.

// LectureScript is the lecture's code as printed (in Python 3, with bytes):
// greet, read once, echo, close at once. Bytes the caller sent beyond the
// one read are left unread, so the close resets the call.
func LectureScript(conn net.Conn) {
	io.WriteString(conn, lab.Greeting)
	buf := make([]byte, lab.MaxRead)
	n, _ := conn.Read(buf)
	conn.Write(buf[:n])
}

// NeverHangsUp is the lecture's call without its close: greet, read once,
// echo, then leave the line open until the caller hangs up, as a C server
// that never calls close(conn) does.
func NeverHangsUp(conn net.Conn) {
	LectureScript(conn)
	io.Copy(io.Discard, conn)
}

// SocketTimeout is h on a socket with a timeout, as Python's
// settimeout(d) makes one: the call ends d after it began at the latest
// (the whole call, not each step), so a caller who says nothing holds a
// one-at-a-time server for d, not for a fake's usual 10s.
func SocketTimeout(d time.Duration, h Handler) Handler {
	return func(conn net.Conn) {
		conn.SetDeadline(time.Now().Add(d))
		h(conn)
	}
}

// Recv1024 is the lecture's call with recv(1024), the idiom most students
// write: one read of up to 1024 bytes.
func Recv1024(conn net.Conn) {
	io.WriteString(conn, lab.Greeting)
	buf := make([]byte, 1024)
	n, _ := conn.Read(buf)
	conn.Write(buf[:n])
	HangUp(conn)
}

// RecvUntilClose greets, then reads until the caller hangs up its side,
// and only then echoes everything and hangs up: the common loop
// `while data := recv(): ...` that telnet, which never hangs up first,
// waits on forever.
func RecvUntilClose(conn net.Conn) {
	io.WriteString(conn, lab.Greeting)
	all, _ := io.ReadAll(io.LimitReader(conn, 1<<20))
	conn.Write(all)
}

// NeverEchoes greets and reads once, then waits for the caller to hang
// up and hangs up too, without sending anything back.
func NeverEchoes(conn net.Conn) {
	io.WriteString(conn, lab.Greeting)
	conn.Read(make([]byte, lab.MaxRead))
	io.Copy(io.Discard, conn)
}

// HelloNoNewline greets with "hello", no newline (send("hello")), then
// reads once and echoes as the lecture does.
func HelloNoNewline(conn net.Conn) { Scripted("hello", nil)(conn) }

// EnsureNewline echoes one read and adds "\n" when the read did not end
// with one: right for a line, one byte too many (at byte 1001) for the
// first 1000 bytes of a longer one.
func EnsureNewline(conn net.Conn) {
	Scripted(lab.Greeting, func(said []byte) []byte {
		if len(said) > 0 && said[len(said)-1] != '\n' {
			return append(said, '\n')
		}
		return said
	})(conn)
}

// HTTP is a web server: it says nothing until the caller sends a
// request, answers it (a bad request, such as a line of chat, with 400)
// and hangs up.
func HTTP(conn net.Conn) {
	req, err := http.ReadRequest(bufio.NewReader(conn))
	status := "400 Bad Request"
	if err == nil {
		req.Body.Close()
		status = "200 OK"
	}
	fmt.Fprintf(conn, "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
		status, len(status), status)
	HangUp(conn)
}
