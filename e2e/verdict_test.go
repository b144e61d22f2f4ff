package e2e

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/results"
)

// verdictWant is what every output says of each submission of
// e2e/testdata/verdict, with the shipped weights (policy lecture): the same
// verdict, points and first cause (its id and the check it failed) in
// grade.txt, results.json, junit.xml and summary.csv, and from the one-host
// grader. The usual one-line mistakes score apart from an empty file: a
// server bound to localhost or to port 8001 is graded where it listens.
var verdictWant = map[string]struct {
	verdict      string
	points       float64
	cause, check string
}{
	"lecture-py3":   {"PASS", 14, "", ""},
	"localhost":     {"FAIL", 11, "loopback", "answers"},
	"port-8001":     {"FAIL", 11, "wrong-port", "answers"},
	"no-close":      {"FAIL", 13, "never-closed", "hangs-up"},
	"str-not-bytes": {"FAIL", 7, "str-send", "greeting"},
	"empty":         {"FAIL", 0, "empty-file", "program"},
}

// verdictTotal is weights.txt's total under its policy, the lecture's.
const verdictTotal = 14.0

// TestOneStoryPerSubmission is `just class e2e/testdata/verdict`: for each
// submission, grade.txt, results.json, junit.xml and the summary's row
// carry the same checks, the same first cause in the same words, and the
// same points; the checks its cause kept from running are "not run", never
// failed.
func TestOneStoryPerSubmission(t *testing.T) {
	require.Equal(t, verdictTotal, results.Default().Total())
	out, rows := runClass(t, "e2e/testdata/verdict", "10.229", 60*time.Second)
	require.Len(t, rows, len(verdictWant))
	for name, w := range verdictWant {
		t.Run(name, func(t *testing.T) {
			row := rows[name]
			require.Equal(t, w.verdict, row["verdict"], "%v", row)
			require.Equal(t, w.cause, row["cause"], "%v", row)
			require.Equal(t, formatFloat(w.points), row["points"], "%v", row)
			require.Equal(t, formatFloat(verdictTotal), row["max"], "%v", row)
			// The note is the first cause: its check, then its words.
			says, ok := strings.CutPrefix(row["note"], w.check+": ")
			require.True(t, ok || w.verdict == "PASS", "the note names the cause's check: %q", row["note"])
			require.Equal(t, w.verdict == "PASS", says == "", row["note"])
			for _, id := range strings.Fields(row["failed_checks"]) {
				require.NotContains(t, strings.Fields(row["not_run"]), id)
			}
			if w.verdict == "FAIL" {
				require.Equal(t, w.check, row["failed_checks"], "one mistake, one failed check; the rest not run")
			}

			read := func(file string) []byte {
				b, err := os.ReadFile(filepath.Join(out, name, file))
				require.NoError(t, err)
				return b
			}
			txt := string(read("grade.txt"))
			require.Contains(t, txt, "verdict: "+w.verdict)
			require.Contains(t, txt, says, "grade.txt says the cause in the same words")
			require.NotContains(t, txt, "fix: is the server running", "the specific cause, not the symptom")

			var gs struct {
				Score  float64 `json:"score"`
				Output string  `json:"output"`
				Tests  []struct {
					Name     string  `json:"name"`
					Score    float64 `json:"score"`
					MaxScore float64 `json:"max_score"`
					Status   string  `json:"status"`
					Output   string  `json:"output"`
				} `json:"tests"`
			}
			require.NoError(t, json.Unmarshal(read("results.json"), &gs))
			require.Equal(t, w.points, gs.Score)
			require.Contains(t, gs.Output, says)
			max, failed := 0.0, []string{}
			for _, tc := range gs.Tests {
				max += tc.MaxScore
				id, _, _ := strings.Cut(tc.Name, ":")
				if tc.Status == "failed" {
					failed = append(failed, id)
				}
				if id == w.check {
					require.Contains(t, tc.Output, says, "the cause's test says it")
				}
				if tc.Status == "" {
					require.Contains(t, tc.Output, "not run", "a test with no status was not run: %s", tc.Name)
				}
			}
			require.Equal(t, verdictTotal, max)
			require.Equal(t, strings.Fields(row["failed_checks"]), failed)

			var junit struct {
				Suites []struct {
					Failures   int `xml:"failures,attr"`
					Properties []struct {
						Name  string `xml:"name,attr"`
						Value string `xml:"value,attr"`
					} `xml:"properties>property"`
					SystemOut string `xml:"system-out"`
				} `xml:"testsuite"`
			}
			require.NoError(t, xml.Unmarshal(read("junit.xml"), &junit))
			s := junit.Suites[0]
			require.Equal(t, len(failed), s.Failures, "the checks not run are skipped, not failures")
			require.Contains(t, s.SystemOut, says)
			props := map[string]string{}
			for _, p := range s.Properties {
				props[p.Name] = p.Value
			}
			require.Equal(t, formatFloat(w.points), props["score"])
			require.Equal(t, formatFloat(verdictTotal), props["max_score"])
		})
	}
	// The lecture's script passes as taught, with the note.
	txt, err := os.ReadFile(filepath.Join(out, "lecture-py3", "grade.txt"))
	require.NoError(t, err)
	require.Contains(t, string(txt), "  - note: ")
	require.Contains(t, string(txt), "SKIP  not run: it ended after one call: echoes a telnet line ending \"\\r\\n\"; echoes 1000 bytes whole; echoes one read of 3000 bytes")
	// A server on laptop-a's loopback was graded there, by laptop-a.
	log, err := os.ReadFile(filepath.Join(out, "localhost", "laptop-a.log"))
	require.NoError(t, err)
	require.Contains(t, string(log), "calling it from here for the grade")
}

// TestAKeepServingCourseFailsTheLecturesScript: the one setting, `policy
// keep-serving` in the weights file, reaches the class's labs: the
// lecture's one-call script fails still-there, and the checks it could not
// be asked are not run, worth their points lost.
func TestAKeepServingCourseFailsTheLecturesScript(t *testing.T) {
	root, err := repoRoot()
	require.NoError(t, err)
	class := t.TempDir()
	b, err := os.ReadFile(filepath.Join(root, "e2e/testdata/verdict/lecture-py3/server.py"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(class, "lecture-py3"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(class, "lecture-py3", "server.py"), b, 0o644))
	keep := strings.Replace(string(results.DefaultText()), "\npolicy lecture\n", "\npolicy keep-serving\n", 1)
	w, err := results.ParseWeights(strings.NewReader(keep))
	require.NoError(t, err)
	require.Equal(t, 20.0, w.Total())

	out, rows := runClassWith(t, class, "10.230", 60*time.Second, w)
	row := rows["lecture-py3"]
	require.Equal(t, "FAIL", row["verdict"], "%v", row)
	require.Equal(t, "still-there", row["failed_checks"])
	require.Equal(t, "echo-crlf echo-1000 echo-3000", row["not_run"])
	require.Equal(t, "one-call", row["cause"])
	require.Equal(t, []string{"14", "20"}, []string{row["points"], row["max"]})
	txt, err := os.ReadFile(filepath.Join(out, "lecture-py3", "grade.txt"))
	require.NoError(t, err)
	require.Contains(t, string(txt), "verdict: FAIL: your server.py served one call, then ended.")
}

// TestGradescopeGivesTheClassesStory: the one-host grader, through the
// Gradescope zip, gives each submission of e2e/testdata/verdict the
// points and the first cause the class grader gives it across the lab.
func TestGradescopeGivesTheClassesStory(t *testing.T) {
	root, err := repoRoot()
	require.NoError(t, err)
	nw := newPlatformNetwork(t, "10.223.3.0/24")
	for name, w := range verdictWant {
		t.Run(name, func(t *testing.T) {
			// A container each, as Gradescope gives each submission: the
			// lecture's script ends its call first, and its port stays in
			// TIME_WAIT for a minute, which a server without SO_REUSEADDR
			// could not bind.
			r := gradescopeGrade(t, gradescopeContainer(t, nw), filepath.Join(root, "e2e", "testdata", "verdict", name))
			requireGradescopeShape(t, r)
			require.Equal(t, w.points, r.results["score"], r.output())
			require.Contains(t, r.output(), "verdict: "+w.verdict)
			max := 0.0
			for _, tc := range r.tests() {
				max += tc["max_score"].(float64)
			}
			require.Equal(t, verdictTotal, max)
			if w.check != "" {
				require.Equal(t, "failed", r.tests()[w.check]["status"], r.output())
				for id, tc := range r.tests() {
					if id != w.check {
						require.NotEqual(t, "failed", tc["status"], "%s: one mistake, one failed check\n%s", id, r.output())
					}
				}
			}
		})
	}
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// TestMyServerPassesTheLecturesScriptInPython3 is `just my-server` of the
// lecture's server.py fixed only for Python 3 and eth0: it serves one
// call and ends, as taught, and passes, with a note that a real server
// keeps answering; what needs more calls is not run, never failed.
func TestMyServerPassesTheLecturesScriptInPython3(t *testing.T) {
	t.Parallel()
	r := runStudentLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/student/lecture-py3/server.py", nil)
	require.Equal(t, 0, r.exit)
	require.Contains(t, r.b, "hello\nhi back atcha\nConnection closed by foreign host.\n")
	require.Contains(t, r.b, "PASS  runs in the lab and listens: it listened at "+r.labNet+"10:8000.")
	require.Contains(t, r.b, "SKIP  not run: it ended after one call: echoes a telnet line ending \"\\r\\n\"; echoes 1000 bytes whole; echoes one read of 3000 bytes\n")
	require.Regexp(t, `PASS  not reachable on 10\.217\.\d+\.10:8000: it listened only on 10\.217\.\d+\.10:8000, as its socket table shows`, r.b)
	require.NotContains(t, r.b, "FAIL")
	require.Contains(t, r.b, "verdict: PASS: your server.py on laptop-a answered laptop-b across the lab")
	require.Contains(t, r.b, "  - note: line 14: your server served one call, then ended (exit status 0)")
}

// TestMyServerGradesALocalhostServerOnLaptopA: a server bound to localhost
// cannot be called from laptop-b, so laptop-a's supervisor grades it on
// laptop-a's loopback: only "answers" fails, naming where it listens.
func TestMyServerGradesALocalhostServerOnLaptopA(t *testing.T) {
	t.Parallel()
	r := runStudentLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/verdict/localhost/server.py", nil)
	require.Equal(t, exitFail, r.exit)
	require.Contains(t, r.b, "telnet: Unable to connect to remote host: Connection refused")
	require.Contains(t, r.b, "FAIL  answers on "+r.labNet+"10:8000: connection refused: your server listens at 127.0.0.1:8000 instead.")
	require.Contains(t, r.b, "laptop-b cannot call 127.0.0.1:8000, laptop-a's own loopback")
	require.Contains(t, r.b, `PASS  greets with "hello\n"`)
	require.Contains(t, r.b, "PASS  echoes a short line")
	require.NotContains(t, r.b, "while it answers on its own address", "laptop-b's call to its address was refused")
	require.Contains(t, r.b, "FAIL  one required check failed")
	require.Contains(t, r.b, "verdict: FAIL: your server.py did not answer laptop-b's call.\n  - line 9: your server listens on 127.0.0.1:8000: localhost")
	require.Contains(t, r.a, "socketlab: laptop-b cannot call 127.0.0.1:8000; calling it from here for the grade")
}
