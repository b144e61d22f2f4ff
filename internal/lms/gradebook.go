package lms

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// gradebook is an LMS's own gradebook export (Canvas's Grades > Export,
// Blackboard's Work Offline > Download, Brightspace's Grades > Export):
// the exact name of the assignment's column, and the students' ids the
// submissions' download does not carry.
type gradebook struct {
	path string
	head []string
	rows [][]string
}

func readGradebook(path string) (*gradebook, error) {
	recs, err := readCSV(path)
	if err != nil {
		return nil, fmt.Errorf("the LMS's gradebook: %w", err)
	}
	for i, h := range recs[0] {
		recs[0][i] = strings.TrimSpace(h)
	}
	return &gradebook{path: path, head: recs[0], rows: recs[1:]}, nil
}

// col is the index of the column named name (in any case), -1 if none.
func (g *gradebook) col(name string) int {
	for i, h := range g.head {
		if strings.EqualFold(h, name) {
			return i
		}
	}
	return -1
}

// cell is row's value in column i, "" when the row is short.
func cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// column finds the assignment's column among the grade columns (parse
// says which are, with the assignment's name and id, "" if none): by id,
// else by name, else the only one. It returns the header as the LMS
// wrote it.
func (g *gradebook) column(parse func(header string) (name, id string, ok bool), name, id string) (string, error) {
	var cands, names []string
	for _, h := range g.head {
		n, i, ok := parse(h)
		if !ok {
			continue
		}
		if id != "" && i == id || id == "" && name != "" && (n == name || h == name) {
			return h, nil
		}
		cands, names = append(cands, h), append(names, n)
	}
	if id == "" && name != "" {
		for i, n := range names {
			if strings.EqualFold(n, name) {
				return cands[i], nil
			}
		}
	}
	switch {
	case len(cands) == 0:
		return "", fmt.Errorf("%s has no grade column: is it the gradebook's export?", g.path)
	case len(cands) == 1 && name == "" && id == "":
		return cands[0], nil
	case name == "" && id == "":
		return "", fmt.Errorf("%s has %d grade columns: say which with -assignment NAME; its columns: %s", g.path, len(cands), strings.Join(cands, "; "))
	}
	want := fmt.Sprintf("%q", name)
	if id != "" {
		want = "id " + id
	}
	return "", fmt.Errorf("%w: %s has none for %s; its columns: %s", errNoColumn, g.path, want, strings.Join(cands, "; "))
}

// errNoColumn is a gradebook without the column asked for.
var errNoColumn = errors.New("no such grade column")

// nameKey is a person's name compared across an LMS's files: case and
// runs of spaces do not matter.
func nameKey(s string) string {
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " "))
}

// unpound is a Brightspace export's value without the "#" it puts before
// ids so that a spreadsheet keeps their leading zeros.
func unpound(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "#") }
