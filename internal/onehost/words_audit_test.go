package onehost

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The packages whose sentences a student graded on one host can read, and
// whether one host says them in its words (Result.inWords, wordsWriter):
// the checks' reasons (grade), the explanations (student and its
// languages) and one host's own are; the results files' own words
// (results), around them, are not.
var studentWordsIn = map[string]bool{"../grade": true, "../student": true, "../student/lang": true, ".": true, "../results": false}

// labOnly are the lab's words for what one host has no part of: its two
// laptops, a partner to call with.
var labOnly = regexp.MustCompile(`(?i)laptop|partner`)

// verb is a format verb (%s, %d, %q, %v, %.1f) in a sentence's format.
var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// TestNoExplanationOnOneHostNamesALaptopOrAPartner reads every sentence
// the graders can say, as the source writes it (each string, and the
// strings a + joins), and says it in one host's words: none may speak of a
// laptop or a partner, which a Gradescope or PrairieLearn student never
// had. Reading the source, not a run, covers the explanations no test
// server provokes.
func TestNoExplanationOnOneHostNamesALaptopOrAPartner(t *testing.T) {
	say := oneHostWords(512 << 20)
	for dir, rewritten := range studentWordsIn {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || f == "words.go" { // words.go: the lab's words, to replace
				continue
			}
			for _, s := range sentences(t, f) {
				// As printed: a verb's value is a word ("java", "512m").
				said := verb.ReplaceAllString(s, "x1")
				if rewritten {
					said = say(said)
				}
				if labOnly.MatchString(said) {
					t.Errorf("%s: on one host a student reads %q", f, said)
				}
			}
		}
	}
}

// sentences are the strings of a Go file, those joined by + as one.
func sentences(t *testing.T, file string) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var joined func(e ast.Expr) string
	joined = func(e ast.Expr) string {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				s, err := strconv.Unquote(e.Value)
				if err == nil {
					return s
				}
			}
		case *ast.BinaryExpr:
			if e.Op == token.ADD {
				return joined(e.X) + joined(e.Y)
			}
		case *ast.ParenExpr:
			return joined(e.X)
		}
		return " "
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op == token.ADD {
				out = append(out, joined(n))
				return false
			}
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				out = append(out, joined(n))
			}
		}
		return true
	})
	return out
}
