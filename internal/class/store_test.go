package class

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/roster"
)

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, de := range des {
		b, err := os.ReadFile(filepath.Join(dir, de.Name()))
		require.NoError(t, err)
		got[de.Name()] = string(b)
	}
	return got
}

// TestCommitReplacesAFolderWhole: the new folder takes the old one's
// place with all its files, and no file of the old one stays beside them.
func TestCommitReplacesAFolderWhole(t *testing.T) {
	out := t.TempDir()
	require.NoError(t, commit(out, "bob", map[string][]byte{"grade.txt": []byte("old"), "old.txt": []byte("x")}))
	require.NoError(t, commit(out, "bob", map[string][]byte{"grade.txt": []byte("new"), recordFile: []byte("{}")}))
	require.Equal(t, map[string]string{"grade.txt": "new", recordFile: "{}"}, readDir(t, filepath.Join(out, "bob")))
	des, err := os.ReadDir(out)
	require.NoError(t, err)
	require.Len(t, des, 1, "no temporary folder left")
}

// TestSwapInRenamesTwiceWhereItCannotExchange: without an exchange, the
// old folder is moved aside and the new one put in its place.
func TestSwapInRenamesTwiceWhereItCannotExchange(t *testing.T) {
	swap = func(a, b string) error { return os.ErrInvalid }
	t.Cleanup(func() { swap = exchange })
	out := t.TempDir()
	for _, d := range []string{"bob", "new"} {
		require.NoError(t, os.Mkdir(filepath.Join(out, d), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(out, d, "f"), []byte(d), 0o644))
	}
	require.NoError(t, swapIn(filepath.Join(out, "new"), filepath.Join(out, "bob")))
	require.Equal(t, map[string]string{"f": "new"}, readDir(t, filepath.Join(out, "bob")))
	_, err := os.Stat(filepath.Join(out, "new"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestRecoverFoldersPutsBackWhatAKilledRunMovedAside: a run killed between
// its two renames left the old grade aside and none in its place; one
// killed while writing left a half-written folder and summary.
func TestRecoverFoldersPutsBackWhatAKilledRunMovedAside(t *testing.T) {
	out := t.TempDir()
	mk := func(dir, content string) {
		require.NoError(t, os.MkdirAll(filepath.Join(out, dir), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(out, dir, "grade.txt"), []byte(content), 0o644))
	}
	mk(oldPrefix+"bob", "bob's complete grade")
	mk(newPrefix+"bob-123", "half")
	mk("carol", "carol's new grade")
	mk(oldPrefix+"carol", "carol's old grade")
	require.NoError(t, os.WriteFile(filepath.Join(out, ".tmp-summary.md-9"), []byte("half"), 0o644))
	require.NoError(t, recoverFolders(out))
	var names []string
	des, _ := os.ReadDir(out)
	for _, de := range des {
		names = append(names, de.Name())
	}
	require.Equal(t, []string{"bob", "carol"}, names)
	require.Equal(t, "bob's complete grade", readDir(t, filepath.Join(out, "bob"))["grade.txt"])
	require.Equal(t, "carol's new grade", readDir(t, filepath.Join(out, "carol"))["grade.txt"])
}

func TestWriteAtomic(t *testing.T) {
	p := filepath.Join(t.TempDir(), "summary.csv")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o644))
	require.NoError(t, writeAtomic(p, []byte("new")))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, "new", string(b))
	des, _ := os.ReadDir(filepath.Dir(p))
	require.Len(t, des, 1)
}

// TestResumeDecidesWhatToGradeAgain: the record of an earlier grade keeps
// it only for the same student, files, grader and a complete verdict; a
// timed-out grade is made again under another time limit.
func TestResumeDecidesWhatToGradeAgain(t *testing.T) {
	sub := roster.Submission{Name: "Bob O'Neil", ID: "1202"}
	fp := fingerprint{files: "f1", grader: "g1", weights: "w1", timeout: time.Minute}
	rec := record{Version: recordVersion, Name: sub.Name, ID: sub.ID, Files: "f1", Grader: "g1", Weights: "w1", Timeout: time.Minute, Verdict: "FAIL"}
	with := func(f func(*record)) record { r := rec; f(&r); return r }
	for _, tt := range []struct {
		name string
		rec  record
		ok   bool
		want string
	}{
		{"the same", rec, true, ""},
		{"other weights: kept, its points written again", with(func(r *record) { r.Weights = "w2" }), true, ""},
		{"no record", record{}, false, "new"},
		{"another student under the key", with(func(r *record) { r.Name = "Bob ONeil" }), true, "new"},
		{"another id", with(func(r *record) { r.ID = "9" }), true, "new"},
		{"changed files", with(func(r *record) { r.Files = "f0" }), true, "changed"},
		{"another grader", with(func(r *record) { r.Grader = "g0" }), true, "grader changed"},
		{"a lab error", with(func(r *record) { r.Verdict = LabError }), true, "not graded before"},
		{"interrupted", with(func(r *record) { r.Verdict = Interrupted }), true, "not graded before"},
		{"not graded: kept", with(func(r *record) { r.Verdict = NotGraded }), true, ""},
		{"timed out, same limit", with(func(r *record) { r.Verdict = TimedOut }), true, ""},
		{"timed out, other limit", with(func(r *record) { r.Verdict, r.Timeout = TimedOut, 30*time.Second }), true, "time limit changed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, fp.why(tt.rec, tt.ok, sub))
		})
	}
}

// TestHashTreeSeesContentNotTime: the same files hash the same whenever
// they were written; a byte changed, a file renamed or the program
// changed hash otherwise.
func TestHashTreeSeesContentNotTime(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "server.py")
	require.NoError(t, os.WriteFile(p, []byte("print('hi')\n"), 0o644))
	h1, err := hashTree(dir, "server.py")
	require.NoError(t, err)
	require.NoError(t, os.Chtimes(p, time.Now().Add(time.Hour), time.Now().Add(time.Hour)))
	h2, _ := hashTree(dir, "server.py")
	require.Equal(t, h1, h2)
	h3, _ := hashTree(dir, "hw1/server.py")
	require.NotEqual(t, h1, h3)
	require.NoError(t, os.WriteFile(p, []byte("print('hi!')\n"), 0o644))
	h4, _ := hashTree(dir, "server.py")
	require.NotEqual(t, h1, h4)
	require.NoError(t, os.Rename(p, filepath.Join(dir, "Server.py")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Server.py"), []byte("print('hi')\n"), 0o644))
	h5, _ := hashTree(dir, "server.py")
	require.NotEqual(t, h1, h5)
}

// TestGraderHashFollowsTheSourcesAndPolicy: a changed line of the grader,
// or another policy, changes the hash; a test file does not.
func TestGraderHashFollowsTheSourcesAndPolicy(t *testing.T) {
	repo := t.TempDir()
	put := func(p, s string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(repo, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(repo, p), []byte(s), 0o644))
	}
	put("internal/grade/grade.go", "package grade")
	put("client/main.go", "package main")
	h1, err := graderHash(repo, nil)
	require.NoError(t, err)
	put("internal/grade/grade_test.go", "package grade")
	put("internal/grade/testdata/x.py", "x")
	put("internal/class/report.go", "package class")
	h2, _ := graderHash(repo, nil)
	require.Equal(t, h1, h2, "tests and the class's reports are not the grader")
	h3, _ := graderHash(repo, []string{"-max-read", "1000"})
	require.NotEqual(t, h1, h3, "another policy")
	put("internal/grade/grade.go", "package grade // changed")
	h4, _ := graderHash(repo, nil)
	require.NotEqual(t, h1, h4, "another grader")
}

// TestSaveNeverReplacesACompleteGradeWithAWorseOne: an interruption or a
// lab error after a complete grade leaves that grade as it was; a new
// complete grade replaces it; a kept grade under new weights keeps its
// words and gets new points.
func TestSaveNeverReplacesACompleteGradeWithAWorseOne(t *testing.T) {
	out := t.TempDir()
	cfg := Config{Out: out, Weights: results.Default()}
	sub := roster.Submission{Name: "carol", Key: "carol"}
	g := &results.Submission{Report: grade.Report{Name: "carol", Checks: []grade.Result{
		{ID: "answers", Name: "answers", Status: grade.Pass, Required: true},
		{ID: "not-on", Name: "not on", Status: grade.Fail, Required: true, Reason: "it answered there too"},
	}}}
	rec := record{Version: recordVersion, Name: "carol", Files: "f1", Verdict: "FAIL", Grade: g}
	row := Row{Sub: sub, Verdict: "FAIL", Grade: g}
	require.NoError(t, save(cfg, rec, row, []byte("carol's words\n"), []byte("listening\n")))
	first := readDir(t, filepath.Join(out, "carol"))
	require.Equal(t, "carol's words\n", first["grade.txt"])
	require.Contains(t, first["results.json"], `"score": 3`)
	require.Contains(t, first, "junit.xml")

	for _, v := range []string{Interrupted, LabError} {
		bad := rec
		bad.Verdict, bad.Grade, bad.Files = v, nil, "f2"
		require.NoError(t, save(cfg, bad, Row{Sub: sub, Verdict: v}, []byte("half\n"), nil))
		require.Equal(t, first, readDir(t, filepath.Join(out, "carol")), v)
	}

	w, err := results.ParseWeights(stringsReader("answers 5\nnot-on 5\n"))
	require.NoError(t, err)
	cfg.Weights = w
	require.NoError(t, save(cfg, rec, row, nil, nil))
	again := readDir(t, filepath.Join(out, "carol"))
	require.Equal(t, first["grade.txt"], again["grade.txt"])
	require.Equal(t, first["laptop-a.log"], again["laptop-a.log"])
	require.Contains(t, again["results.json"], `"score": 5`)

	// A lab error where there is no grade yet shows what the laptops said.
	sub2 := roster.Submission{Name: "dave", Key: "dave"}
	require.NoError(t, save(cfg, record{Version: recordVersion, Name: "dave", Verdict: LabError}, Row{Sub: sub2, Verdict: LabError}, []byte("no report\n"), nil))
	r, ok := readRecord(out, "dave")
	require.True(t, ok)
	require.False(t, r.complete())
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// TestExchangeSwapsTwoFolders: on Linux (amd64, arm64) the two folders
// trade places in one step, so a student's folder is never missing.
func TestExchangeSwapsTwoFolders(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("renameat2 is Linux's")
	}
	out := t.TempDir()
	for _, d := range []string{"a", "b"} {
		require.NoError(t, os.Mkdir(filepath.Join(out, d), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(out, d, "f"), []byte(d), 0o644))
	}
	require.NoError(t, exchange(filepath.Join(out, "a"), filepath.Join(out, "b")))
	require.Equal(t, map[string]string{"f": "b"}, readDir(t, filepath.Join(out, "a")))
	require.Equal(t, map[string]string{"f": "a"}, readDir(t, filepath.Join(out, "b")))
}

// TestEarlierSaysAKeptGradeStands: a row the run could not grade says its
// folder still holds the last complete grade.
func TestEarlierSaysAKeptGradeStands(t *testing.T) {
	out := t.TempDir()
	sub := roster.Submission{Name: "bob", Key: "bob"}
	require.Empty(t, earlier(out, sub))
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.Local)
	require.NoError(t, save(Config{Out: out, Weights: results.Default()}, record{Version: recordVersion, Name: "bob", Verdict: "FAIL", At: at},
		Row{Sub: sub, Verdict: "FAIL"}, []byte("words\n"), nil))
	require.Equal(t, "; its folder keeps the grade of 1 Dec 09:30 (FAIL)", earlier(out, sub))
}
