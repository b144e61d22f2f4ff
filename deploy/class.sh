#!/usr/bin/env bash
# class.sh grades a class: one folder per student, each with a server.py,
# each run in a lab of its own as laptop-a and graded across hosts from
# laptop-b, as `just my-server` does, several at once.
#
#   deploy/class.sh DIR [OUT]        (just class DIR [OUT])
#
# OUT (default class-report) gets summary.csv and summary.md, one row per
# student, and per student junit.xml, results.json (Gradescope), grade.txt
# (what laptop-b said) and laptop-a.log (what the program printed, capped).
# It exits 0 when every submission was graded, whatever the verdicts, and
# non-zero only when grading itself failed.
#
# Settings (environment):
#   CLASS_JOBS      labs at once (default 3)
#   CLASS_TIMEOUT   seconds a submission may take, lab start to verdict (default 60)
#   CLASS_FILE      the program in each folder (default server.py)
#   CLASS_NET       the first two octets of the labs' subnets (default 10.214):
#                   lab N uses CLASS_NET.N.0/24 and CLASS_NET.(100+N).0/24
#   CLASS_PROJECT   the labs' compose project names, PREFIX-N (default socketlab-class)
#   CLASS_GRADE_FLAGS  the grader's policies, as client grade's: "-max-read 1000"
#                   (require recv(1000), not recv(1024)), "-quiet-warn"
#
# Submissions are untrusted code: each lab has no route beyond itself, no
# published port, a read-only root, no capabilities, limits on memory,
# processes, CPU and log size, and a hard time limit; every lab is taken
# down afterwards, also after Ctrl-C.
set -euo pipefail
if [ "${BASH_VERSINFO[0]}" -lt 5 ] || { [ "${BASH_VERSINFO[0]}" -eq 5 ] && [ "${BASH_VERSINFO[1]}" -lt 1 ]; }; then
	echo "class.sh: needs bash 5.1 or later (this is $BASH_VERSION; on a Mac: brew install bash)" >&2
	exit 2
fi

usage() {
	sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
case "$1" in -h | --help) usage ;; esac

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$(cd "$1" 2>/dev/null && pwd) || {
	echo "class.sh: no such folder: $1" >&2
	exit 2
}
out=${2:-class-report}
mkdir -p "$out"
out=$(cd "$out" && pwd)
jobs=${CLASS_JOBS:-3}
limit=${CLASS_TIMEOUT:-60}
file=${CLASS_FILE:-server.py}
net=${CLASS_NET:-10.214}
case "$jobs$limit" in *[!0-9]*) echo "class.sh: CLASS_JOBS and CLASS_TIMEOUT are whole numbers" >&2 && exit 2 ;; esac
[ "$jobs" -ge 1 ] && [ "$jobs" -le 50 ] || { echo "class.sh: CLASS_JOBS must be 1 to 50" >&2 && exit 2; }

# Plain logs: no colours and no terminal escapes in the reports.
export COMPOSE_ANSI=never
compose=(docker compose -f "$repo/compose.yaml" -f "$repo/deploy/my-server.yaml" -f "$repo/deploy/class.yaml")
project() { echo "${CLASS_PROJECT:-socketlab-class}-$1"; }
# lab_down PROJECT removes a lab's containers, networks and volumes, if any.
# CLASS_OUT only has to be set for compose to read class.yaml.
lab_down() { CLASS_OUT=${CLASS_OUT:-/nonexistent} "${compose[@]}" -p "$1" down -v --remove-orphans -t 0 >/dev/null 2>&1 || true; }

# Every lab this run may have started, taken down however the run ends.
cleanup() {
	local slot
	trap - INT TERM EXIT
	# shellcheck disable=SC2046 # one PID per word
	kill $(jobs -p) 2>/dev/null || true
	for ((slot = 0; slot < jobs; slot++)); do
		lab_down "$(project "$slot")"
	done
}
interrupted() {
	echo "class.sh: interrupted: taking every lab down" >&2
	cleanup
	exit 130
}
trap interrupted INT TERM
trap cleanup EXIT

students=()
for d in "$dir"/*/; do
	[ -d "$d" ] && students+=("$(basename "$d")")
done
[ ${#students[@]} -gt 0 ] || {
	echo "class.sh: $dir has no student folders (one folder per student, each with $file)" >&2
	exit 2
}

echo "class.sh: ${#students[@]} submissions in $dir, $jobs at a time, ${limit}s each; reports in $out"
# One build for the whole class: the labs then start in a second or two.
CLASS_OUT=/nonexistent STUDENT_DIR="$dir" "${compose[@]}" build -q laptop-a laptop-b >&2 || {
	echo "class.sh: building the lab's images failed" >&2
	exit 1
}

# grade_one NAME SLOT runs one submission in lab SLOT and leaves its reports
# and a row.csv (written by laptop-b, or here when laptop-b gave none) in
# OUT/NAME. It fails only when the lab could not be run at all.
grade_one() {
	local name=$1 slot=$2 p dest start status
	p=$(project "$slot")
	dest="$out/$name"
	rm -rf "$dest"
	mkdir -p "$dest"
	# laptop-b writes the reports as the lab's unprivileged user.
	chmod 0777 "$dest"
	start=$SECONDS
	if [ ! -f "$dir/$name/$file" ]; then
		printf 'no %s in %s\n' "$file" "$name" >"$dest/grade.txt"
		row "$dest" "$name" "not graded" "$((SECONDS - start))" "no $file in the folder"
		printf 'class.sh: %-20s %s\n' "$name" "not graded: no $file"
		return 0
	fi
	export STUDENT_DIR="$dir/$name" STUDENT_FILE="$file" STUDENT_NAME="$name" CLASS_OUT="$dest" LAB_INTERNAL=true \
		LAB_SUBNET="$net.$slot.0/24" LAPTOP_A_IP="$net.$slot.10" LAPTOP_B_IP="$net.$slot.20" \
		SIDE_SUBNET="$net.$((100 + slot)).0/24" LAPTOP_A_SIDE_IP="$net.$((100 + slot)).10" LAPTOP_B_SIDE_IP="$net.$((100 + slot)).20"
	lab_down "$p"
	if ! "${compose[@]}" -p "$p" up -d --no-build >"$dest/compose.log" 2>&1; then
		echo "class.sh: $name: the lab did not start:" >&2
		tail -n 5 "$dest/compose.log" >&2
		lab_down "$p"
		return 1
	fi
	# The verdict is laptop-b's exit status; the time limit is a watchdog
	# that kills the whole lab.
	(
		sleep "$limit"
		"${compose[@]}" -p "$p" kill >/dev/null 2>&1
	) &
	local dog=$!
	status=0
	"${compose[@]}" -p "$p" wait laptop-b >/dev/null 2>&1 || status=$?
	kill "$dog" 2>/dev/null || true
	wait "$dog" 2>/dev/null || true
	local took=$((SECONDS - start))
	"${compose[@]}" -p "$p" logs --no-color --no-log-prefix laptop-b 2>&1 | plain >"$dest/grade.txt" || true
	# What the program printed, capped: a submission may print megabytes.
	"${compose[@]}" -p "$p" logs --no-color --no-log-prefix laptop-a 2>&1 | head -c 200000 | plain >"$dest/laptop-a.log" || true
	lab_down "$p"
	rm -f "$dest/compose.log"
	chmod 0755 "$dest"
	if [ "$took" -ge "$limit" ]; then
		row "$dest" "$name" "timed out" "$took" "no verdict within ${limit}s: the lab was stopped"
	elif [ ! -s "$dest/row.csv" ] || [ ! -s "$dest/row.md" ]; then
		row "$dest" "$name" "error" "$took" "laptop-b gave no report (exit status $status)"
	fi
	printf 'class.sh: %-20s %s (%ds)\n' "$name" "$(cut -d, -f2 "$dest/row.csv" | tail -n 1)" "$took"
}

# plain drops terminal escapes (a program may print them; compose adds
# some) so that the reports read as text.
plain() { sed "s/$(printf '\033')\[[0-9;?]*[A-Za-z]//g"; }

# row DEST STUDENT VERDICT SECONDS NOTE writes the summary rows of a
# submission that laptop-b did not grade (row.csv, row.md); laptop-b writes
# them itself for the ones it graded (student check -csv, -md).
row() {
	local dest=$1 f sep=""
	shift
	for f in "$1" "$2" "" "" "" "$3" "$4"; do
		case "$f" in *[,\"$'\n']*) f="\"${f//\"/\"\"}\"" ;; esac
		printf '%s%s' "$sep" "$f"
		sep=,
	done >"$dest/row.csv"
	printf '\n' >>"$dest/row.csv"
	printf '| %s | %s |  |  | %ss | %s |\n' "${1//|/\\|}" "$2" "$3" "${4//|/\\|}" >"$dest/row.md"
}

started=$SECONDS
failed=0
free=()
for ((s = jobs - 1; s >= 0; s--)); do free+=("$s"); done
declare -A pid_slot=()
for name in "${students[@]}"; do
	while [ ${#free[@]} -eq 0 ]; do
		# A slot frees when its lab ends.
		local_pid=""
		wait -n -p local_pid || failed=1
		free+=("${pid_slot[$local_pid]}")
		unset "pid_slot[$local_pid]"
	done
	slot=${free[-1]}
	unset 'free[-1]'
	grade_one "$name" "$slot" &
	pid_slot[$!]=$slot
done
for pid in "${!pid_slot[@]}"; do wait "$pid" || failed=1; done

total=$((SECONDS - started))
{
	echo "student,verdict,passed,required,failed_checks,seconds,note"
	for name in "${students[@]}"; do cat "$out/$name/row.csv" 2>/dev/null || true; done
} >"$out/summary.csv"
{
	printf '# Class report\n\n%d submissions from `%s`, graded in %ds (%d at a time, %ds each at most).\n\n' \
		"${#students[@]}" "$(basename "$dir")" "$total" "$jobs" "$limit"
	echo "| Student | Verdict | Checks passed | Failed checks | Time | Note |"
	echo "|---|---|---|---|---|---|"
	for name in "${students[@]}"; do cat "$out/$name/row.md" 2>/dev/null || true; done
} >"$out/summary.md"
echo "class.sh: ${#students[@]} graded in ${total}s: $out/summary.csv, $out/summary.md"
[ "$failed" -eq 0 ] || {
	echo "class.sh: some labs could not be run (above): grading failed" >&2
	exit 1
}
