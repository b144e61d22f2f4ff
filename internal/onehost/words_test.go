package onehost

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOneHostWords: the lab's sentences, as one host says them.
func TestOneHostWords(t *testing.T) {
	say := oneHostWords(512 << 20)
	for lab, one := range map[string]string{
		"verdict: PASS: your server.py on laptop-a answered laptop-b across the lab as the lecture's server does.":                          "verdict: PASS: your server.py answered the grader's call as the lecture's server does.",
		"it listened, answered laptop-b's call and was still running at the end.":                                                           "it listened, answered the grader's call and was still running at the end.",
		"laptop-a's server.py is listening at 10.0.0.5:8000":                                                                                "your server.py is listening at 10.0.0.5:8000",
		"laptop-a could not run your server.py: no python3":                                                                                 "the grader could not run your server.py: no python3",
		"your program was killed, most likely for using more memory than the lab's laptop has (128 MB): does it":                            "your program was killed, most likely for using more memory than the grader allows (512 MB): does it",
		"more memory than the lab's laptop gives java (512m): does it":                                                                      "more memory than the grader gives java (512 MB): does it",
		"more processes or threads than the laptop allows (refused 3 times)":                                                                "more processes or threads than the grader allows (refused 3 times)",
		"      laptop-b cannot call 127.0.0.1:8000, laptop-a's own loopback: laptop-a calls your server there, for the rest of the checks.": "      the grader cannot call 127.0.0.1:8000, this machine's own loopback: the grader calls your server there, for the rest of the checks.",
		"your server listens on 127.0.0.1:8000: localhost, the address by which your laptop calls itself. Only programs on your own laptop can call it there; your partner's laptop calls eth0's address, 172.17.0.5, and is refused (connection refused).": "your server listens on 127.0.0.1:8000: localhost, the address by which this machine calls itself. Only programs on this machine can call it there, and the grader calls as another machine would, at eth0's address, 172.17.0.5, and is refused (connection refused).",
		"your program ran out of memory (the laptop gives java 512m): does it": "your program ran out of memory (the grader gives java 512 MB): does it",
		"the echo came only after laptop-b hung up its side":                   "the echo came only after the grader hung up its side",
	} {
		require.Equal(t, one, say(lab))
	}
}
