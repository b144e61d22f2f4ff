#!/usr/bin/env bash
# student-lab.sh runs a student's own program in the lab: what `just my-server
# FILE` and `just my-client FILE` run.
#
#   bash deploy/compose/student-lab.sh server mine/server.py
#   bash deploy/compose/student-lab.sh client mine/client.py
#
# It is the plain compose command of deploy/compose/my-server.yaml (or
# my-client.yaml) with three things a student needs around it: a FILE that
# is not there stops at once, before anything is built (exit 2); the build
# is one line unless it fails (its lines looked like a download to a
# student); and the last line says what the exit status means.
#
# Exit status: the verdict's. 0 PASS, 4 FAIL, 1 the lab could not run (never
# the student's fault), 2 a command typed wrong.
set -uo pipefail

role=${1:-}
file=${2:-}
case "$role" in
server) overlay=deploy/compose/my-server.yaml judge=laptop-b mine=laptop-a what=server example=server.py ;;
client) overlay=deploy/compose/my-client.yaml judge=laptop-a mine=laptop-b what=client example=client.py ;;
*)
	echo "usage: student-lab.sh server|client FILE" >&2
	exit 2
	;;
esac
recipe="just my-$role"

if [ -z "$file" ]; then
	echo "$recipe: which file? Give your $what's path, for example: $recipe deploy/student/$example" >&2
	exit 2
fi
# Relative to the folder the command was typed in (just passes the whole path).
case "$file" in
/*) path=$file ;;
*) path=$PWD/$file ;;
esac
dir=$(dirname "$path")
name=$(basename "$path")
if [ ! -e "$path" ]; then
	{
		if [ -d "$dir" ]; then
			echo "$recipe: there is no file $name in the folder $dir"
		else
			echo "$recipe: there is no folder $dir, so no file $name in it"
		fi
		echo "  Give the path of your $what from the folder you are in, for example:"
		echo "    $recipe deploy/student/$example        (the starter: the lecture's $what in Python 3)"
		echo "    mkdir mine && cp deploy/student/$example mine/ && $recipe mine/$example"
		echo "  Nothing was run (exit status 2: a command typed wrong)."
	} >&2
	exit 2
fi
if [ -d "$path" ]; then
	{
		echo "$recipe: $path is a folder: give the file in it, for example: $recipe ${file%/}/$example"
		echo "  Nothing was run (exit status 2: a command typed wrong)."
	} >&2
	exit 2
fi

cd "$(dirname "$0")/../.." || exit 1
export STUDENT_DIR=$dir STUDENT_FILE=$name
# The laptop's memory, processes and /tmp for the file's language.
for setting in $(bash deploy/compose/lang-env.sh "$path"); do
	export "${setting?}"
done
compose=(docker compose -f compose.yaml -f "$overlay")

# The build's own lines (load metadata, layers, ...) only when it fails.
echo "building the lab's two laptops, $mine with your folder in it (the first time: a minute or more)..."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "${compose[@]}" build "$mine" "$judge" >"$log" 2>&1; then
	cat "$log"
	echo
	echo "$recipe: the lab's build failed (the lines above say why): your program was not run."
	echo "exit status 1: the lab could not run, not your program's fault. See \"When the lab does not start\" in deploy/student/README.md."
	exit 1
fi

"${compose[@]}" up --exit-code-from "$judge"
rc=$?
echo
case $rc in
0) echo "exit status 0: PASS (the verdict: line above)." ;;
4) echo "exit status 4: FAIL: the verdict: line above says what to change in your $name." ;;
130 | 143) echo "exit status $rc: stopped before the verdict (Ctrl-C)." ;;
*) echo "exit status $rc: the lab itself could not finish (not your program's fault): the lines above say why." ;;
esac
exit "$rc"
