// Command plain is the plainest Go version of the lecture's server: an
// accept loop, a goroutine per call, greet, read once, echo, close. Nothing
// else: no logging, no limits, no graceful stop. It is the yardstick that
// socketlab's server is measured against (deploy/peers/compare.sh).
package main

import (
	"flag"
	"log"
	"net"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8001", "address to listen on")
	flag.Parse()
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("plain server listening at %s", l.Addr())
	for {
		c, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			defer c.Close()
			c.Write([]byte("hello\n"))
			buf := make([]byte, 1000)
			n, _ := c.Read(buf)
			c.Write(buf[:n])
		}()
	}
}
