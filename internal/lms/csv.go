package lms

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf16"
)

// quoting is when a CSV writer puts a field in quotes. Each LMS's own
// export is written one way, and its import reads that way best.
type quoting int

const (
	// minimal quotes a field holding the delimiter, a quote or a line
	// break: Ruby's CSV (Canvas), and most readers.
	minimal quoting = iota
	// php quotes a field holding a space, a tab or a backslash too: PHP's
	// fputcsv, as Moodle's worksheet is written ("Full name", "Participant 12").
	php
	// always quotes every field: Blackboard's doc asks it of a comma file
	// ("data in each column must be contained within a quote character").
	always
)

// table is a CSV file in the making.
type table struct {
	quote quoting
	bom   bool // a UTF-8 byte-order mark first, as Moodle writes one
	rows  [][]string
}

func (t *table) add(fields ...string) { t.rows = append(t.rows, fields) }

// bytes is the file: "," between fields, CRLF after each row, as the
// LMSes' exports (and RFC 4180) end lines.
func (t *table) bytes() []byte {
	var b bytes.Buffer
	if t.bom {
		b.WriteString("\ufeff")
	}
	for _, r := range t.rows {
		for i, f := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			if t.quoted(f) {
				b.WriteString(`"` + strings.ReplaceAll(f, `"`, `""`) + `"`)
			} else {
				b.WriteString(f)
			}
		}
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func (t *table) quoted(f string) bool {
	switch t.quote {
	case always:
		return true
	case php:
		return strings.ContainsAny(f, ",\"\r\n\t \\")
	}
	return strings.ContainsAny(f, ",\"\r\n")
}

// maxGradebook bounds a gradebook read: thousands of students and
// columns are a few megabytes.
const maxGradebook = 64 << 20

// readCSV reads a gradebook an LMS exported: UTF-8 with or without a
// byte-order mark, or UTF-16 (Blackboard's .xls download), its fields
// separated by ",", ";" or a tab, whichever the header line holds most.
func readCSV(path string) ([][]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxGradebook {
		return nil, fmt.Errorf("%s: bigger than %d MB: is it a gradebook?", path, maxGradebook>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	text, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	head, _, _ := strings.Cut(text, "\n")
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ','
	best := strings.Count(head, ",")
	for _, c := range []rune{';', '\t'} {
		if n := strings.Count(head, string(c)); n > best {
			r.Comma, best = c, n
		}
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: not a CSV file an LMS wrote: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s is empty", path)
	}
	return recs, nil
}

// decode is data as text, by its byte-order mark.
func decode(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return string(data[3:]), nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		if len(data)%2 != 0 {
			return "", errors.New("UTF-16 with an odd number of bytes")
		}
		u := make([]uint16, 0, len(data)/2-1)
		for i := 2; i < len(data); i += 2 {
			if data[0] == 0xFF {
				u = append(u, uint16(data[i])|uint16(data[i+1])<<8)
			} else {
				u = append(u, uint16(data[i])<<8|uint16(data[i+1]))
			}
		}
		return string(utf16.Decode(u)), nil
	}
	return string(data), nil
}
