package rostertest

import (
	"fmt"
	"strings"
	"time"
)

// The exports below hold one class each, with what a real one holds:
// names with spaces, apostrophes, quotes and letters beyond ASCII, several
// attempts of which the latest counts, several files, a program in a
// sub-folder of an uploaded zip, a student with no program, and a file
// of the TA's that is no one's. Each program's body names its student, so
// a test can tell whose file was graded.

// Moodle is Moodle 4.x's "Download all submissions", in folders: one
// "Full Name_PARTICIPANT_assignsubmission_PLUGIN" folder per student and
// plugin (Moodle 3.x adds a last "_", as Alice's and Bob's folders have).
var Moodle = Export{
	Name: "NET101-Lab 2 echo server-4821",
	Files: map[string]string{
		"Alice Smith_1201_assignsubmission_file_/server.py":              "print('alice')\n",
		"Bob O'Neil_1202_assignsubmission_file_/hw1/server.py":           "print('bob')\n",
		"Bob O'Neil_1202_assignsubmission_onlinetext_/onlinetext.html":   onlineText("see hw1"),
		"José Ñúñez_1203_assignsubmission_file/Server.py":                "print('josé')\n",
		`Zoë "Zo" Ünal_1204_assignsubmission_onlinetext/onlinetext.html`: onlineText("I forgot the file"),
		"李小龙_1205_assignsubmission_file/server.py":                       "print('李小龙')\n",
		"Anne-Marie d'Été_1206_assignsubmission_file/lab 2/my server.py": "print('anne-marie')\n",
	},
}

func onlineText(s string) string {
	return `<!DOCTYPE html><html><head><meta charset="UTF-8"></head><body><p>` + s + `</p></body></html>`
}

// Canvas is Canvas's "Download Submissions": one flat folder, each file
// "login[_LATE]_USERID_FILEID_name", the login the sortable name folded
// ("O'Brien, Seán Patrick" is "obrienseánpatrick"; "Bob_123" keeps its
// "_123"), a resubmission numbered "-1", a text entry as text.html.
var Canvas = Export{
	Name: "NET101-lab-2-echo-server_submissions",
	Files: map[string]string{
		"doejane_2045331_98765432_server.py":            "print('jane, first')\n",
		"doejane_LATE_2045331_98765460_server-1.py":     "print('jane')\n",
		"doejane_LATE_2045331_98765461_README.md":       "run it with python3\n",
		"obrienseánpatrick_2045400_98765440_server.py":  "print('seán')\n",
		"bob_123_2045410_98765450_server.py":            "print('bob_123')\n",
		"bob_123_2045410_98765451_client.py":            "print('bob_123 client')\n",
		"müllerjürgen_2045420_98765470_my_server_v2.py": "print('jürgen')\n",
		"garciamaria_2045430_text.html":                 "<p>my server is in my next message</p>",
		"leeann_2045440_98765480_lab2.zip":              "", // see Zips
		"grades-from-last-year.csv":                     "a TA's file",
	},
	Zips: map[string]map[string]string{
		"leeann_2045440_98765480_lab2.zip": {"lab2/src/server.py": "print('ann')\n", "lab2/README.md": "ann's notes\n"},
	},
}

// Blackboard is Blackboard Learn's "Assignment File Download" (Grade
// Center, the column's menu): one flat zip, per attempt a receipt
// "ASSIGNMENT_USERNAME_attempt_TIME.txt" and each file
// "ASSIGNMENT_USERNAME_attempt_TIME_FILE". Jane tried twice; Seán's
// username has a "_"; Zoë's program is in a sub-folder of her zip; Wei
// typed his answer in the text field and attached nothing.
var Blackboard = Export{
	Name:  "gradebook_NET101.2024FA_Lab 2 echo server_2024-02-21-09-00-00",
	Files: blackboardFiles(),
	Zips: map[string]map[string]string{
		"Lab 2 echo server_zunal_attempt_2024-02-20-23-59-59_lab2.zip": {"lab2/src/server.py": "print('zoë')\n", "lab2/src/util.py": "# helpers\n"},
	},
}

func blackboardFiles() map[string]string {
	files := map[string]string{
		"grades-2023.xls": "a TA's file",
	}
	const a = "Lab 2 echo server"
	BlackboardAttempt(files, a, "Jane Doe", "jdoe", "2024-02-19-22-10-03", "", "server.py", "print('jane, first')\n")
	BlackboardAttempt(files, a, "Jane Doe", "jdoe", "2024-02-20-00-35-07", "", "server.py", "print('jane')\n", "README.md", "run it with python3\n")
	BlackboardAttempt(files, a, "Seán O'Brien", "sobrien_2", "2024-02-20-10-02-44", "", "my server.py", "print('seán')\n")
	BlackboardAttempt(files, a, `Zoë "Zo" Ünal`, "zunal", "2024-02-20-23-59-59", "", "lab2.zip", "")
	BlackboardAttempt(files, a, "王小明", "500206565", "2024-02-18-08-00-00", "", "Server.py", "print('王小明')\n")
	BlackboardAttempt(files, a, "Li Wei", "li.wei", "2024-02-20-12-00-00", "<p>import socket<br>s = socket.socket()</p>")
	return files
}

// BlackboardAttempt adds to files one attempt as Blackboard's download
// holds it: the receipt ASSIGNMENT_USER_attempt_STAMP.txt, with the
// student's name and username, the text they typed ("" for none) and
// their files, and each file (name, body pairs; a body "" is left for the
// caller to add, an archive say) as ASSIGNMENT_USER_attempt_STAMP_NAME.
func BlackboardAttempt(files map[string]string, assignment, name, user, stamp, text string, uploads ...string) {
	prefix := assignment + "_" + user + "_attempt_" + stamp
	var list strings.Builder
	for i := 0; i+1 < len(uploads); i += 2 {
		fmt.Fprintf(&list, "\tOriginal filename: %s\n\tFilename: %s_%s\n", uploads[i], prefix, uploads[i])
		if uploads[i+1] != "" {
			files[prefix+"_"+uploads[i]] = uploads[i+1]
		}
	}
	if text == "" {
		text = "There is no student submission text data for this assignment."
	}
	// As a US site writes it: "Tuesday, February 20, 2024 12:35:07 AM CST".
	date := stamp
	if t, err := time.Parse("2006-01-02-15-04-05", stamp); err == nil {
		date = t.Format("Monday, January 2, 2006 3:04:05 PM") + " CST"
	}
	files[prefix+".txt"] = fmt.Sprintf("Name: %s (%s)\nAssignment: %s\nDate Submitted: %s\nCurrent Grade: Needs Grading\n\n"+
		"Submission Field:\n%s\n\nComments:\nThere are no student comments for this assignment.\n\nFiles:\n%s", name, user, assignment, date, text, list.String())
}

// Brightspace is Brightspace's (D2L's) Assignments "Download": the
// download's index.html and one folder per submission "ID-ID - First Last
// - Mon D, YYYY HMM AM". Mary-Ann submitted twice; Seán's program is in a
// sub-folder of his zip; Jessie's is a group's; Zoë sent two files.
var Brightspace = Export{
	Name: "Lab 2 echo server Download Sep 24, 2024 926 PM",
	Files: map[string]string{
		"index.html": "<html><body><h1>Lab 2 echo server</h1><table><tr><td>Mary-Ann Smith</td></tr></table></body></html>",
		"397062-2557301 - Mary-Ann Smith - Sep 23, 2024 1108 AM/server.py":            "print('mary-ann, first')\n",
		"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM/server.py":             "print('mary-ann')\n",
		`397065-2557371 - Zoë "Zo" Ünal - Sep 22, 2024 1201 AM/server.py`:             "print('zoë')\n",
		`397065-2557371 - Zoë "Zo" Ünal - Sep 22, 2024 1201 AM/notes.txt`:             "my notes\n",
		"397066-2557372 - 李 小龍 - Sep 24, 2024 1159 PM/Server.py":                      "print('李 小龍')\n",
		"397067-2557373 - Team Rocket - Jessie James - Sep 24, 2024 900 AM/server.py": "print('jessie')\n",
		"397068-2557374 - Ann Lee - Sep 24, 2024 800 AM/echo.txt":                     "not a program\n",
	},
	Zips: map[string]map[string]string{
		"397064-2557370 - Seán O'Brien - Sep 24, 2024 1022 AM/lab2.zip": {"lab2/src/server.py": "print('seán')\n"},
	},
}
