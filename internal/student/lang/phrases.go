package lang

import "strings"

// Phrases are the lecture's fixes as each language writes them: the lab's
// explanations say what went wrong in the lecture's terms, then how to put
// it right in the student's own language.
type Phrases struct {
	// BindOne binds one interface's address, port 8000; EthAddr is how the
	// program learns eth0's address.
	BindOne, EthAddr string
	// Greeting sends "hello\n".
	Greeting string
	// ReadToEnd is how a server reads until the caller hangs up (the
	// mistake); ReadOnce how it reads once and echoes that (the fix).
	ReadToEnd, ReadOnce string
	// Loop keeps a server answering; Close hangs up a call.
	Loop, Close string
	// ReuseAddr lets a server bind a port its last run left waiting.
	ReuseAddr string
	// Connect calls the address and port the lab passes as arguments.
	Connect string
	// EOF is how the program sees the other side hang up; SendLine and
	// SendAny send a line; ReadEcho reads the echo to the end; HangUp and
	// End end the call and the program.
	EOF, SendLine, SendAny, ReadEcho, HangUp, End string
	// Input is how the program would wait for the keyboard.
	Input string
}

var phrases = map[Lang]Phrases{
	Python: {
		BindOne:   "{server}.bind((ip, 8000)) with ip = ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']",
		EthAddr:   "ni.ifaddresses('eth0')[ni.AF_INET][0]['addr']",
		Greeting:  `{conn}.send(b"hello\n")`,
		ReadToEnd: `recv() until it returns b""`,
		ReadOnce:  "Read once, data = {conn}.recv(1000), and send that back: {conn}.send(data)",
		Loop:      "`while True:`",
		Close:     "{conn}.close()",
		ReuseAddr: "{server}.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
		Connect:   "call it with socket.create_connection((sys.argv[1], int(sys.argv[2]))) or connect((host, 8000))",
		EOF:       `recv returns b""`,
		SendLine:  `s.sendall(b"hi back atcha\n")`,
		SendAny:   `sendall(b"...\n")`,
		ReadEcho:  `after sendall(), recv() until it returns b"" (the server has hung up), then close()`,
		HangUp:    `when recv() returns b"", the call is over: close() the socket and end`,
		End:       `once recv() returns b"", close the socket and let the program end`,
		Input:     "input()",
	},
	C: {
		BindOne:   "bind() to eth0's address, not INADDR_ANY: addr.sin_addr from getifaddrs() (the entry named \"eth0\" with family AF_INET), addr.sin_port = htons(8000)",
		EthAddr:   "getifaddrs(), the entry named \"eth0\" with family AF_INET",
		Greeting:  `send({conn}, "hello\n", 6, 0)`,
		ReadToEnd: "recv() or read() until it returns 0",
		ReadOnce:  "Read once, n = recv({conn}, buf, 1000, 0), and send those n bytes back: send({conn}, buf, n, 0)",
		Loop:      "`for (;;) { ... }`",
		Close:     "close({conn})",
		ReuseAddr: "int one = 1; setsockopt({server}, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one)",
		Connect:   "connect() to argv[1], port htons(atoi(argv[2])) (inet_pton(AF_INET, argv[1], &addr.sin_addr))",
		EOF:       "recv returns 0",
		SendLine:  `send(fd, "hi back atcha\n", 14, 0)`,
		SendAny:   `send(fd, line, strlen(line), 0)`,
		ReadEcho:  "after send(), recv() until it returns 0 (the server has hung up), then close(fd)",
		HangUp:    "when recv() returns 0, the call is over: close(fd) and return from main",
		End:       "once recv() returns 0, close(fd) and return from main",
		Input:     "scanf() or fgets(stdin)",
	},
	Java: {
		BindOne:   "new ServerSocket(8000, 5, addr) with addr eth0's: the Inet4Address among NetworkInterface.getByName(\"eth0\").getInetAddresses()",
		EthAddr:   "NetworkInterface.getByName(\"eth0\").getInetAddresses(), the Inet4Address",
		Greeting:  `out.write("hello\n".getBytes()); out.flush()`,
		ReadToEnd: "read() until it returns -1, or readAllBytes()",
		ReadOnce:  "Read once, int n = in.read(buf, 0, 1000), and write those n bytes back: out.write(buf, 0, n)",
		Loop:      "`while (true) { ... }`",
		Close:     "{conn}.close() (or try (Socket {conn} = {server}.accept()) { ... })",
		ReuseAddr: "ServerSocket {server} = new ServerSocket(); {server}.setReuseAddress(true); {server}.bind(new InetSocketAddress(addr, 8000), 5)",
		Connect:   "new Socket(args[0], Integer.parseInt(args[1]))",
		EOF:       "read returns -1",
		SendLine:  `out.write("hi back atcha\n".getBytes()); out.flush()`,
		SendAny:   `out.write(line.getBytes()) and out.flush()`,
		ReadEcho:  "after writing, read() until it returns -1 (the server has hung up), then close()",
		HangUp:    "when read() returns -1, the call is over: close() the socket and end",
		End:       "once read() returns -1, close the socket and let main return",
		Input:     "a Scanner on System.in",
	},
	Node: {
		BindOne:   "{server}.listen(8000, ip) with ip eth0's: os.networkInterfaces().eth0.find(a => a.family === 'IPv4').address",
		EthAddr:   "os.networkInterfaces().eth0.find(a => a.family === 'IPv4').address",
		Greeting:  `{conn}.write('hello\n')`,
		ReadToEnd: "the echo written in the 'end' event",
		ReadOnce:  "Echo the first 'data' event, {conn}.write(data), then {conn}.end()",
		Loop:      "a server that is not closed after its first call (no {server}.close() there)",
		Close:     "{conn}.end()",
		ReuseAddr: "nothing to set (Node reuses the address): stop the server still running",
		Connect:   "net.createConnection(Number(process.argv[3]), process.argv[2])",
		EOF:       "the 'end' event",
		SendLine:  `socket.write('hi back atcha\n')`,
		SendAny:   `socket.write(line + '\n')`,
		ReadEcho:  "read 'data' until the 'end' event (the server has hung up), then socket.end()",
		HangUp:    "on 'end' the call is over: socket.end(), and nothing else keeps the program running",
		End:       "on 'end', socket.end() and let the program end (no timers or servers left)",
		Input:     "process.stdin or readline",
	},
	Go: {
		BindOne:   "net.Listen(\"tcp\", ip+\":8000\") with ip eth0's: net.InterfaceByName(\"eth0\"), then the IPv4 among its Addrs()",
		EthAddr:   "net.InterfaceByName(\"eth0\"), then the IPv4 among its Addrs()",
		Greeting:  `{conn}.Write([]byte("hello\n"))`,
		ReadToEnd: "io.ReadAll or io.Copy, until io.EOF",
		ReadOnce:  "Read once, n, err := {conn}.Read(buf) with buf := make([]byte, 1000), and write buf[:n] back: {conn}.Write(buf[:n])",
		Loop:      "`for { {conn}, err := {server}.Accept(); ... }`",
		Close:     "{conn}.Close()",
		ReuseAddr: "nothing to set (Go sets SO_REUSEADDR): stop the server still running",
		Connect:   "net.Dial(\"tcp\", net.JoinHostPort(os.Args[1], os.Args[2]))",
		EOF:       "Read returns io.EOF",
		SendLine:  `conn.Write([]byte("hi back atcha\n"))`,
		SendAny:   `conn.Write([]byte(line + "\n"))`,
		ReadEcho:  "after writing, read until io.EOF (io.ReadAll(conn): the server has hung up), then conn.Close()",
		HangUp:    "at io.EOF the call is over: conn.Close() and return from main",
		End:       "at io.EOF, conn.Close() and return from main",
		Input:     "a bufio.Scanner on os.Stdin",
	},
}

func init() { phrases[CPP] = phrases[C] }

// PhrasesOf are the fixes in a language's words (Python's for one the lab
// does not know), with the language's usual names for the sockets.
func PhrasesOf(l Lang) Phrases { return PhrasesIn(l, "") }

// PhrasesIn are the fixes in a language's words with the student's own
// names for the two sockets, as src, the program, shows them.
func PhrasesIn(l Lang, src string) Phrases {
	p, ok := phrases[l]
	if !ok {
		p, l = phrases[Python], Python
	}
	n := NamesIn(l, src)
	for _, f := range []*string{&p.BindOne, &p.EthAddr, &p.Greeting, &p.ReadToEnd, &p.ReadOnce, &p.Loop, &p.Close, &p.ReuseAddr} {
		*f = n.fill(*f)
	}
	return p
}

// graderWords turn the grader's one-line fixes, written for the lecture's
// Python with a socket named conn, into each language's calls, with the
// student's names for the sockets in place of {conn} and {server}.
var graderWords = map[Lang][]string{
	Python: {
		"conn.recv(1000)", "{conn}.recv(1000)",
		"conn.send(data)", "{conn}.send(data)",
		"conn.settimeout()", "{conn}.settimeout(1) before recv(), closing the call when it times out",
	},
	C: {
		`a Python 3 server that sends a str, "hello\n", crashes here: send bytes, b"hello\n".`, "look at what it printed: did it crash?",
		`b"hello\n"`, `"hello\n" (6 bytes)`,
		"conn.recv(1000)", "recv({conn}, buf, 1000, 0)",
		"conn.send(data)", "send({conn}, buf, n, 0), n what recv() returned",
		"conn.settimeout()", "setsockopt({conn}, SOL_SOCKET, SO_RCVTIMEO, ...)",
		"call close() after the echo", "call close({conn}) after the echo",
	},
	Java: {
		`a Python 3 server that sends a str, "hello\n", crashes here: send bytes, b"hello\n".`, "look at what it printed: did it crash?",
		`b"hello\n"`, `"hello\n" (and flush())`,
		"conn.recv(1000)", "in.read(buf, 0, 1000)",
		"conn.send(data)", "out.write(buf, 0, n), n what read() returned",
		"conn.settimeout()", "{conn}.setSoTimeout(2000)",
		"call close() after the echo", "call {conn}.close() after the echo",
		"recv()", "read()",
	},
	Node: {
		`a Python 3 server that sends a str, "hello\n", crashes here: send bytes, b"hello\n".`, "look at what it printed: did it crash?",
		`b"hello\n"`, `'hello\n'`,
		"conn.recv(1000)", "the first 'data' event, data.subarray(0, 1000)",
		"conn.send(data)", "{conn}.write(data)",
		"conn.settimeout()", "{conn}.setTimeout(2000, () => {conn}.destroy())",
		"right after accept(), before recv()", "as the 'connection' comes, before any 'data'",
		"loop around accept() to serve every caller.", "keep the server listening: no {server}.close() after a call.",
		"call close() after the echo", "call {conn}.end() after {conn}.write(data)",
	},
	Go: {
		`a Python 3 server that sends a str, "hello\n", crashes here: send bytes, b"hello\n".`, "look at what it printed: did it crash?",
		`b"hello\n"`, `[]byte("hello\n")`,
		"conn.recv(1000)", "{conn}.Read(buf), buf := make([]byte, 1000)",
		"conn.send(data)", "{conn}.Write(buf[:n])",
		"conn.settimeout()", "{conn}.SetReadDeadline(time.Now().Add(2 * time.Second))",
		"call close() after the echo", "call {conn}.Close() after the echo",
		"recv()", "Read()",
	},
}

func init() { graderWords[CPP] = graderWords[C] }

// GraderFix is the grader's fix in a language's words, with the language's
// usual names for the sockets.
func GraderFix(l Lang, fix string) string { return GraderFixIn(l, "", fix) }

// GraderFixIn is the grader's fix in a language's words, with the
// student's own names for the sockets as src shows them (as it is for a
// language the lab does not know).
func GraderFixIn(l Lang, src, fix string) string {
	w, ok := graderWords[l]
	if !ok || fix == "" {
		return fix
	}
	return NamesIn(l, src).fill(strings.NewReplacer(w...).Replace(fix))
}
