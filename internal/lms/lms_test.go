package lms

import (
	"archive/zip"
	"encoding/csv"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/roster"
	"github.com/socketlab/socketlab/internal/roster/rostertest"
)

// writeBack reads export as the class grader does, gives its students
// the outcomes got, and writes what goes back to the LMS.
func writeBack(t *testing.T, export string, got map[string]outcome, cfg Config) (string, roster.Roster, []string) {
	t.Helper()
	r, err := roster.Read(export, roster.Want{Role: "server"})
	require.NoError(t, err)
	out := t.TempDir()
	cfg.Now = now
	files, err := WriteBack(out, r, classRows(r, got), cfg)
	require.NoError(t, err)
	return out, r, files
}

// readGrades reads a grade file as an LMS would: a byte-order mark
// dropped, fields unquoted.
func readGrades(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	require.NoError(t, err)
	return recs
}

// gradebookFile writes an LMS's gradebook export for a test.
func gradebookFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

func TestMoodle(t *testing.T) {
	out, _, files := writeBack(t, rostertest.Moodle.Zip(t), map[string]outcome{"Bob O'Neil": anywhere, "José Ñúñez": crashed, "李小龙": timedOut}, Config{})
	require.Equal(t, []string{"lms/moodle-grades.csv", "lms/moodle-feedback.zip", "lms/grades.csv", "lms/README.txt"}, files)
	golden(t, out, "moodle")
	b, err := os.ReadFile(filepath.Join(out, "lms", "moodle-grades.csv"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "\ufeffIdentifier,\"Full name\",Grade,\"Maximum Grade\",\"Last modified (grade)\",\"Feedback comments\"\r\n"),
		"Moodle's header, with its byte-order mark and fputcsv's quotes")
}

func TestCanvas(t *testing.T) {
	t.Run("no gradebook", func(t *testing.T) {
		out, _, _ := writeBack(t, rostertest.Canvas.Zip(t), map[string]outcome{"doejane": anywhere, "müllerjürgen": labError}, Config{})
		golden(t, out, "canvas")
	})
	t.Run("gradebook", func(t *testing.T) {
		gb := gradebookFile(t, "2024-03-05T1413_Grades-NET101.csv", "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1: hello (4320),Lab 2: echo server (4321),Current Score\r\n"+
			"    Points Possible,,,,,10,20,(read only)\r\n"+
			"\"Doe, Jane\",2045331,S1001,jdoe,NET101 Section 1,10,,50\r\n"+
			"\"O'Brien, Seán Patrick\",2045400,S1002,sobrien,NET101 Section 1,9,,45\r\n"+
			"\"123, Bob_\",2045410,S1003,bob123,NET101 Section 2,8,,40\r\n"+
			"\"Lee, Ann\",2045440,S1004,alee,NET101 Section 2,7,,35\r\n"+
			"\"García, María\",2045430,S1005,mgarcia,NET101 Section 2,,,0\r\n")
		out, _, _ := writeBack(t, rostertest.Canvas.Zip(t), nil, Config{Assignment: "Lab 2: echo server", Gradebook: gb})
		recs := readGrades(t, filepath.Join(out, "lms", "canvas-grades.csv"))
		require.Equal(t, []string{"Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 2: echo server (4321)"}, recs[0])
		require.Contains(t, recs, []string{"O'Brien, Seán Patrick", "2045400", "S1002", "sobrien", "NET101 Section 1", "20"})
		readme, err := os.ReadFile(filepath.Join(out, "lms", "README.txt"))
		require.NoError(t, err)
		require.Contains(t, string(readme), "müllerjürgen (2045420): user id 2045420 is not in the gradebook export")
	})
}

func TestBlackboard(t *testing.T) {
	t.Run("no gradebook", func(t *testing.T) {
		out, _, _ := writeBack(t, rostertest.Blackboard.Zip(t), map[string]outcome{"Seán O'Brien": anywhere}, Config{})
		golden(t, out, "blackboard")
	})
	t.Run("gradebook", func(t *testing.T) {
		gb := gradebookFile(t, "gc_NET101.2024FA_columns_2024-03-05-14-13-00.csv",
			"\"Last Name\",\"First Name\",\"Username\",\"Student ID\",\"Last Access\",\"Availability\",\"Lab 2 echo server [Total Pts: 20 Score] |118854\",\"Total [Total Pts: up to 120 Score] |3032234\"\r\n"+
				"\"Doe\",\"Jane\",\"jdoe\",\"\",\"\",\"Yes\",\"\",\"0\"\r\n")
		out, _, _ := writeBack(t, rostertest.Blackboard.Zip(t), nil, Config{Gradebook: gb})
		recs := readGrades(t, filepath.Join(out, "lms", "blackboard-grades.csv"))
		require.Equal(t, []string{"Username", "Lab 2 echo server [Total Pts: 20 Score] |118854", "Feedback to Learner", "Feedback Format"}, recs[0])
		require.Len(t, recs, 2, "the others are not in the Grade Center")
	})
}

// brightspaceGradebook is Brightspace's Grades > Export for the class of
// rostertest.Brightspace: ids with "#", names split in two, a grade item
// with its type hint, a student who sent nothing.
const brightspaceGradebook = "OrgDefinedId,Username,Last Name,First Name,Email,Lab 2 echo server Points Grade <Numeric MaxPoints:20 Category:Labs>,End-of-Line Indicator\r\n" +
	"#20067930,#msmith,Smith,Mary-Ann,msmith@uni.example,,#\r\n" +
	"#20067931,#sobrien,O'Brien,Seán,sobrien@uni.example,,#\r\n" +
	"#00067932,#zunal,Ünal,\"Zoë \"\"Zo\"\"\",zunal@uni.example,,#\r\n" +
	"#20067933,#xli,小龍,李,xli@uni.example,,#\r\n" +
	"#20067934,#jjames,James,Jessie,jjames@uni.example,,#\r\n" +
	"#20067935,#alee,Lee,Ann,alee@uni.example,,#\r\n" +
	"#20067936,#nobody,Body,No,nobody@uni.example,,#\r\n"

func TestBrightspace(t *testing.T) {
	t.Run("gradebook", func(t *testing.T) {
		gb := gradebookFile(t, "Lab 2 echo server_GradesExport_2024-09-25-0900.csv", brightspaceGradebook)
		out, _, _ := writeBack(t, rostertest.Brightspace.Zip(t), map[string]outcome{"Jessie James": crashed}, Config{Gradebook: gb})
		golden(t, out, "brightspace")
	})
	t.Run("no gradebook", func(t *testing.T) {
		out, _, files := writeBack(t, rostertest.Brightspace.Zip(t), nil, Config{})
		require.Equal(t, []string{"lms/brightspace-feedback.zip", "lms/grades.csv", "lms/README.txt"}, files)
		readme, err := os.ReadFile(filepath.Join(out, "lms", "README.txt"))
		require.NoError(t, err)
		require.Contains(t, string(readme), "brightspace-grades.csv: not written")
		require.Contains(t, string(readme), "run the class again with -lms-gradebook FILE")
	})
}

// TestFolders: a class of plain folders gets grades.csv and nothing else.
func TestFolders(t *testing.T) {
	dir := t.TempDir()
	for _, s := range []string{"alice", "Bob O'Neil", "carol"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, s), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, s, "server.py"), []byte("print()"), 0o644))
	}
	out, _, files := writeBack(t, dir, map[string]outcome{"carol": crashed}, Config{})
	require.Equal(t, []string{"lms/grades.csv"}, files)
	require.Equal(t, [][]string{
		{"student", "id", "email", "points", "max_points", "verdict"},
		{"alice", "", "", "20", "20", "PASS"},
		{"Bob O'Neil", "", "", "20", "20", "PASS"},
		{"carol", "", "", "0", "20", "FAIL"},
	}, readGrades(t, filepath.Join(out, "lms", "grades.csv")))
}

// TestRoundTrip: for every student of every export, the grade file's row
// and the feedback's name carry the student's name and id exactly as the
// export's own file names do, read here apart from the roster's parser.
func TestRoundTrip(t *testing.T) {
	gb := gradebookFile(t, "grades.csv", brightspaceGradebook)
	for _, tc := range []struct {
		name   string
		export rostertest.Export
		cfg    Config
		// fromExport reads, from the export's file names and bodies, each
		// student's name and id as the grade file must carry them.
		fromExport func(e rostertest.Export) map[string]string
		// fromGrades reads the same from the grade file's rows.
		grades     string
		fromGrades func(recs [][]string) map[string]string
	}{
		{"moodle", rostertest.Moodle, Config{}, func(e rostertest.Export) map[string]string {
			re := regexp.MustCompile(`^([^_/]+)_(\d+)_assignsubmission_[a-z]+_?/`)
			m := map[string]string{}
			for p := range e.Files {
				if g := re.FindStringSubmatch(p); g != nil {
					m["Participant "+g[2]] = g[1]
				}
			}
			return m
		}, "moodle-grades.csv", func(recs [][]string) map[string]string {
			m := map[string]string{}
			for _, r := range recs[1:] {
				m[r[0]] = r[1]
			}
			return m
		}},
		{"canvas", rostertest.Canvas, Config{}, func(e rostertest.Export) map[string]string {
			// The class's user ids are the 7-digit fields; the login is
			// what comes before, without a late marker.
			m := map[string]string{}
			for _, p := range entries(e) {
				t := strings.Split(p, "_")
				for i, tok := range t {
					if len(tok) == 7 && strings.HasPrefix(tok, "2045") {
						m[tok] = strings.TrimSuffix(strings.Join(t[:i], "_"), "_LATE")
					}
				}
			}
			return m
		}, "canvas-grades.csv", func(recs [][]string) map[string]string {
			m := map[string]string{}
			for _, r := range recs[2:] {
				m[r[1]] = r[0]
			}
			return m
		}},
		{"blackboard", rostertest.Blackboard, Config{}, func(e rostertest.Export) map[string]string {
			re := regexp.MustCompile(`(?m)^Name: (.*) \((.*)\)\r?$`)
			m := map[string]string{}
			for p, body := range e.Files {
				if g := re.FindStringSubmatch(body); g != nil && strings.HasSuffix(p, ".txt") {
					m[g[2]] = g[2]
				}
			}
			return m
		}, "blackboard-grades.csv", func(recs [][]string) map[string]string {
			m := map[string]string{}
			for _, r := range recs[1:] {
				m[r[0]] = r[0]
			}
			return m
		}},
		{"brightspace", rostertest.Brightspace, Config{Gradebook: gb}, func(e rostertest.Export) map[string]string {
			ids := map[string]string{"Mary-Ann Smith": "20067930", "Seán O'Brien": "20067931", `Zoë "Zo" Ünal`: "00067932",
				"李 小龍": "20067933", "Jessie James": "20067934", "Ann Lee": "20067935"}
			m := map[string]string{}
			for _, p := range entries(e) {
				if parts := strings.Split(strings.Split(p, "/")[0], " - "); len(parts) >= 3 {
					name := parts[len(parts)-2]
					m["#"+ids[name]] = name
				}
			}
			return m
		}, "brightspace-grades.csv", func(recs [][]string) map[string]string {
			m := map[string]string{}
			for _, r := range recs[1:] {
				m[r[0]] = gradebookName(r[0])
			}
			return m
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, r, _ := writeBack(t, tc.export.Dir(t), nil, tc.cfg)
			require.Equal(t, tc.fromExport(tc.export), tc.fromGrades(readGrades(t, filepath.Join(out, "lms", tc.grades))),
				"every student, named and numbered as the export does")
			// Each feedback file is named after the student's own entry in
			// the export, byte for byte.
			zips, _ := filepath.Glob(filepath.Join(out, "lms", "*-feedback.zip"))
			for _, z := range zips {
				data, err := os.ReadFile(z)
				require.NoError(t, err)
				for p := range unzip(t, data) {
					top := strings.SplitN(p, "/", 2)[0]
					require.True(t, exportHas(r, top), "%s: %q is no entry of the export", filepath.Base(z), p)
				}
			}
		})
	}
}

// entries are an export's paths, its uploaded zips' too.
func entries(e rostertest.Export) []string {
	var all []string
	for p := range e.Files {
		all = append(all, p)
	}
	for p := range e.Zips {
		all = append(all, p)
	}
	return all
}

// gradebookName is the Brightspace test gradebook's First Last for an id.
func gradebookName(id string) string {
	for _, line := range strings.Split(brightspaceGradebook, "\r\n")[1:] {
		r, err := csv.NewReader(strings.NewReader(line)).Read()
		if err == nil && r[0] == id {
			return r[3] + " " + r[2]
		}
	}
	return ""
}

func exportHas(r roster.Roster, name string) bool {
	for _, s := range r.Submissions {
		for _, e := range s.Export {
			if strings.TrimSuffix(e, "/") == name {
				return true
			}
		}
	}
	return false
}

// TestRunAgain: a second run into the same report replaces the LMS's
// files, and removes the one it no longer writes, so that no file of an
// earlier run is uploaded as this one's.
func TestRunAgain(t *testing.T) {
	r, err := roster.Read(rostertest.Brightspace.Zip(t), roster.Want{})
	require.NoError(t, err)
	out := t.TempDir()
	gb := gradebookFile(t, "grades.csv", brightspaceGradebook)
	files, err := WriteBack(out, r, classRows(r, nil), Config{Gradebook: gb, Now: now})
	require.NoError(t, err)
	require.Contains(t, files, "lms/brightspace-grades.csv")
	files, err = WriteBack(out, r, classRows(r, nil), Config{Now: now})
	require.NoError(t, err)
	require.NotContains(t, files, "lms/brightspace-grades.csv")
	require.NoFileExists(t, filepath.Join(out, "lms", "brightspace-grades.csv"))
	for _, f := range files {
		require.FileExists(t, filepath.Join(out, f))
	}
	left, err := filepath.Glob(filepath.Join(out, "lms", ".*"))
	require.NoError(t, err)
	require.Empty(t, left, "no temporary file left")
	for _, f := range ownFiles {
		require.Contains(t, strings.Join(writtenSomewhere, " "), f, "ownFiles lists only files a writer writes")
	}
}

// writtenSomewhere are the files the golden tests hold.
var writtenSomewhere = func() []string {
	all, _ := filepath.Glob(filepath.Join("testdata", "*", "*"))
	return all
}()

// TestAPassSaysSoBeforeItsNotes: the feedback of a submission that passed
// opens with the verdict and the checks, and its notes (what a reset is)
// come last, as notes; a failure's cause stays right under its verdict.
func TestAPassSaysSoBeforeItsNotes(t *testing.T) {
	const note = "  - note: a reset (RST) is a call that ends without a goodbye."
	s := submission(pass)
	s.Verdict += note + "\n"
	text := feedbackText(*s)
	require.True(t, strings.HasPrefix(text, "verdict: PASS: your server.py"), text)
	checks, notes, ok := strings.Cut(text, "Notes, nothing to fix:\n")
	require.True(t, ok, text)
	require.Contains(t, checks, "PASS  still answers after the checks")
	require.Equal(t, note+"\n", notes)

	text = feedbackText(*submission(anywhere))
	first, _, _ := strings.Cut(text, "\nThe checks:")
	require.Contains(t, first, "  - it is bound to 0.0.0.0", "a failure's cause comes first")
	require.NotContains(t, text, "Notes")
}

// TestBrightspaceWarnsOfOtherMaxPoints: a grade item out of 20 in
// Brightspace, and socketlab's grades out of 26 (a course's weights file
// that gives echo 9): the TA is told once, before importing, and the
// README says it first.
func TestBrightspaceWarnsOfOtherMaxPoints(t *testing.T) {
	for _, tc := range []struct {
		name   string
		echo   float64
		warned bool
	}{{"out of other points", 9, true}, {"out of the same", 3, false}} {
		t.Run(tc.name, func(t *testing.T) {
			gb := gradebookFile(t, "Lab 2 echo server_GradesExport_2024-09-25-0900.csv", brightspaceGradebook)
			w := results.Default()
			w.Points = maps.Clone(w.Points)
			w.Points["echo"] = tc.echo
			var told []string
			out, _, _ := writeBack(t, rostertest.Brightspace.Zip(t), nil, Config{Gradebook: gb, Weights: w, Warn: func(s string) { told = append(told, s) }})
			readme, err := os.ReadFile(filepath.Join(out, "lms", "README.txt"))
			require.NoError(t, err)
			if !tc.warned {
				require.Empty(t, told)
				require.NotContains(t, string(readme), "WARNING")
				return
			}
			require.Len(t, told, 1, "once")
			require.Contains(t, told[0], `"Lab 2 echo server" is out of 20 points`)
			require.Contains(t, told[0], "socketlab's grades are out of 26")
			require.Contains(t, told[0], "set the grade item's Max Points to 26")
			_, after, _ := strings.Cut(string(readme), "\n\n")
			require.True(t, strings.HasPrefix(after, "WARNING: Brightspace's grade item"), "said first:\n%s", readme)
		})
	}
}

// TestEveryStudentGetsFeedback: each student in a grade file, a submission
// with no program or one uploaded as an archive among them, has feedback
// that says what happened, whether or not the LMS can take it back as a
// file of theirs.
func TestEveryStudentGetsFeedback(t *testing.T) {
	out, r, _ := writeBack(t, rostertest.Canvas.Zip(t), map[string]outcome{"doejane": anywhere, "müllerjürgen": labError}, Config{})
	feedback := map[string]string{}
	for _, zipName := range []string{"canvas-feedback.zip", "canvas-comments.zip"} {
		b, err := os.ReadFile(filepath.Join(out, "lms", zipName))
		require.NoError(t, err)
		maps.Copy(feedback, unzip(t, b))
	}
	recs := readGrades(t, filepath.Join(out, "lms", "canvas-grades.csv"))
	require.Greater(t, len(recs), 2)
	for _, rec := range recs[2:] {
		var said string
		for name, text := range feedback {
			if regexp.MustCompile(`_` + rec[1] + `(_|\.txt$)`).MatchString(name) {
				said = text
			}
		}
		require.NotEmpty(t, said, "no feedback for %s (%s)", rec[0], rec[1])
		require.Contains(t, said, rec[5]+" of 20 points", rec[0])
	}
	for _, s := range r.Submissions {
		if s.Program == "" {
			require.Contains(t, recs, []string{s.Name, s.ID, "", "", "", "0"}, "a submission with no program scores 0")
		}
	}
}

// TestFeedbackZipsAreDated: each file of a feedback zip is dated the
// grading's time, not the zip format's zero (unzip -l: 1980-00-00).
func TestFeedbackZipsAreDated(t *testing.T) {
	out, _, files := writeBack(t, rostertest.Moodle.Zip(t), nil, Config{})
	zips := 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".zip") {
			continue
		}
		zips++
		zr, err := zip.OpenReader(filepath.Join(out, f))
		require.NoError(t, err)
		for _, e := range zr.File {
			require.True(t, e.Modified.Equal(now), "%s in %s is dated %v", e.Name, f, e.Modified)
		}
		zr.Close()
	}
	require.Positive(t, zips)
}

// TestFeedbackSpeaksToAStudentWhoNeverRanTheLab: an LMS's feedback names
// the grader, not the lab's laptops, and a refused call followed by
// passing checks says where those were made.
func TestFeedbackSpeaksToAStudentWhoNeverRanTheLab(t *testing.T) {
	s := results.Submission{Verdict: "verdict: FAIL: your server.py did not answer laptop-b's call.\n", Report: grade.Report{Checks: []grade.Result{
		{ID: "answers", Title: "answers on 10.214.2.10:8000", Status: grade.Fail, Reason: "connection refused: your server listens at 127.0.0.1:8000 instead.", Required: true},
		{ID: "greeting", Title: `greets with "hello\n"`, Status: grade.Pass, Reason: `it said "hello\n".`, Required: true},
	}}}
	text := feedbackText(s)
	require.NotContains(t, text, "laptop")
	require.Contains(t, text, "did not answer the grader's call")
	require.Contains(t, text, "the checks below were made from your server's own machine")
	require.Less(t, strings.Index(text, "FAIL  answers"), strings.Index(text, "own machine"))
	require.Less(t, strings.Index(text, "own machine"), strings.Index(text, "PASS  greets"))
}
