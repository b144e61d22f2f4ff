package class

import (
	"fmt"
	"path/filepath"

	"github.com/socketlab/socketlab/internal/lms"
	"github.com/socketlab/socketlab/internal/roster"
)

// writeBack writes what goes back into the LMS (internal/lms) for the
// export r, with the class's points, and says where.
func writeBack(cfg Config, r roster.Roster, sum Summary) error {
	rows := make([]lms.Row, len(sum.Rows))
	for i, row := range sum.Rows {
		rows[i] = lms.Row{Sub: row.Sub, Verdict: row.Verdict, Grade: row.Grade, Note: row.Note}
	}
	lc := cfg.LMS
	lc.Weights = cfg.Weights
	lc.Warn = func(s string) { fmt.Fprintf(cfg.Progress, "class: warning: %s\n", s) }
	files, err := lms.WriteBack(cfg.Out, r, rows, lc)
	if err != nil {
		return fmt.Errorf("the files for the LMS: %w", err)
	}
	for _, f := range files {
		if filepath.Base(f) == "README.txt" {
			fmt.Fprintf(cfg.Progress, "class: back into the LMS: %s says how to upload %s\n", filepath.Join(cfg.Out, f), filepath.Join(cfg.Out, lms.Dir))
			return nil
		}
	}
	fmt.Fprintf(cfg.Progress, "class: grades for a spreadsheet: %s\n", filepath.Join(cfg.Out, files[0]))
	return nil
}
