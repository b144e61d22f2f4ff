package onehost

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
)

// The course's policy reaches the one-host grader: the lecture's one-call
// script passes under the lecture's, and fails still-there, the one
// failure, under keep-serving.
func TestGradeHereFollowsThePolicy(t *testing.T) {
	for _, policy := range []grade.Policy{grade.PolicyLecture, grade.PolicyKeepServing} {
		t.Run(string(policy), func(t *testing.T) {
			h := newHereTest(t, oneCall)
			h.cfg.Policy = policy
			res := h.grade()
			require.Equal(t, policy, res.Grade.Policy)
			require.Equal(t, grade.Pass, check(res.Grade, "echo").Status)
			require.Equal(t, grade.Pass, check(res.Grade, "not-on").Status, "its socket table shows one address")
			require.Equal(t, grade.Skip, check(res.Grade, "echo-1000").Status)
			if policy == grade.PolicyLecture {
				require.True(t, res.Verdict.Passed)
				require.Contains(t, res.VerdictText(), "  - note: ")
				return
			}
			require.False(t, res.Verdict.Passed)
			require.Equal(t, grade.Fail, check(res.Grade, "still-there").Status)
			require.Equal(t, "still-there", res.Submission().FirstCause().Check)
		})
	}
}

// A server bound to localhost is graded there, as the lab's supervisor
// grades it on laptop-a's loopback: only "answers" fails.
func TestGradeHereGradesALocalhostServerWhereItListens(t *testing.T) {
	res := newHereTest(t, localhost).grade()
	require.False(t, res.Verdict.Passed)
	for _, c := range res.Grade.Checks {
		if c.ID == "answers" {
			require.Equal(t, grade.Fail, c.Status)
			require.Contains(t, c.Reason, "your server listens at 127.0.0.1:")
			continue
		}
		require.NotEqual(t, grade.Fail, c.Status, "%s: %s", c.ID, c.Reason)
	}
	require.Equal(t, grade.Pass, check(res.Grade, "greeting").Status)
	require.Equal(t, grade.Pass, check(res.Grade, "not-on").Status)
	require.Equal(t, "loopback", res.Submission().FirstCause().ID)
}
