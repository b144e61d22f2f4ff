#!/usr/bin/env bash
# class-bench.sh [N] [-- CLIENT CLASS FLAGS...]: how long `just class` takes on
# this machine for a class of N submissions (default 120) of the usual mix,
# made from e2e/testdata/class: graded once from nothing (cold), then again
# with one submission changed (warm: the grades of the others are kept).
# `just class-bench` runs it. It prints both times and the slowest docker
# steps (client class -trace), and leaves nothing behind but the figures.
#
# The mix, per 120 (a class as TAs see it, every kind in the test class):
#   50 correct (alice), 8 correct that look for a way out (judy), 6 that print
#   megabytes (heidi), 4 disk fillers (grace), 15 Python 2 as in the lecture
#   (bob), 15 bound to 0.0.0.0 (carol), 10 that never close a call (ivan),
#   4 with no program (ken), 3 memory hogs (erin), 3 endless loops (frank)
#   and 2 fork bombs (dave).
# Each copy differs by a comment line, as students' files do.
set -euo pipefail
n=120
if [ $# -gt 0 ] && [ "$1" != "--" ]; then n=$1; shift; fi
[ "${1:-}" = "--" ] && shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/socketlab-class-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

mix=(alice:50 judy:8 heidi:6 grace:4 bob:15 carol:15 ivan:10 ken:4 erin:3 frank:3 dave:2)
kinds=()
for m in "${mix[@]}"; do
	for _ in $(seq "${m#*:}"); do kinds+=("${m%%:*}"); done
done
mkdir -p "$work/class"
for i in $(seq 1 "$n"); do
	kind=${kinds[$(((i - 1) * ${#kinds[@]} / n))]}
	dir=$(printf '%s/class/student-%03d-%s' "$work" "$i" "$kind")
	cp -r "$root/e2e/testdata/class/$kind" "$dir"
	if [ -f "$dir/server.py" ]; then printf '\n# student %d\n' "$i" >>"$dir/server.py"; fi
done
ls "$work/class" | sed 's/^student-[0-9]*-//' | sort | uniq -c | tr '\n' ' ' | sed 's/^/class-bench: the mix: /; s/$/\n/'

(cd "$root" && go build -o "$work/client" ./client)
run() {
	local start end
	start=$(date +%s.%N)
	(cd "$root" && "$work/client" class -trace "$@" "$work/class" "$work/out") >"$work/log" 2>&1 || {
		tail -20 "$work/log"
		return 1
	}
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}
cold=$(run "$@")
grep -v '^ *[0-9.]*s docker' "$work/log" | tail -2
echo "class-bench: cold: $n submissions in ${cold}s"
echo "class-bench: verdicts: $(tail -n +2 "$work/out/summary.csv" | cut -d, -f2 | sort | uniq -c | tr -s ' \n' ' ')"
# Where the time went: the docker steps, summed over every lab.
grep '^ *[0-9.]*s docker' "$work/log" | awk '{ t = $1; sub("s", "", t); k = $3; sum[k] += t; cnt[k]++ }
	END { for (k in sum) printf "class-bench:   docker %-8s %4d times, %7.1fs in all, %5.2fs each\n", k, cnt[k], sum[k], sum[k] / cnt[k] }' | sort -k6 -rn

printf '\n# changed after the deadline\n' >>"$(ls -d "$work"/class/student-001-*)/server.py"
warm=$(run "$@")
grep '^class: kept' "$work/log" || true
echo "class-bench: warm: $n submissions, one changed, in ${warm}s"
echo "class-bench: cold ${cold}s, warm ${warm}s ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
