package student

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCutLinesCutsALongLineAndSaysHowMuch: a print() of a megabyte caller
// is one line of the lab's log, cut with how much was left out; short
// lines, and the lines after it, pass whole.
func TestCutLinesCutsALongLineAndSaysHowMuch(t *testing.T) {
	var b bytes.Buffer
	w := CutLines(&b, 20)
	big := "b'" + strings.Repeat("x", 1<<20) + "'"
	// Written in pieces, as a pipe delivers it.
	for _, s := range []string{"short line\n", big[:7], big[7:5000], big[5000:] + "\nnext\n"} {
		n, err := w.Write([]byte(s))
		require.NoError(t, err)
		require.Equal(t, len(s), n)
	}
	require.Equal(t, "short line\nb'"+strings.Repeat("x", 18)+"… ("+strconv.Itoa(len(big)-20)+" more bytes of this line not shown)\nnext\n", b.String())
}

// TestCutLinesNeverSplitsACharacter: a cut falls before a character of
// several bytes, not inside it.
func TestCutLinesNeverSplitsACharacter(t *testing.T) {
	var b bytes.Buffer
	_, err := CutLines(&b, 4).Write([]byte("abcé and more\n"))
	require.NoError(t, err)
	require.Equal(t, "abc… (11 more bytes of this line not shown)\n", b.String())
}
