package grade

// CheckIDs lists the ids of the checks a grade reports, in their order, with
// one -not-on address (a second one is "not-on-2", and so on): what a file
// that weighs the checks (internal/results' weights) may name.
func CheckIDs() []string {
	var ids []string
	for _, c := range checklist(Config{Addr: "192.0.2.1:8000", NotOn: []string{"192.0.2.2:8000"}}) {
		ids = append(ids, c.id)
	}
	return ids
}
