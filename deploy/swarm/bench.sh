#!/usr/bin/env bash
# bench.sh: how fast a class is graded across a Swarm of 1, 2 and 3 nodes,
# each node held to the same CPU share, on this one machine
# (deploy/swarm/nodes.sh's engines). Prints students per minute for each N
# and its ratio to one node's; the issue's target is at least 0.8 x N.
#
#   deploy/swarm/bench.sh [STUDENTS]     (default 12 per run)
#
# Settings: NODES_CPUS (default 0.6, each node's --cpus), LAPTOP_CPUS
# (default 0.5: laptop-a's limit, below the node's on cgroup v1), NS (default
# "1 2 3"), NODES_NAME and NODES_SUBNET (default socketlab-bench,
# 10.234.0.0/24), BENCH_NET (the labs' overlays, default 10.233).
# Each N starts from a Swarm of its own (nodes.sh down, the nodes' Swarm
# state wiped; their volumes keep the images). The rate counts from the
# moment the class's overlays are ready to its last grade: the time to copy
# images and make overlays is printed apart. Uses the docker lock when
# /tmp/socketlab-docker.lock exists (several people share this machine).
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
students=${1:-12}
export NODES_CPUS=${NODES_CPUS:-0.6} NODES_NAME=${NODES_NAME:-socketlab-bench} NODES_SUBNET=${NODES_SUBNET:-10.234.0.0/24}
laptop_cpus=${LAPTOP_CPUS:-0.5}
ns=${NS:-1 2 3}
net=${BENCH_NET:-10.233}
lock=()
[ -e /tmp/socketlab-docker.lock ] && lock=(flock /tmp/socketlab-docker.lock)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say() { printf 'bench: %s\n' "$*" >&2; }

# The class: a mix of passes and fails, each student a copy of one of these.
mix=(class/alice class/carol class/bob class/judy student/py-localhost class/alice)
mkdir -p "$tmp/class"
for i in $(seq 1 "$students"); do
	cp -r "$here/e2e/testdata/${mix[$(((i - 1) % ${#mix[@]}))]}" "$tmp/class/s$i"
done
(cd "$here" && go build -o "$tmp/client" ./client)

fresh() {
	bash "$here/deploy/swarm/nodes.sh" down 9 >/dev/null 2>&1 || true
	for i in 1 2 3 4 5 6 7 8 9; do
		docker volume inspect "$NODES_NAME-$i" >/dev/null 2>&1 || continue
		docker run --rm --pull never -v "$NODES_NAME-$i:/var/lib/docker" --entrypoint rm socketlab/dind:trixie -rf /var/lib/docker/swarm
	done
}

declare -A rate
for n in $ns; do
	"${lock[@]}" bash -c '
		set -euo pipefail
		'"$(declare -f fresh)"'
		here=$1 n=$2 tmp=$3 net=$4 cpus=$5
		fresh
		manager=$(bash "$here/deploy/swarm/nodes.sh" up "$n" 2>/dev/null)
		start=$(date +%s.%N)
		"$tmp/client" class -swarm "$manager" -swarm-laptop-cpus "$cpus" -net "$net" -project socketlab-bench \
			-submission-timeout 60s "$tmp/class" "$tmp/out-$n" 2>&1 |
			while IFS= read -r line; do printf "%s %s\n" "$(date +%s.%N)" "$line"; done >"$tmp/log-$n" || true
		uptime >"$tmp/load-$n"
		fresh
	' _ "$here" "$n" "$tmp" "$net" "$laptop_cpus"
	ready=$(awk '/pairs of overlays ready/ {print $1; exit}' "$tmp/log-$n")
	first=$(awk '{print $1; exit}' "$tmp/log-$n")
	last=$(awk '/class: \[[0-9 ]+\/[0-9]+\]/ {t=$1} END {print t}' "$tmp/log-$n")
	graded=$(grep -c 'class: \[ *[0-9]*/[0-9]*\] .*\(PASS\|FAIL\)' "$tmp/log-$n" || true)
	errors=$(grep -c 'class: \[ *[0-9]*/[0-9]*\] .* error' "$tmp/log-$n" || true)
	rate[$n]=$(awk -v g="$graded" -v a="$ready" -v b="$last" 'BEGIN {printf "%.1f", g * 60 / (b - a)}')
	say "N=$n: $graded graded, $errors errors, set-up $(awk -v a="$first" -v b="$ready" 'BEGIN {printf "%.1f", b - a}') s, grading $(awk -v a="$ready" -v b="$last" 'BEGIN {printf "%.1f", b - a}') s, ${rate[$n]} students/min; load: $(sed 's/.*load average: //' "$tmp/load-$n")"
	grep -E 'class: (.*lost|.*again)' "$tmp/log-$n" | sed 's/^[0-9.]* /bench:   /' >&2 || true
	# The grades must not depend on where they were made: each student's
	# verdict and points as on the first N.
	grades() { python3 -c 'import csv, sys; [print(r["student"], r["verdict"], r["points"]) for r in csv.DictReader(open(sys.argv[1]))]' "$1" | sort; }
	first_n=$(echo "$ns" | awk '{print $1}')
	if [ "$(grades "$tmp/out-$n/summary.csv")" = "$(grades "$tmp/out-$first_n/summary.csv")" ]; then
		say "N=$n: every student's verdict and points as with N=$first_n"
	else
		say "N=$n: GRADES DIFFER from N=$first_n:"
		diff <(grades "$tmp/out-$first_n/summary.csv") <(grades "$tmp/out-$n/summary.csv") >&2 || true
	fi
done

printf '| nodes (--cpus %s each) | students/min | x one node | target 0.8 x N |\n|---|---|---|---|\n' "$NODES_CPUS"
one=${rate[$(echo "$ns" | awk '{print $1}')]}
for n in $ns; do
	awk -v n="$n" -v r="${rate[$n]}" -v one="$one" 'BEGIN {printf "| %d | %.1f | %.2f | %.1f |\n", n, r, r / one, 0.8 * n}'
done
