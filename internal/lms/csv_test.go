package lms

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
)

func TestTableQuoting(t *testing.T) {
	row := []string{"Participant 12", `Zoë "Zo" Ünal`, "17.50", "a,b", "two\nlines", "plain", `C:\x`}
	for _, tc := range []struct {
		q    quoting
		want string
	}{
		{minimal, "Participant 12,\"Zoë \"\"Zo\"\" Ünal\",17.50,\"a,b\",\"two\nlines\",plain,C:\\x\r\n"},
		{php, "\"Participant 12\",\"Zoë \"\"Zo\"\" Ünal\",17.50,\"a,b\",\"two\nlines\",plain,\"C:\\x\"\r\n"},
		{always, "\"Participant 12\",\"Zoë \"\"Zo\"\" Ünal\",\"17.50\",\"a,b\",\"two\nlines\",\"plain\",\"C:\\x\"\r\n"},
	} {
		tb := &table{quote: tc.q}
		tb.add(row...)
		require.Equal(t, tc.want, string(tb.bytes()))
	}
	tb := &table{bom: true}
	tb.add("x")
	require.Equal(t, "\ufeffx\r\n", string(tb.bytes()))
}

// TestReadCSV reads gradebooks as LMSes write them: a byte-order mark,
// semicolons (a European Canvas), Blackboard's UTF-16 tab-separated .xls.
func TestReadCSV(t *testing.T) {
	dir := t.TempDir()
	utf16le := func(s string) []byte {
		b := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	for name, data := range map[string][]byte{
		"bom.csv":  []byte("\ufeffStudent,ID\r\n\"Doe, Jane\",1\r\n"),
		"semi.csv": []byte("Student;ID\r\n\"Doe, Jane\";1\r\n"),
		"bb.xls":   utf16le("\"Student\"\t\"ID\"\r\n\"Doe, Jane\"\t\"1\"\r\n"),
	} {
		_, err := readCSV(filepath.Join(dir, name))
		require.Error(t, err, "no file yet")
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
		recs, err := readCSV(filepath.Join(dir, name))
		require.NoError(t, err, name)
		require.Equal(t, [][]string{{"Student", "ID"}, {"Doe, Jane", "1"}}, recs, name)
	}
}

func TestGradebookColumn(t *testing.T) {
	g := &gradebook{path: "gc.csv", head: []string{"Username", "Lab 1 [Total Pts: 10 Score] |118850", "Lab 2 echo server [Total Pts: 20 Score] |118854",
		"Total [Total Pts: up to 1,499 Score] |3032234"}}
	for _, tc := range []struct{ name, id, want, err string }{
		{"Lab 2 echo server", "", "Lab 2 echo server [Total Pts: 20 Score] |118854", ""},
		{"lab 2 ECHO server", "", "Lab 2 echo server [Total Pts: 20 Score] |118854", ""},
		{"", "118850", "Lab 1 [Total Pts: 10 Score] |118850", ""},
		{"", "", "", "has 2 grade columns: say which with -assignment NAME"},
		{"Total", "", "", `no such grade column: gc.csv has none for "Total"`},
	} {
		got, err := g.column(bbUploadable, tc.name, tc.id)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
}
