package grade

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Header is the line a text report starts with.
func Header(addr string, timeout time.Duration) string {
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return fmt.Sprintf("grading %s against the lecture's protocol (each step waits at most %v)\n", addr, timeout)
}

// fixIndent starts the line that says what to change, under a FAIL;
// tipIndent the same advice under a check that passed (a WARN): "fix:"
// there left students unsure whether they had to change something;
// noteIndent the line of a Fix that is a note ("note: ..."): what helps
// to know where there is nothing to change.
const (
	fixIndent  = "      fix: "
	tipIndent  = "      tip: "
	noteIndent = "      note: "
)

// WriteResult writes one check as one line, status, title, reason, and
// the fix, when there is one, on an indented line of its own.
func WriteResult(w io.Writer, r Result) error {
	_, err := io.WriteString(w, resultText(r))
	return err
}

// resultText is a check as WriteResult writes it.
func resultText(r Result) string {
	s := fmt.Sprintf("%-4s  %s: %s\n", r.Status, r.Title, r.Reason)
	if note, ok := strings.CutPrefix(r.Fix, "note: "); ok {
		s += noteIndent + note + "\n"
	} else if r.Fix != "" && r.Status == Fail {
		s += fixIndent + r.Fix + "\n"
	} else if r.Fix != "" {
		s += tipIndent + r.Fix + "\n"
	}
	return s
}

// Summary is the line a text report ends with: the verdict, and what
// kept it from passing.
func (r Report) Summary() string {
	count := map[Status]int{}
	failed := 0
	for _, c := range r.Checks {
		count[c.Status]++
		if c.Required && c.Status == Fail {
			failed++
		}
	}
	var parts []string
	switch {
	case r.Passed:
		parts = append(parts, "every required check passed")
	case failed > 0:
		parts = append(parts, fmt.Sprintf("%s failed", plural(failed, "required check")))
	}
	// Every check not run, required or not: the count of the SKIP lines
	// above, which a student adds up.
	if n := count[Skip]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d not run", n))
	}
	if n := count[Warn]; n > 0 {
		parts = append(parts, plural(n, "warning"))
	}
	if r.Interrupted {
		parts = append(parts, "interrupted")
	}
	verdict := Pass
	if !r.Passed {
		verdict = Fail
	}
	return fmt.Sprintf("%-4s  %s (%s in %s)\n", verdict, strings.Join(parts, ", "),
		plural(r.Calls, "call"), seconds(r.Elapsed))
}

// WriteText writes the whole report as a student reads it.
func (r Report) WriteText(w io.Writer) error {
	head := Header(r.Addr, r.Timeout)
	if r.Name != "" {
		head = r.Name + ": " + head
	}
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	for _, c := range r.Checks {
		if err := WriteResult(w, c); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, r.Summary())
	return err
}

// WriteJSON writes the report as one JSON object and a newline.
func (r Report) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(r)
}

// check is the result of the check with id.
func (r Report) check(id string) Result {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return Result{}
}
