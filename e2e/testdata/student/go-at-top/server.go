// The lecture's server in Go: eth0's IPv4 address, port 8000; greet, read
// once (up to 1000 bytes), print, echo, hang up; a goroutine per call.
package main

import (
	"errors"
	"fmt"
	"log"
	"net"
)

func ethAddr(name string) (net.IP, error) {
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return nil, err
	}
	addrs, err := ifc.Addrs()
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
			return ipn.IP, nil
		}
	}
	return nil, errors.New("no IPv4 address on " + name)
}

func serve(conn net.Conn) {
	defer conn.Close()
	conn.Write([]byte("hello\n"))
	buf := make([]byte, 1000)
	n, err := conn.Read(buf)
	if n == 0 || err != nil {
		return
	}
	fmt.Printf("%s said %q\n", conn.RemoteAddr(), buf[:n])
	conn.Write(buf[:n])
}

func main() {
	ip, err := ethAddr("eth0")
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "8000"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("server listening at %s:8000\n", ip)
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		go serve(conn)
	}
}
