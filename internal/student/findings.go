package student

// withHints adds the source's pitfalls that no finding names yet, in the
// program's language; a finding that names one without a line gets the
// line where the source shows it. failed are the grader's failed checks,
// for the hints that explain only those (nil: the program did not get as
// far as a grade): those come first, as the cause of what failed; the
// others after, as what else is in the file.
func withHints(fs []Finding, rep Report, failed []string) []Finding {
	have := map[string]int{}
	for i, f := range fs {
		have[f.ID] = i
	}
	var causes []Finding
	for _, h := range sourceHints(rep, failed) {
		if i, ok := have[h.ID]; ok {
			if i >= 0 && fs[i].Line == 0 {
				fs[i].Line = h.Line
			}
			continue
		}
		have[h.ID] = -1
		if h.explains {
			causes = append(causes, h.Finding)
			continue
		}
		h.ID = "hint-" + h.ID
		fs = append(fs, h.Finding)
	}
	return append(causes, fs...)
}

// behaviour explains what the calls saw: where the server listens, its
// greeting and echo, a call it never closed (the words: explain_call.go).
func behaviour(v Verdict, cfg CheckConfig) []Finding { return explainCall(v, cfg) }
