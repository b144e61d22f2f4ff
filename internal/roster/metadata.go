package roster

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// submitter is one person of a Gradescope submission.
type submitter struct{ Name, Email, SID string }

// gsMeta is what a roster needs of one submission in Gradescope's
// submission_metadata.yml.
type gsMeta struct {
	Submitters []submitter
	CreatedAt  string
}

// parseMetadata reads the subset of YAML that Gradescope's Export
// Submissions writes (Ruby's Psych): a mapping from folder names
// ("submission_123", or the symbol ":submission_123") to mappings with
// Ruby-symbol keys, of which it keeps :submitters: (a sequence of
// :name:, :email:, :sid:) and :created_at:. Values may be plain,
// single- or double-quoted, folded over several lines, or !binary.
// Everything else (:results:, :history: with its own :submitters:) is
// passed over by its indentation. It returns what it could read, in the
// file's order, and the first error, with its line.
func parseMetadata(data []byte) (map[string]gsMeta, []string, error) {
	p := metaParser{meta: map[string]gsMeta{}, fieldIndent: -1, itemIndent: -1}
	text := strings.TrimPrefix(string(data), "\ufeff")
	for i, line := range strings.Split(text, "\n") {
		p.line(i+1, strings.TrimRight(line, "\r"))
	}
	p.finish()
	if p.err == nil && len(p.order) == 0 && strings.TrimSpace(text) != "" && strings.TrimSpace(text) != "---" {
		p.err = errors.New("no submissions in it: not Gradescope's submission_metadata.yml?")
	}
	return p.meta, p.order, p.err
}

type metaParser struct {
	meta  map[string]gsMeta
	order []string
	err   error

	cur         string // the submission being read
	fieldIndent int    // its keys' indentation, -1 before the first
	inSub       bool   // in its :submitters:
	itemIndent  int    // the submitters' "- ", -1 before the first
	keyIndent   int    // a submitter's keys
	sub         int    // the submitter being read, -1 for none

	pending *pendingValue
}

// pendingValue is a scalar that may go on over more indented lines.
type pendingValue struct {
	line   int
	indent int
	lines  []string
	set    func(string)
}

func (p *metaParser) fail(n int, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("line %d: %s", n, fmt.Sprintf(format, args...))
	}
}

func (p *metaParser) line(n int, line string) {
	body := strings.TrimLeft(line, " ")
	indent := len(line) - len(body)
	if p.pending != nil {
		if body == "" || indent > p.pending.indent {
			p.pending.lines = append(p.pending.lines, body)
			return
		}
		p.finish()
	}
	if body == "" || strings.HasPrefix(body, "#") || body == "---" || body == "..." || strings.HasPrefix(body, "%") {
		return
	}
	if strings.HasPrefix(body, "\t") {
		p.fail(n, "a tab where YAML wants spaces")
		return
	}
	if indent == 0 {
		key, val, ok := splitKey(body)
		if !ok || val != "" {
			p.cur = ""
			p.fail(n, "want a submission's name and a colon, have %q", body)
			return
		}
		p.cur, p.fieldIndent, p.inSub, p.sub = key, -1, false, -1
		if _, dup := p.meta[key]; !dup {
			p.order = append(p.order, key)
		}
		p.meta[key] = gsMeta{}
		return
	}
	if p.cur == "" {
		return
	}
	if p.fieldIndent < 0 {
		p.fieldIndent = indent
	}
	item := body == "-" || strings.HasPrefix(body, "- ")
	switch {
	case indent < p.fieldIndent:
		p.fail(n, "indentation goes back further than the submission's keys")
	case indent == p.fieldIndent && !item:
		key, val, ok := splitKey(body)
		if !ok {
			p.fail(n, "want a key and a colon, have %q", body)
			return
		}
		p.inSub, p.itemIndent, p.sub = key == "submitters" && val != "[]", -1, -1
		if key == "created_at" {
			p.start(n, indent, val, func(s string) { p.update(func(m *gsMeta) { m.CreatedAt = s }) })
		}
	case !p.inSub:
		// Deeper in a key this parser passes over.
	case item && (p.itemIndent < 0 || indent == p.itemIndent):
		p.itemIndent = indent
		rest := strings.TrimLeft(strings.TrimPrefix(body, "-"), " ")
		p.keyIndent = indent + len(body) - len(rest)
		p.update(func(m *gsMeta) { m.Submitters = append(m.Submitters, submitter{}) })
		p.sub = len(p.meta[p.cur].Submitters) - 1
		if rest != "" {
			p.submitterKey(n, rest)
		}
	case p.sub >= 0 && indent == p.keyIndent:
		p.submitterKey(n, body)
	}
}

func (p *metaParser) submitterKey(n int, body string) {
	key, val, ok := splitKey(body)
	if !ok {
		p.fail(n, "want a key and a colon, have %q", body)
		return
	}
	i := p.sub
	set := map[string]func(*submitter, string){
		"name":  func(s *submitter, v string) { s.Name = v },
		"email": func(s *submitter, v string) { s.Email = v },
		"sid":   func(s *submitter, v string) { s.SID = v },
	}[key]
	if set == nil {
		return
	}
	p.start(n, p.keyIndent, val, func(v string) {
		p.update(func(m *gsMeta) { set(&m.Submitters[i], v) })
	})
}

func (p *metaParser) update(f func(*gsMeta)) {
	m := p.meta[p.cur]
	f(&m)
	p.meta[p.cur] = m
}

func (p *metaParser) start(n, indent int, val string, set func(string)) {
	p.pending = &pendingValue{line: n, indent: indent, lines: []string{val}, set: set}
}

func (p *metaParser) finish() {
	v := p.pending
	if v == nil {
		return
	}
	p.pending = nil
	s, err := scalar(v.lines)
	if err != nil {
		p.fail(v.line, "%v", err)
		return
	}
	v.set(s)
}

// splitKey splits "key: value" (a Ruby symbol key ":key:" too, or a
// quoted one) into the key and the value's text.
func splitKey(s string) (key, val string, ok bool) {
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 || !strings.HasPrefix(s[end+2:], ":") {
			return "", "", false
		}
		key, s = s[1:end+1], s[end+2:]
		return strings.TrimPrefix(key, ":"), strings.TrimSpace(s[1:]), true
	}
	s = strings.TrimPrefix(s, ":")
	if i := strings.Index(s, ": "); i >= 0 {
		return s[:i], strings.TrimSpace(s[i+2:]), s[:i] != ""
	}
	if strings.HasSuffix(s, ":") && len(s) > 1 {
		return s[:len(s)-1], "", true
	}
	return "", "", false
}

// scalar decodes a value written over lines (the first after its key).
func scalar(lines []string) (string, error) {
	for len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	first := strings.TrimSpace(lines[0])
	binary := strings.HasPrefix(first, "!binary")
	if binary {
		first = strings.TrimSpace(strings.TrimPrefix(first, "!binary"))
	} else if strings.HasPrefix(first, "!") { // another tag, !ruby/string: the value follows
		if i := strings.IndexByte(first, ' '); i > 0 {
			first = strings.TrimSpace(first[i:])
		} else {
			first = ""
		}
	}
	var s string
	var err error
	switch {
	case first == "|" || first == "|-" || first == ">" || first == ">-":
		sep := "\n"
		if first[0] == '>' {
			sep = " "
		}
		s = strings.Join(lines[1:], sep)
	case strings.HasPrefix(first, `"`):
		s, err = doubleQuoted(append([]string{first}, lines[1:]...))
	case strings.HasPrefix(first, `'`):
		s, err = singleQuoted(strings.Join(append([]string{first}, lines[1:]...), " "))
	default:
		if i := strings.Index(first, " #"); i >= 0 {
			first = strings.TrimSpace(first[:i])
		}
		s = strings.TrimSpace(strings.Join(append([]string{first}, lines[1:]...), " "))
		if s == "~" || s == "null" {
			s = ""
		}
	}
	if err != nil || !binary {
		return s, err
	}
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return "", fmt.Errorf("!binary value: %w", err)
	}
	return strings.ToValidUTF8(string(b), string(utf8.RuneError)), nil
}

func singleQuoted(s string) (string, error) {
	if len(s) < 2 || !strings.HasSuffix(s, "'") {
		return "", errors.New("a single-quoted value with no closing quote")
	}
	inner := s[1 : len(s)-1]
	if strings.Count(inner, "'")%2 != 0 {
		return "", errors.New("a single-quoted value with a stray quote")
	}
	return strings.ReplaceAll(inner, "''", "'"), nil
}

// doubleQuoted decodes a YAML double-quoted value: a line break is a space
// unless escaped with "\" at the end of the line, and escapes are YAML's.
func doubleQuoted(lines []string) (string, error) {
	var raw strings.Builder
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if i > 0 {
			prev := raw.String()
			if strings.HasSuffix(prev, `\`) && !strings.HasSuffix(prev, `\\`) {
				raw.Reset()
				raw.WriteString(prev[:len(prev)-1])
			} else {
				raw.WriteByte(' ')
			}
		}
		raw.WriteString(l)
	}
	s := raw.String()
	if len(s) < 2 || s[len(s)-1] != '"' || strings.HasSuffix(s, `\"`) && !strings.HasSuffix(s, `\\"`) {
		return "", errors.New("a double-quoted value with no closing quote")
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i++; i >= len(s) {
			return "", errors.New(`a double-quoted value ending in \`)
		}
		if r, ok := map[byte]string{'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n", 'v': "\v",
			'f': "\f", 'r': "\r", 'e': "\x1b", ' ': " ", '"': `"`, '/': "/", '\\': `\`,
			'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029"}[s[i]]; ok {
			b.WriteString(r)
			continue
		}
		width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[i]]
		if width == 0 {
			return "", fmt.Errorf(`unknown escape \%c in a double-quoted value`, s[i])
		}
		if i+1+width > len(s) {
			return "", fmt.Errorf(`short escape \%s in a double-quoted value`, s[i:])
		}
		code, err := strconv.ParseUint(s[i+1:i+1+width], 16, 32)
		if err != nil || !utf8.ValidRune(rune(code)) {
			return "", fmt.Errorf(`bad escape \%s in a double-quoted value`, s[i:i+1+width])
		}
		b.WriteRune(rune(code))
		i += width
	}
	return b.String(), nil
}
