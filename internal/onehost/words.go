package onehost

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
)

// The lab's grader speaks of its two laptops: laptop-b calls laptop-a. A
// student graded on Gradescope or PrairieLearn met neither: there the
// grader calls the student's server on the same machine. oneHostWords says
// the lab's sentences in those terms, so that what such a student reads
// (the verdict, each check, the transcript) names no laptop: "laptop-b's
// call" is the grader's call, "laptop-a" the student's server or this
// machine, and a limit is the grader's, with its own number.
func oneHostWords(memory int64) func(string) string {
	mb := fmt.Sprintf("%d MB", memory>>20)
	r := strings.NewReplacer(
		// The longest first: at each place the replacer tries them in this
		// order. Then the lab's partner, whose laptop calls the student's:
		// here the grader does, as another machine would.
		" on laptop-a answered laptop-b across the lab as", " answered the grader's call as",
		"laptop-a's own loopback: laptop-a calls your server there", "this machine's own loopback: the grader calls your server there",
		"Only programs on your own laptop can call it there; your partner's laptop calls", "Only programs on this machine can call it there, and the grader calls as another machine would, at",
		"your partner's laptop", "the grader",
		"lo: the laptop talking to itself", "lo: the machine talking to itself",
		": the lab's network, where your partner is", ": the network the grader calls on",
		"Your partner could call it, so it works", "The grader could call it, so it works",
		"a laptop on a café's Wi-Fi", "a computer on a café's Wi-Fi",
		"your partner's client", "another program",
		"laptop-a could not run your", "the grader could not run your",
		"the lab's laptop has (128 MB)", "the grader allows ("+mb+")",
		"the lab's laptops (and Linux) have eth0", "Linux machines, the grader's too, have eth0",
		"(its output is in laptop's log above)", "(its output is in what your program printed)",
		"no report from the program's laptop", "no report on the program",
		"A laptop's system", "The system",
		"a laptop calls itself", "a machine calls itself",
		"the lab's laptop", "the grader's machine",
		"the laptop allows", "the grader allows",
		"the laptop lets", "the grader lets",
		"on the laptop:", "on this machine:",
		"your laptop", "this machine",
		"this laptop", "this machine",
		"laptop-a's ", "your ",
		"laptop-b's ", "the grader's ",
		"laptop-a", "this machine",
		"laptop-b", "the grader",
	)
	return func(s string) string {
		// A language's memory first: the replacer would take its words.
		s = langLimit.ReplaceAllString(s, "the grader gives $1 ("+mb+")")
		s = langRanOut.ReplaceAllString(s, "(the grader gives $1 "+mb+")")
		return r.Replace(s)
	}
}

// langLimit and langRanOut are a language's memory in the lab ("the lab's
// laptop gives java (512m)", "(the laptop gives java 512m)"), which one
// host gives otherwise.
var (
	langLimit  = regexp.MustCompile(`the lab's laptop gives (\S+) \(\w+\)`)
	langRanOut = regexp.MustCompile(`\(the laptop gives (\S+) \w+\)`)
)

// inWords is the result with every sentence a student reads said by say.
func (r Result) inWords(say func(string) string) Result {
	r.say = say
	r.Why = say(r.Why)
	r.Transcript = say(r.Transcript)
	for i, n := range r.Notes {
		r.Notes[i] = say(n)
	}
	checks := make([]grade.Result, len(r.Grade.Checks))
	copy(checks, r.Grade.Checks)
	for i := range checks {
		checks[i].Title, checks[i].Reason, checks[i].Fix = say(checks[i].Title), say(checks[i].Reason), say(checks[i].Fix)
	}
	r.Grade.Checks = checks
	return r
}

// wordsWriter says what passes through it with say: the transcript as it
// happens. The grader writes it a line at a time, so no sentence is split
// between two writes.
type wordsWriter struct {
	w   io.Writer
	say func(string) string
}

func (w wordsWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.say(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
