package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/socketlab/socketlab/internal/class"
)

const classUsage = `usage: client class [flags] DIR [OUT]

Grades a class: every submission in DIR (one folder per student, or the
export of Canvas, Moodle, Blackboard Learn, Brightspace, Gradescope or
GitHub Classroom, or a .zip of one) runs as laptop-a in a lab of its own and
is graded from laptop-b across hosts, as just my-server does. OUT (default
class-report) gets summary.csv, summary.md, report.html and a folder per
student with junit.xml, results.json, grade.txt, laptop-a.log and
record.json; OUT/lms gets the grade file and feedback the LMS imports, and a
README.txt saying how to upload them (deploy/grading/lms.md).

Run it again into the same OUT and it keeps each grade whose submission,
grader and policy are unchanged, and grades only what is new, changed or
not graded yet (-regrade grades everything again). A grade is replaced only
by a complete one: an interrupted run loses none.

flags:
`

func runClass(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := class.Config{Progress: stdout}
	var grading string
	fs := newFlagSet("client class", classUsage, "", stderr)
	fs.IntVar(&cfg.Jobs, "jobs", 0, "`N` labs at once (default: 3 per core of this machine, from 3 to 12)")
	fs.submissionTimeout(&cfg.Timeout, class.DefaultTimeout)
	fs.refused("timeout", "-timeout is renamed -submission-timeout here: -timeout is each step's deadline (give it to the grader with -grade-flags)", false)
	fs.StringVar(&cfg.Net, "net", class.DefaultNet, "the first two octets `NET` of the labs' subnets (lab N: NET.N.0/24 and\nNET.(100+N).0/24)")
	fs.StringVar(&cfg.Project, "project", class.DefaultProject, "the labs' compose project names, `PREFIX`-N")
	fs.StringVar(&grading, "grade-flags", "", "the grader's `FLAGS` (client student check's), such as \"-max-read 1000\",\n\"-quiet-warn\" or \"-timeout 5s\"")
	fs.StringVar(&cfg.Repo, "repo", "", "socketlab's folder `DIR`, with compose.yaml (default: found from the working\ndirectory)")
	fs.BoolVar(&cfg.Regrade, "regrade", false, "grade every submission again, even those whose grade in OUT still holds")
	trace := fs.Bool("trace", false, "print each docker command and how long it took, on stderr (where a class's\ntime goes)")
	fs.StringVar(&cfg.LMS.Assignment, "assignment", "", "the assignment's `NAME` as the LMS's gradebook has it, for OUT/lms's grade file\n(default: the export's name for it, else socketlab)")
	fs.StringVar(&cfg.LMS.AssignmentID, "assignment-id", "", "the assignment's `ID` in the LMS's gradebook: Canvas's assignment id, Blackboard's\nColumn ID")
	fs.StringVar(&cfg.LMS.Gradebook, "lms-gradebook", "", "the LMS's own gradebook export `FILE` (CSV), for the grade column's exact name and\nthe students' other ids (Brightspace's download has no usernames: give it)")
	swarmFlags := classSwarmFlags(fs)
	weightsFile := weightsFlag(fs)
	if err := fs.parse(args); err != nil {
		return usageExit(err)
	}
	if g := cfg.LMS.Gradebook; g != "" {
		if st, err := os.Stat(g); err != nil || st.IsDir() {
			return usageExit(badUsage(fs, "-lms-gradebook %s: no such file", g))
		}
	}
	var err error
	if cfg.Weights, err = loadWeights(fs, *weightsFile); err != nil {
		return usageExit(err)
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return usageExit(badUsage(fs, "want DIR [OUT], got %d arguments", fs.NArg()))
	}
	cfg.Dir, cfg.Out = fs.Arg(0), "class-report"
	if fs.NArg() == 2 {
		cfg.Out = fs.Arg(1)
	}
	if _, err := os.Stat(cfg.Dir); err != nil {
		return usageExit(badUsage(fs, "no such folder or archive: %s", cfg.Dir))
	}
	cfg.GradeFlags = strings.Fields(grading)
	if *trace {
		cfg.Trace = stderr
	}
	cfg.Swarm = swarmFlags()
	if cfg.Repo == "" {
		repo, err := findRepo()
		if err != nil {
			return usageExit(badUsage(fs, "%v", err))
		}
		cfg.Repo = repo
	}
	sum, err := class.Run(ctx, cfg)
	switch {
	case sum.Interrupted:
		fmt.Fprintln(stderr, "client class: interrupted: every lab is down; the reports of those graded are kept")
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "client class: %v\n", err)
		return exitNetwork
	case sum.LabErrors() > 0:
		fmt.Fprintf(stderr, "client class: the lab could not grade %d submissions (rows marked error)\n", sum.LabErrors())
		return exitNetwork
	}
	return exitOK
}

// findRepo is the folder above the working directory that holds
// compose.yaml and deploy/compose/class.yaml: socketlab's own.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "deploy", "compose", "class.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("socketlab's folder (with compose.yaml and deploy/compose/class.yaml) is not here or above: give -repo")
		}
		dir = parent
	}
}
