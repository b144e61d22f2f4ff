package e2e

import (
	"os"
	"testing"
)

func TestTmpReport(t *testing.T) {
	requireClassReport(t, os.Getenv("REPORT_DIR"))
}
