package roster

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/roster/rostertest"
)

func TestParseBlackboard(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bbName
		ok   bool
	}{
		{"Lab 2 echo server_jdoe_attempt_2024-02-20-00-35-07.txt", bbName{"Lab 2 echo server_jdoe", "2024-02-20-00-35-07", ""}, true},
		{"Lab 2 echo server_jdoe_attempt_2024-02-20-00-35-07_server.py", bbName{"Lab 2 echo server_jdoe", "2024-02-20-00-35-07", "server.py"}, true},
		{"Exam 1 - Practical_500206565_attempt_2024-02-20-00-35-07_Practical.zip", bbName{"Exam 1 - Practical_500206565", "2024-02-20-00-35-07", "Practical.zip"}, true},
		{"HW_2_s_1_attempt_2024-02-20-00-35-07_my_attempt_2.py", bbName{"HW_2_s_1", "2024-02-20-00-35-07", "my_attempt_2.py"}, true},
		{"Lab 2_jdoe_attempt_2024-02-20_server.py", bbName{}, false},
		{"Lab 2_jdoe_attempt_2024-02-20-00-35-07", bbName{}, false},
		{"doejohn_12345_67890_server.py", bbName{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseBlackboard(tc.name)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestReadBlackboard reads Blackboard's "Assignment File Download", as a
// folder and as its zip: each student under the receipt's name with the
// username as the id, the latest attempt's files under the names the
// student gave them.
func TestReadBlackboard(t *testing.T) {
	for name, dir := range map[string]string{"folder": rostertest.Blackboard.Dir(t), "zip": rostertest.Blackboard.Zip(t)} {
		t.Run(name, func(t *testing.T) {
			r, err := Read(dir, Want{})
			require.NoError(t, err)
			require.Equal(t, Blackboard, r.Layout)
			require.Equal(t, "Lab 2 echo server", r.Assignment)
			require.Equal(t, []row{
				{"Jane Doe", "jdoe", "jane-doe", "server.py", false, []string{"README.md", "server.py"}},
				{"Li Wei", "li.wei", "li-wei", "", false, nil},
				{"Seán O'Brien", "sobrien_2", "sean-obrien", "my server.py", false, []string{"my server.py"}},
				{`Zoë "Zo" Ünal`, "zunal", "zoe-zo-unal", "src/server.py", false, []string{"src/server.py", "src/util.py"}},
				{"王小明", "500206565", "student-500206565", "Server.py", false, []string{"Server.py"}},
			}, rows(r))
			require.Equal(t, []Skip{{"grades-2023.xls", "not named as Blackboard names an attempt's files (Assignment_username_attempt_date_file)"}}, r.Skipped)
			jane := byName(t, r, "Jane Doe")
			require.Equal(t, map[string]string{"server.py": "print('jane')\n", "README.md": "run it with python3\n"}, stageAll(t, jane), "the latest attempt")
			require.Contains(t, jane.Note, "attempt 2024-02-20-00-35-07, the latest of 2 (2024-02-19-22-10-03)")
			require.Equal(t, []string{
				"Lab 2 echo server_jdoe_attempt_2024-02-20-00-35-07_server.py",
				"Lab 2 echo server_jdoe_attempt_2024-02-20-00-35-07_README.md",
				"Lab 2 echo server_jdoe_attempt_2024-02-20-00-35-07.txt",
			}, jane.Export)
			require.Equal(t, []string{"Lab 2 echo server_li.wei_attempt_2024-02-20-12-00-00.txt"}, byName(t, r, "Li Wei").Export, "the receipt alone")
		})
	}
}

// TestReadBlackboardWithoutReceipts: a TA who deleted the receipts still
// gets each student by username, cut where the assignment's name ends.
func TestReadBlackboardWithoutReceipts(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Lab_2_jdoe_attempt_2024-02-20-00-35-07_server.py":      "jane",
		"Lab_2_sobrien_2_attempt_2024-02-20-10-02-44_server.py": "seán",
	})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Blackboard, r.Layout)
	require.Equal(t, []row{
		{"jdoe", "jdoe", "jdoe", "server.py", false, []string{"server.py"}},
		{"sobrien_2", "sobrien_2", "sobrien-2", "server.py", false, []string{"server.py"}},
	}, rows(r))
}

func TestParseReceipt(t *testing.T) {
	r := parseReceipt([]byte("\ufeffName: Ashton Treleven (500206565)\r\nAssignment: Exam 1 - Practical\r\nDate Submitted: Monday, 20 April 2020 06:34:13 o'clock BST\r\n" +
		"Current Mark: Needs Marking\r\n\r\nSubmission Field:\r\nName: not a header\r\n\r\nFiles:\r\n\tOriginal filename: Practical.zip\r\n" +
		"\tFilename: Exam 1 - Practical_500206565_attempt_2020-04-20-06-34-13_Practical.zip\r\n"))
	require.Equal(t, bbReceipt{Name: "Ashton Treleven", User: "500206565", Assignment: "Exam 1 - Practical",
		Original: map[string]string{"Exam 1 - Practical_500206565_attempt_2020-04-20-06-34-13_Practical.zip": "Practical.zip"}}, r)
}
