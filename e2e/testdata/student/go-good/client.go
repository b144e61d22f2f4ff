// The lecture's client in Go: call os.Args[1], port os.Args[2]; read the
// greeting, send a line, read the echo until the server hangs up.
package main

import (
	"io"
	"log"
	"net"
	"os"
)

func main() {
	conn, err := net.Dial("tcp", net.JoinHostPort(os.Args[1], os.Args[2]))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	buf := make([]byte, 1024)
	n, err := conn.Read(buf)
	if err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(buf[:n])
	conn.Write([]byte("hi back atcha\n"))
	io.Copy(os.Stdout, conn)
}
