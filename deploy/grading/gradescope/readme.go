package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/results"
)

// readmeData fills README.txt: what a TA types into Gradescope, computed
// from the zip's own weights and languages, never written by hand.
type readmeData struct {
	Total, Files, Others         string
	Policy                       string
	KeepServing                  bool
	Visibility, StdoutVisibility string
	Arch                         string
}

// serverFiles are the files a student submits, by language.
var serverFiles = map[string]string{"c": "server.c", "c++": "server.cpp", "java": "Server.java", "node": "server.js", "go": "server.go"}

// files says what students may submit: "server.py", or "server.py,
// server.c or Server.java", and the others alone.
func files(langs []string) (all, others string) {
	names := []string{"server.py"}
	for _, l := range langs {
		names = append(names, serverFiles[l])
	}
	return orList(names), orList(names[1:])
}

func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// readme is README.txt (tmpl) for a zip with weights w, the languages
// langs and the client built for arch.
func readme(tmpl []byte, w results.Weights, langs []string, arch string) ([]byte, error) {
	t, err := template.New("README.txt").Parse(string(tmpl))
	if err != nil {
		return nil, fmt.Errorf("README.txt: %w", err)
	}
	// The total a correct server earns under the file's policy (one
	// -not-on address: Gradescope's container has eth0 and loopback).
	d := readmeData{Total: strconv.FormatFloat(w.Total(), 'f', -1, 64), Arch: arch,
		Policy: string(w.Serving()), KeepServing: w.Serving() == grade.PolicyKeepServing,
		Visibility: w.Visibility, StdoutVisibility: w.StdoutVisibility}
	d.Files, d.Others = files(langs)
	for _, v := range []*string{&d.Visibility, &d.StdoutVisibility} {
		if *v == "" {
			*v = "Gradescope's default"
		}
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("README.txt: %w", err)
	}
	return b.Bytes(), nil
}
