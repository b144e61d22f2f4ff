package results

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// PrairieLearn's grading results (prairielearn.readthedocs.io/en/latest/
// externalGrading/): the keys of results.json and of each test.
var (
	prairieLearnKeys     = []string{"gradable", "score", "message", "output", "format_errors", "partial_scores", "images", "tests"}
	prairieLearnTestKeys = []string{"name", "description", "points", "max_points", "message", "output", "images"}
)

// requirePrairieLearnContract checks b against PrairieLearn's format:
// only its keys, each of its type; a gradable result has a score from 0
// to 1, its points over its max_points; one that is not has no score and
// says why in format_errors.
func requirePrairieLearnContract(t *testing.T, b []byte) map[string]any {
	t.Helper()
	m := decode(t, b)
	for k := range m {
		require.Contains(t, prairieLearnKeys, k, "a key PrairieLearn does not define")
	}
	require.IsType(t, true, m["gradable"])
	require.IsType(t, "", m["message"])
	require.IsType(t, "", m["output"])
	if m["gradable"] == false {
		require.NotContains(t, m, "score", "not gradable: no score, no attempt used")
		require.NotEmpty(t, m["format_errors"])
		return m
	}
	score := m["score"].(float64)
	require.GreaterOrEqual(t, score, 0.0)
	require.LessOrEqual(t, score, 1.0)
	points, max := 0.0, 0.0
	for _, x := range m["tests"].([]any) {
		tc := x.(map[string]any)
		for k := range tc {
			require.Contains(t, prairieLearnTestKeys, k, "a test key PrairieLearn does not define")
		}
		require.IsType(t, "", tc["name"])
		require.NotRegexp(t, address, tc["name"])
		require.LessOrEqual(t, tc["points"], tc["max_points"])
		require.IsType(t, "", tc["message"])
		require.IsType(t, "", tc["output"])
		points += tc["points"].(float64)
		max += tc["max_points"].(float64)
	}
	if max > 0 {
		require.InDelta(t, points/max, score, 1e-4, "the score is the points earned over all there were")
	}
	return m
}

func TestWritePrairieLearn(t *testing.T) {
	w := Weights{Points: map[string]float64{"program": 3, "answers": 1}}
	var b bytes.Buffer
	require.NoError(t, passing().WritePrairieLearn(&b, w))
	m := requirePrairieLearnContract(t, b.Bytes())
	require.Equal(t, true, m["gradable"])
	require.Equal(t, 1.0, m["score"])
	require.Equal(t, "verdict: PASS: your server on laptop-a answered laptop-b across the lab as the lecture's server does.", m["message"])
	tests := m["tests"].([]any)
	require.Len(t, tests, 4)
	first := tests[0].(map[string]any)
	require.Equal(t, "answers: name of answers", first["name"])
	require.Equal(t, 1.0, first["points"])
	require.Equal(t, 1.0, first["max_points"])
	require.Equal(t, "reason of answers.", first["message"])
	require.Equal(t, "PASS  title of answers: reason of answers.", first["output"])

	b.Reset()
	require.NoError(t, failing().WritePrairieLearn(&b, w))
	m = requirePrairieLearnContract(t, b.Bytes())
	require.Equal(t, 0.0, m["score"])
	require.Equal(t, true, m["gradable"])

	b.Reset()
	require.NoError(t, carol().WritePrairieLearn(&b, Default()))
	m = requirePrairieLearnContract(t, b.Bytes())
	require.Equal(t, 0.9, m["score"], "18 of 20, as on Gradescope")

	b.Reset()
	s := Submission{Setup: true, NoNetwork: true, Why: "this machine has no network interface but loopback (it has: lo)"}
	require.NoError(t, s.WritePrairieLearn(&b, w))
	m = requirePrairieLearnContract(t, b.Bytes())
	require.Equal(t, false, m["gradable"], "the course's set-up costs the student no attempt")
	require.Contains(t, m["message"], `"enableNetworking": true`)
	require.Contains(t, m["message"], "not your program")
	require.NotContains(t, m["message"], "FAIL")
	require.Equal(t, []any{m["message"]}, m["format_errors"])

	b.Reset()
	s = Submission{Why: "the submission cannot be graded: it has no server.py"}
	require.NoError(t, s.WritePrairieLearn(&b, w))
	m = requirePrairieLearnContract(t, b.Bytes())
	require.Equal(t, "Not graded: the submission cannot be graded: it has no server.py.", m["message"])
}
