package labtest

import (
	"io"
	"net"
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
