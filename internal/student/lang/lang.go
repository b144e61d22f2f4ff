// Package lang knows the languages a student's program may be written in:
// which file of a folder is the program (Detect), how it is built and run on
// a laptop of the lab, what each language needs of the laptop (Limits), what
// its compiler's first error says (FirstError, Meaning), the typical socket
// mistakes its source shows (Hints) and what its runtime's error text means
// (Explain). It is the one seam every grader calls: the supervisor in the
// lab, the class grader and the one-host graders (Gradescope, PrairieLearn).
//
// Nothing here knows of reports or verdicts: internal/student turns what
// this package finds into the lab's findings.
package lang

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Lang is a language the lab builds and runs.
type Lang string

const (
	Python Lang = "python"
	C      Lang = "c"
	CPP    Lang = "c++"
	Java   Lang = "java"
	Node   Lang = "node"
	Go     Lang = "go"
)

// Langs are the languages, in the order Detect prefers them when a folder
// holds several (a Python course's folder may keep a C draft, not the
// reverse).
var Langs = []Lang{Python, C, CPP, Java, Node, Go}

// Role is what the program is in the exercise: the server or the client.
type Role string

const (
	Server Role = "server"
	Client Role = "client"
)

// Limits are what a laptop gives one language: its memory (building
// included: g++ and javac need far more than the program), processes and
// threads, /tmp (the build's output and caches live there), and how long
// the build may take.
type Limits struct {
	// Memory is compose's mem_limit ("128m"); Pids its pids_limit; Tmp the
	// size of the laptop's /tmp tmpfs ("16m").
	Memory string
	Pids   int
	Tmp    string
	// Build bounds the whole build; 0 for a language with none.
	Build time.Duration
}

// limits are each language's, and why.
var limits = map[Lang]Limits{
	// The lecture's language, as the lab has always run it.
	Python: {Memory: "128m", Pids: 64, Tmp: "16m"},
	// cc1 and ld take tens of MB on a socket program; the program a few.
	C: {Memory: "256m", Pids: 64, Tmp: "64m", Build: 60 * time.Second},
	// cc1plus parsing <iostream> and <thread> takes 150-250 MB.
	CPP: {Memory: "512m", Pids: 64, Tmp: "64m", Build: 90 * time.Second},
	// A JVM reserves a quarter of the laptop for its heap and starts about
	// 20 threads; javac is a JVM too.
	Java: {Memory: "512m", Pids: 128, Tmp: "64m", Build: 90 * time.Second},
	// V8's heap and libuv's thread pool: 4 threads, more than Python.
	Node: {Memory: "256m", Pids: 64, Tmp: "16m", Build: 30 * time.Second},
	// The go command and its compile and link processes, with GOCACHE on
	// /tmp; the standard library comes precompiled with Debian's Go.
	Go: {Memory: "512m", Pids: 128, Tmp: "128m", Build: 120 * time.Second},
}

// LimitsOf is the laptop a language needs.
func LimitsOf(l Lang) Limits {
	if lim, ok := limits[l]; ok {
		return lim
	}
	return limits[Python]
}

// Program is a student's program as found in its folder, and how to build
// and run it.
type Program struct {
	Lang Lang
	Role Role
	// File is the program's main source, relative to the folder, as found
	// there ("src/Server.java", "SERVER.C"): the name the verdict uses.
	File string
	// Make is set when the folder's Makefile builds it (MakeDir is the
	// Makefile's folder, relative to the folder).
	Make    bool
	MakeDir string
	// Copy says the build works in a copy of the folder (the student's
	// folder is read-only in the lab): Build and Run then run in the copy,
	// under the work folder given to Build; without Copy they run in the
	// student's folder itself. In Build, Run and Env, "{out}" is the
	// folder the build writes to and "{work}" the work folder.
	Copy bool
	// Build are the commands that build the program, run in order in
	// BuildIn (relative to the folder or its copy); Run is the program, to
	// which the lab adds its arguments. For a Makefile, Run is known only
	// once make has made it: Build finds it.
	Build   [][]string
	BuildIn string
	Run     []string
	// Env is added to the environment of the build and the program;
	// BuildEnv to the build's alone.
	Env, BuildEnv []string
	Limits        Limits
	// Note says how the program was found when that is not what was asked
	// for: a folder named instead of its file.
	Note string
}

// Name is the file the verdict names: "server.c".
func (p Program) Name() string { return path.Base(filepath.ToSlash(p.File)) }

// Extensions are each language's source files, lower case.
var extensions = map[Lang][]string{
	Python: {".py"},
	C:      {".c"},
	CPP:    {".cpp", ".cc", ".cxx", ".c++"},
	Java:   {".java"},
	Node:   {".js", ".mjs", ".cjs"},
	Go:     {".go"},
}

// Of is the language of a file, by its extension, case aside ("" when
// none). "Makefile" is C's: make says which compiler.
func Of(file string) Lang {
	base := strings.ToLower(path.Base(filepath.ToSlash(file)))
	if isMakefile(base) {
		return C
	}
	ext := path.Ext(base)
	for _, l := range Langs {
		if slices.Contains(extensions[l], ext) {
			return l
		}
	}
	return ""
}

func isMakefile(base string) bool {
	base = strings.ToLower(base)
	return base == "makefile" || base == "gnumakefile"
}

// maxDepth bounds how deep Detect looks in a folder: a submission may
// nest its program in src/ or in a folder named after the assignment.
const maxDepth = 4

// ErrNoProgram is a folder with no program for the role.
var ErrNoProgram = errors.New("no program found")

// Detect finds the program for role in dir. A file named server (or
// client) with a language's extension wins, case aside and however nested
// (the shallowest, then by Langs' order); then a file whose name contains
// the role ("EchoServer.java", "tcp_server.c"); then, when the folder has
// sources of one language only, the one that has a main. A Makefile next
// to a C or C++ program builds it. file, when not "", names the program
// instead (STUDENT_FILE), relative to dir.
func Detect(dir string, role Role, file string) (Program, error) {
	if role == "" {
		role = Server
	}
	srcs, makefiles, err := sources(dir)
	if err != nil {
		return Program{}, err
	}
	var main, note string
	switch {
	case file != "":
		st, err := os.Stat(filepath.Join(dir, file))
		if err != nil {
			return Program{}, fmt.Errorf("no file %s in the folder%s: %w", file, lookalikes(dir, file), ErrNoProgram)
		}
		main = filepath.ToSlash(path.Clean(filepath.ToSlash(file)))
		if st.IsDir() {
			// A folder named where a file was wanted (`just my-server
			// mine`): the program in it, as Detect finds one in a folder.
			var in []string
			for _, s := range srcs {
				if main == "." || strings.HasPrefix(s, main+"/") {
					in = append(in, s)
				}
			}
			found := pick(dir, in, role)
			if found == "" {
				return Program{}, fmt.Errorf("%s is a folder, not a file, and has no %s in it (%s.py, %s.c, %s.cpp, %s.java, %s.js or %s.go)%s: %w",
					file, role, role, role, role, titled(role), role, role, folderHas(filepath.Join(dir, file)), ErrNoProgram)
			}
			main, note = found, fmt.Sprintf("%s is a folder: running the %s in it, %s", file, role, found)
			if others := slices.DeleteFunc(slices.Clone(in), func(s string) bool { return s == found || Of(s) == "" }); len(others) > 0 && len(others) <= 5 {
				note += " (it also has " + strings.Join(others, ", ") + "; name one with its path to run it instead)"
			}
		}
		if isMakefile(path.Base(main)) {
			// A Makefile named alone: its folder's program.
			mdir := path.Dir(main)
			var in []string
			for _, s := range srcs {
				if path.Dir(s) == mdir || strings.HasPrefix(s, mdir+"/") || mdir == "." {
					in = append(in, s)
				}
			}
			if main = pick(dir, in, role); main == "" {
				return Program{}, fmt.Errorf("the Makefile's folder has no C or C++ %s: %w", role, ErrNoProgram)
			}
		}
	default:
		main = pick(dir, srcs, role)
	}
	if main == "" {
		return Program{}, fmt.Errorf("no %s.py, %s.c, %s.cpp, %s.java, %s.js or %s.go in the folder: %w",
			role, role, role, titled(role), role, role, ErrNoProgram)
	}
	l := Of(main)
	if l == "" {
		return Program{}, fmt.Errorf("%s: not a language the lab knows (.py, .c, .cpp, .java, .js, .go): %w", main, ErrNoProgram)
	}
	p := Program{Lang: l, Role: role, File: main, Limits: LimitsOf(l), Note: note}
	if l == C || l == CPP {
		if mk := nearestMakefile(makefiles, main); mk != "" {
			p.Make, p.MakeDir = true, path.Dir(mk)
		}
	}
	p.commands(dir)
	return p, nil
}

// titled is "Server" for Java's file name.
func titled(r Role) string { return strings.ToUpper(string(r[:1])) + string(r[1:]) }

// sources lists dir's source files and Makefiles, relative and slashed,
// shallowest first, leaving out hidden folders, node_modules and build
// output.
func sources(dir string) (srcs, makefiles []string, err error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("the program's folder: %w", err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("the program's folder %s is not a folder", dir)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable corner is not the program
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "__pycache__" ||
				strings.Count(rel, "/") >= maxDepth) {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case isMakefile(d.Name()):
			makefiles = append(makefiles, rel)
		case Of(d.Name()) != "":
			srcs = append(srcs, rel)
		}
		return nil
	})
	byDepth := func(a, b string) int {
		if d := strings.Count(a, "/") - strings.Count(b, "/"); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	}
	slices.SortStableFunc(srcs, byDepth)
	slices.SortStableFunc(makefiles, byDepth)
	return srcs, makefiles, err
}

// pick chooses the program among srcs, files of dir, for role.
func pick(dir string, srcs []string, role Role) string {
	stem := func(s string) string {
		b := strings.ToLower(path.Base(s))
		return strings.TrimSuffix(b, path.Ext(b))
	}
	r := string(role)
	var named, containing []string
	for _, s := range srcs {
		switch st := stem(s); {
		case st == r:
			named = append(named, s)
		case strings.Contains(st, r):
			containing = append(containing, s)
		}
	}
	for _, set := range [][]string{named, containing} {
		if s := firstByLang(set); s != "" {
			return s
		}
	}
	// One language only, and not a file for the other role: the file with
	// a main (a C course's main.c).
	other := string(Client)
	if role == Client {
		other = string(Server)
	}
	var langs []Lang
	var rest []string
	for _, s := range srcs {
		if strings.Contains(stem(s), other) {
			continue
		}
		rest = append(rest, s)
		if l := Of(s); !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	if len(langs) != 1 {
		return ""
	}
	for _, s := range rest {
		if hasMain(filepath.Join(dir, s), langs[0]) {
			return s
		}
	}
	if len(rest) == 1 {
		return rest[0]
	}
	return ""
}

// firstByLang is the shallowest of set, ties broken by Langs' order.
func firstByLang(set []string) string {
	if len(set) == 0 {
		return ""
	}
	depth := strings.Count(set[0], "/")
	best, bestRank := "", len(Langs)
	for _, s := range set {
		if strings.Count(s, "/") != depth {
			break
		}
		if r := slices.Index(Langs, Of(s)); r >= 0 && r < bestRank {
			best, bestRank = s, r
		}
	}
	return best
}

// mainFunc is how each language's entry point looks in a line.
var mainFunc = map[Lang]*regexp.Regexp{
	Python: regexp.MustCompile(`__main__|\.accept\(|\.connect\(`),
	C:      regexp.MustCompile(`\bmain\s*\(`),
	CPP:    regexp.MustCompile(`\bmain\s*\(`),
	Java:   regexp.MustCompile(`static\s+void\s+main\s*\(`),
	Node:   regexp.MustCompile(`require\(\s*['"](node:)?net['"]|from\s+['"](node:)?net['"]`),
	Go:     regexp.MustCompile(`^func\s+main\s*\(`),
}

// hasMain looks for the language's entry point in a file's first lines
// (unreadable means no).
func hasMain(file string, l Lang) bool {
	for _, line := range firstLines(file, 2000) {
		if mainFunc[l].MatchString(line) {
			return true
		}
	}
	return false
}

// nearestMakefile is the Makefile in main's folder or the closest one
// above it, "" when none.
func nearestMakefile(makefiles []string, main string) string {
	for d := path.Dir(main); ; d = path.Dir(d) {
		for _, m := range makefiles {
			if path.Dir(m) == d {
				return m
			}
		}
		if d == "." || d == "/" {
			return ""
		}
	}
}

// firstLines reads up to n lines of a file.
func firstLines(p string, n int) []string {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() && len(out) < n {
		out = append(out, sc.Text())
	}
	return out
}
