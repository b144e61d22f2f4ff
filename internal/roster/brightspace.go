package roster

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// d2lName is what Brightspace's (D2L's) Assignments "Download" names each
// submission: a folder "ID-ID - First Last - Mon D, YYYY HMM AM" holding
// the files as the student named them, or, in older downloads, a flat file
// "ID-ID - First Last - Mon D, YYYY HMM AM - FILE". A group assignment
// puts the group's name before the student's: "ID-ID - Group - First Last
// - date". Beside them lies index.html, the download's own list. The pair
// of ids is the submission's, not a student's: Brightspace names a
// student by the name alone.
type d2lName struct {
	IDs   string // "397063-2557369"
	Group string // "" unless a group assignment
	Name  string // "Mary-Ann Smith"
	Date  string // "Sep 24, 2024 926 PM", as the download writes it
	When  int64  // the date as a number that sorts: 202409242126
	File  string // the flat download's file name; "" for a folder
}

// d2lDate is a download's date: no colon, no leading zero, in English.
const d2lDate = `([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2})(\d\d) ([AP]M)`

var (
	d2lFolder = regexp.MustCompile(`^(\d+-\d+)\s*-\s(.+?)\s*-\s(` + d2lDate + `)$`)
	d2lFlat   = regexp.MustCompile(`^(\d+-\d+)\s*-\s(.+?)\s*-\s(` + d2lDate + `)\s*-\s(.+)$`)
	// d2lExport is what Brightspace names the zip: "Lab 2 Download Sep
	// 24, 2024 926 PM.zip".
	d2lExport = regexp.MustCompile(`^(.+) Download ` + d2lDate + `$`)
	months    = map[string]int{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}
)

// d2lIndex is the download's own list of what it holds.
const d2lIndex = "index.html"

func parseBrightspace(name string, dir bool) (d2lName, bool) {
	re := d2lFlat
	if dir {
		re = d2lFolder
	}
	m := re.FindStringSubmatch(name)
	if m == nil {
		return d2lName{}, false
	}
	when, ok := d2lWhen(m[4:10])
	if !ok {
		return d2lName{}, false
	}
	who := strings.TrimSpace(m[2])
	group := ""
	if i := strings.LastIndex(who, " - "); i >= 0 {
		group, who = strings.TrimSpace(who[:i]), strings.TrimSpace(who[i+3:])
	}
	if who == "" {
		return d2lName{}, false
	}
	n := d2lName{IDs: m[1], Group: group, Name: who, Date: m[3], When: when}
	if !dir {
		n.File = m[10]
	}
	return n, true
}

// d2lWhen is month, day, year, hour, minute and AM/PM as one number.
func d2lWhen(p []string) (int64, bool) {
	mon, ok := months[p[0]]
	day, _ := strconv.Atoi(p[1])
	year, _ := strconv.Atoi(p[2])
	hour, _ := strconv.Atoi(p[3])
	min, _ := strconv.Atoi(p[4])
	if !ok || year < 1990 || day < 1 || day > 31 || hour < 1 || hour > 12 || min > 59 {
		return 0, false
	}
	hour %= 12
	if p[5] == "PM" {
		hour += 12
	}
	return int64(((year*100+mon)*100+day)*10000 + hour*100 + min), true
}

func detectBrightspace(root *entry) int {
	return count(root, func(k *entry) bool { _, ok := parseBrightspace(k.name, k.dir); return ok })
}

// readBrightspace gathers each student's submissions (by name, all
// Brightspace gives) and keeps the latest: a folder, or the flat files of
// one date.
func readBrightspace(root *entry) found {
	var f found
	if m := d2lExport.FindStringSubmatch(stem(root.name)); m != nil {
		f.assignment = m[1]
	}
	type sub struct {
		n       d2lName
		entries []*entry
	}
	byName := map[string][]*sub{}
	var order []string
	for _, k := range root.visible() {
		n, ok := parseBrightspace(k.name, k.dir)
		switch {
		case !k.dir && k.name == d2lIndex:
			continue // the download's own list
		case !ok:
			f.skipped = append(f.skipped, Skip{k.rel, "not named as Brightspace names a submission (ID-ID - First Last - date)"})
			continue
		}
		if _, seen := byName[n.Name]; !seen {
			order = append(order, n.Name)
		}
		var s *sub
		for _, o := range byName[n.Name] {
			if o.n.IDs == n.IDs && o.n.When == n.When {
				s = o
			}
		}
		if s == nil {
			s = &sub{n: n}
			byName[n.Name] = append(byName[n.Name], s)
		}
		s.entries = append(s.entries, k)
	}
	for _, name := range order {
		subs := byName[name]
		sort.SliceStable(subs, func(i, j int) bool {
			a, b := subs[i].n, subs[j].n
			if a.When != b.When {
				return a.When > b.When
			}
			return lessID(b.IDs, a.IDs)
		})
		latest := subs[0]
		d := draft{s: Submission{Name: name, ID: latest.n.IDs}}
		for _, e := range latest.entries {
			m := mount{e, ""}
			if !e.dir {
				n, _ := parseBrightspace(e.name, false)
				m.dst = n.File
				if m.dst == "." || m.dst == ".." {
					m.dst = e.name
				}
			}
			d.mounts = append(d.mounts, m)
		}
		if latest.n.Group != "" {
			d.notes = append(d.notes, "group "+latest.n.Group)
		}
		if len(subs) > 1 {
			var older []string
			for _, s := range subs[1:] {
				older = append(older, s.n.Date)
			}
			d.notes = append(d.notes, fmt.Sprintf("submitted %s, the latest of %d (%s)", latest.n.Date, len(subs), strings.Join(older, "; ")))
		}
		f.drafts = append(f.drafts, d)
	}
	return f
}
