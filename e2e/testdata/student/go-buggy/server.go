// A typical first Go server: ":8000", and defer in the accept loop.
package main

import (
	"fmt"
	"net"
)

func main() {
	ln, err := net.Listen("tcp", ":8000")
	if err != nil {
		panic(err)
	}
	fmt.Println("listening on :8000")
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		defer conn.Close()
		conn.Write([]byte("hello\n"))
		buf := make([]byte, 1000)
		n, _ := conn.Read(buf)
		fmt.Printf("got %q\n", buf[:n])
		conn.Write(buf[:n])
	}
}
