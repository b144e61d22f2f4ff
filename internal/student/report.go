// Package student runs a student's own program in the lab and judges it: the
// supervisor (Supervise) runs the program on one laptop, relays what it
// prints and writes down how it ends; the checker (Check) calls a student's
// server from the other laptop, grades it and explains what went wrong in
// the student's terms; the judge (Judge) answers a student's client as the
// lecture's server does and says what that client did.
//
// The two laptops share one small file, the supervisor's Report, through a
// volume: that is how the laptop that gives the verdict learns of a
// traceback on the other one, and stops waiting the moment the program has
// ended instead of waiting out a timeout.
package student

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/socketlab/socketlab/internal/student/lang"
)

// State is where the student's program is in its life.
type State string

const (
	StateStarting  State = "starting"  // the supervisor runs; the program not yet
	StateBuilding  State = "building"  // the program is being compiled
	StateRunning   State = "running"   // started, not yet listening
	StateListening State = "listening" // a socket of the laptop listens
	StateExited    State = "exited"    // the program has ended
)

// Report is what the supervisor knows of the program, written as JSON to a
// file that the other laptop reads. Every field is a fact; the words for the
// student come from Explain.
type Report struct {
	State   State    `json:"state"`
	Command []string `json:"command"`
	// File is the program's source file as the command names it (the first
	// argument that is a file in the working directory), and Source its first
	// maxSource bytes, for the hints Explain finds in it.
	File   string `json:"file,omitempty"`
	Source string `json:"source,omitempty"`
	// Lang is the program's language (lang.Lang), "" when the lab does not
	// know it (a STUDENT_CMD of another language).
	Lang string `json:"lang,omitempty"`
	// Build is how the program's build went, when it has one; a build that
	// failed ends the report there (State exited, no program run).
	Build *lang.Result `json:"build,omitempty"`
	// Interfaces are the laptop's network interfaces and their IPv4
	// addresses, as "eth0 172.28.5.10": what ni.interfaces() would list.
	Interfaces []string `json:"interfaces,omitempty"`
	// Listening are the TCP addresses the laptop listens on, ip:port.
	Listening []string `json:"listening,omitempty"`
	// StartError is why the program could not be started at all.
	StartError string `json:"start_error,omitempty"`
	// LabFault is why the lab, not the program, kept it from running: the
	// laptop was given no files at all (a folder the engine cannot see).
	LabFault string `json:"lab_fault,omitempty"`
	// ExitCode is the program's exit status, -1 when a signal ended it.
	ExitCode int    `json:"exit_code"`
	Signal   string `json:"signal,omitempty"`
	// ForkFailures counts the laptop's refusals to start a process or
	// thread because its process limit was reached (a fork bomb).
	ForkFailures int `json:"fork_failures,omitempty"`
	// Sockets is how many sockets the program holds open now, listening
	// ones included, and PeakSockets the most it held: a server that never
	// closes its calls holds one more after each.
	Sockets     int `json:"sockets,omitempty"`
	PeakSockets int `json:"peak_sockets,omitempty"`
	// ProcLimit, when set, is the program's own process limit (one host's
	// per-user limit, Config.ProcLimit), which ForkFailures then counts
	// against: the kernel keeps no count of those refusals.
	ProcLimit int `json:"proc_limit,omitempty"`
	// Stdout and Stderr are the last bytes the program printed on each.
	Stdout    string    `json:"stdout,omitempty"`
	Stderr    string    `json:"stderr,omitempty"`
	Started   time.Time `json:"started"`
	Ended     time.Time `json:"ended,omitzero"`
	MemLimit  bool      `json:"mem_limit,omitempty"` // killed as the memory limit does (SIGKILL)
	Supervise string    `json:"supervisor,omitempty"`
}

// Exited says the program has ended, or never started.
func (r Report) Exited() bool { return r.State == StateExited }

// BuildFailed says the program did not build, so it never ran.
func (r Report) BuildFailed() bool { return r.Build != nil && !r.Build.OK() }

// language is the report's language, Python when it names none: the
// lecture's, and what a STUDENT_CMD that the lab cannot place is told in.
func (r Report) language() lang.Lang {
	if r.Lang != "" {
		return lang.Lang(r.Lang)
	}
	if l := lang.Of(r.File); l != "" {
		return l
	}
	return lang.Python
}

// WriteReport writes r to path so that a reader never sees half of it.
func WriteReport(path string, r Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := WriteWhole(path, func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err }); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	return nil
}

// WriteWhole writes path through write into a temporary file in the same
// directory, renamed over path, so that a reader never sees half of it.
// The file is readable by all: the other laptop, or the platform reading
// a grader's results, may run as another user.
func WriteWhole(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	werr := write(tmp)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

// ErrNoReport is a report that is not there (yet).
var ErrNoReport = errors.New("no report yet")

// ReadReport reads the report at path; ErrNoReport when there is none.
func ReadReport(path string) (Report, error) {
	var r Report
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return r, ErrNoReport
	}
	if err != nil {
		return r, fmt.Errorf("read the report: %w", err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("read the report %s: %w", path, err)
	}
	return r, nil
}
