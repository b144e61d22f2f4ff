package roster

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// bbName is what Blackboard Learn's "Assignment File Download" (the Grade
// Center column's menu) names each file of its flat zip: for each attempt
// a receipt "ASSIGNMENT_USERNAME_attempt_YYYY-MM-DD-HH-MM-SS.txt" and each
// attached file "ASSIGNMENT_USERNAME_attempt_YYYY-MM-DD-HH-MM-SS_FILE".
// The assignment's name keeps its spaces, and both it and the username may
// hold "_": the receipt says where one ends (bbReceipt).
type bbName struct {
	Prefix string // "Lab 2 echo server_jdoe": the assignment and the username
	Stamp  string // "2024-02-20-00-35-07": the attempt, sortable as text
	File   string // as the student named it; "" for the receipt
}

var bbFile = regexp.MustCompile(`^(.+?)_attempt_(\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)(?:\.txt|_(.+))$`)

func parseBlackboard(name string) (bbName, bool) {
	m := bbFile.FindStringSubmatch(name)
	if m == nil {
		return bbName{}, false
	}
	return bbName{Prefix: m[1], Stamp: m[2], File: m[3]}, true
}

func detectBlackboard(root *entry) int {
	return count(root, func(k *entry) bool { _, ok := parseBlackboard(k.name); return ok && !k.dir })
}

// bbReceipt is what a Blackboard receipt says that a roster needs:
//
//	Name: Jane Doe (jdoe)
//	Assignment: Lab 2 echo server
//	Date Submitted: Tuesday, February 20, 2024 12:35:07 AM CST
//	...
//	Files:
//		Original filename: server.go
//		Filename: Lab 2 echo server_jdoe_attempt_2024-02-20-00-35-07_server.go
type bbReceipt struct {
	Name, User, Assignment string
	Original               map[string]string // the download's file name → the student's
}

// maxReceipt bounds a receipt read: it holds what the student typed in
// the submission's text field, a few kilobytes.
const maxReceipt = 1 << 20

var bbWho = regexp.MustCompile(`^(.*?)\s*\(([^()]+)\)$`)

func parseReceipt(data []byte) bbReceipt {
	r := bbReceipt{Original: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	sc.Buffer(nil, maxReceipt)
	original := ""
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		key, val, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		indented := strings.HasPrefix(line, "\t") || strings.HasPrefix(line, " ")
		switch {
		case key == "Name" && r.Name == "" && !indented:
			if m := bbWho.FindStringSubmatch(val); m != nil {
				r.Name, r.User = m[1], m[2]
			} else {
				r.Name = val
			}
		case key == "Assignment" && r.Assignment == "" && !indented:
			r.Assignment = val
		case key == "Original filename" && indented:
			original = val
		case key == "Filename" && indented && original != "":
			r.Original[val] = original
			original = ""
		}
	}
	return r
}

// readBlackboard gathers each student's attempts (by username) and keeps
// the latest: its files, named as the student named them.
func readBlackboard(root *entry) found {
	type attempt struct {
		files   []*entry
		receipt *entry
	}
	var f found
	byPrefix := map[string]map[string]*attempt{} // prefix → stamp → attempt
	receipts := map[string]bbReceipt{}           // by prefix, the latest attempt's that could be read
	var prefixes []string
	for _, k := range root.visible() {
		b, ok := parseBlackboard(k.name)
		switch {
		case k.dir:
			f.skipped = append(f.skipped, Skip{k.rel, "a folder in a Blackboard export, whose submissions are files"})
			continue
		case !ok:
			f.skipped = append(f.skipped, Skip{k.rel, "not named as Blackboard names an attempt's files (Assignment_username_attempt_date_file)"})
			continue
		}
		if byPrefix[b.Prefix] == nil {
			byPrefix[b.Prefix] = map[string]*attempt{}
			prefixes = append(prefixes, b.Prefix)
		}
		a := byPrefix[b.Prefix][b.Stamp]
		if a == nil {
			a = &attempt{}
			byPrefix[b.Prefix][b.Stamp] = a
		}
		if b.File == "" {
			a.receipt = k
		} else {
			a.files = append(a.files, k)
		}
	}
	assignments := map[string]int{}
	for _, p := range prefixes {
		for _, st := range stamps(byPrefix[p]) {
			if e := byPrefix[p][st].receipt; e != nil {
				if data, err := readAll(e, maxReceipt); err == nil {
					r := parseReceipt(data)
					receipts[p] = r
					if r.Assignment != "" {
						assignments[r.Assignment]++
					}
					break
				}
			}
		}
	}
	f.assignment = mostOf(assignments)
	users := bbUsers(prefixes, receipts, f.assignment)
	for _, p := range prefixes {
		attempts := byPrefix[p]
		st := stamps(attempts)
		latest := attempts[st[0]]
		r := receipts[p]
		d := draft{s: Submission{Name: r.Name, ID: users[p]}}
		if d.s.Name == "" {
			d.s.Name = users[p]
		}
		for _, e := range latest.files {
			b, _ := parseBlackboard(e.name)
			dst := b.File
			if o := r.Original[e.name]; o != "" && !strings.ContainsAny(o, `/\`) && o != "." && o != ".." {
				dst = o
			}
			d.mounts = append(d.mounts, mount{e, dst})
		}
		if latest.receipt != nil {
			d.also = append(d.also, latest.receipt.name)
		}
		if len(st) > 1 {
			d.notes = append(d.notes, fmt.Sprintf("attempt %s, the latest of %d (%s)", st[0], len(st), strings.Join(st[1:], ", ")))
		}
		f.drafts = append(f.drafts, d)
	}
	return f
}

// stamps are an attempt map's times, the latest first.
func stamps[T any](m map[string]T) []string {
	var st []string
	for s := range m {
		st = append(st, s)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(st)))
	return st
}

// bbUsers splits each prefix "ASSIGNMENT_USERNAME" where it is known to
// split: after the username the receipt's Name line gives in brackets,
// after the assignment's name, after what every prefix shares up to a
// "_", or else at the last "_".
func bbUsers(prefixes []string, receipts map[string]bbReceipt, assignment string) map[string]string {
	shared := ""
	if len(prefixes) > 1 {
		shared = prefixes[0]
		for _, p := range prefixes[1:] {
			i := 0
			for i < len(shared) && i < len(p) && shared[i] == p[i] {
				i++
			}
			shared = shared[:i]
		}
		shared = shared[:strings.LastIndexByte(shared, '_')+1]
	}
	users := map[string]string{}
	for _, p := range prefixes {
		u := receipts[p].User
		switch {
		case u != "" && strings.HasSuffix(p, "_"+u):
		case assignment != "" && strings.HasPrefix(p, assignment+"_") && len(p) > len(assignment)+1:
			u = p[len(assignment)+1:]
		case shared != "" && len(p) > len(shared):
			u = p[len(shared):]
		default:
			u = p[strings.LastIndexByte(p, '_')+1:]
		}
		if u == "" {
			u = p
		}
		users[p] = u
	}
	return users
}

// mostOf is the string counted most, the first in order on a tie.
func mostOf(counts map[string]int) string {
	best, n := "", 0
	for s, c := range counts {
		if c > n || c == n && s < best {
			best, n = s, c
		}
	}
	return best
}
