#!/usr/bin/env bash
# compare.sh measures socketlab's server against two peers in one run, with
# the same `client bench` settings, on 127.0.0.1 only:
#   plain   the plainest Go server (deploy/peers/plain)
#   python  the lecture's server.py in Python 3, ThreadingTCPServer (skipped without python3)
#
#   deploy/peers/compare.sh [-c 64[,1...]] [-n 20000] [-rounds 3] [-port 18000] [-no-python]
#
# Beside calls/s it reports each server's own CPU time per call, from
# /proc/PID/stat (utime+stime, all threads) before and after each bench:
# the bench shares the machine's cores with the server, so calls/s alone
# hides what a call costs the server. -c takes a list (-c 1,64) to measure
# several concurrencies in the same run.
#
# Rounds alternate the servers, in turn forwards and backwards, so that a
# busy moment of the machine does not favour one of them; the summary is the
# median of the rounds. Every process
# it starts, it ends, by PID.
set -euo pipefail

concs=64 calls=20000 rounds=3 python=yes base=18000
while [ $# -gt 0 ]; do
	case "$1" in
	-c) concs=$2; shift 2 ;;
	-n) calls=$2; shift 2 ;;
	-rounds) rounds=$2; shift 2 ;;
	-port) base=$2; shift 2 ;;
	-no-python) python=no; shift ;;
	*) echo "usage: $0 [-c N[,N...]] [-n N] [-rounds N] [-port BASE] [-no-python]" >&2; exit 2 ;;
	esac
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$bin"
}
trap cleanup EXIT

(cd "$repo" && go build -o "$bin/" ./server ./client ./deploy/peers/plain)

declare -A addr pid
# The servers listen on ports base, base+1 and base+2.
"$bin/server" -addr 127.0.0.1 -port "$base" -backlog 128 >"$bin/server.log" 2>&1 &
pids+=($!) pid[socketlab]=$!
addr[socketlab]=127.0.0.1:$base
"$bin/plain" -addr "127.0.0.1:$((base + 1))" 2>/dev/null &
pids+=($!) pid[plain]=$!
addr[plain]=127.0.0.1:$((base + 1))
names=(socketlab plain)
if [ "$python" = yes ] && command -v python3 >/dev/null 2>&1; then
	python3 "$repo/deploy/peers/lecture_server.py" 127.0.0.1 $((base + 2)) >/dev/null 2>&1 &
	pids+=($!) pid[python]=$!
	addr[python]=127.0.0.1:$((base + 2))
	names+=(python)
fi
sleep 1
for name in "${names[@]}"; do
	if ! kill -0 "${pid[$name]}" 2>/dev/null; then
		echo "$0: the $name server did not start: is ${addr[$name]} in use? (pick other ports with -port)" >&2
		exit 1
	fi
done

tck=$(getconf CLK_TCK)
# cpu prints a process's CPU time so far in clock ticks. The command name in
# field 2 is in parentheses and may hold spaces, so count from after it.
cpu() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

# median prints the median of its arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

for conc in ${concs//,/ }; do
	declare -A rates=() cpus=()
	echo "client bench -c $conc -n $calls, $rounds rounds: calls/s (p99 latency, failed, server CPU per call):"
	for r in $(seq 1 "$rounds"); do
		# Every other round runs the servers in reverse order, so that
		# neither always runs first.
		order=("${names[@]}")
		if [ $((r % 2)) -eq 0 ]; then
			order=()
			for ((i = ${#names[@]} - 1; i >= 0; i--)); do order+=("${names[$i]}"); done
		fi
		declare -A shown=()
		for name in "${order[@]}"; do
			host=${addr[$name]%:*} port=${addr[$name]#*:}
			before=$(cpu "${pid[$name]}")
			json=$("$bin/client" bench -json -c "$conc" -n "$calls" "$host" "$port" 2>/dev/null)
			after=$(cpu "${pid[$name]}")
			rate=$(grep -o '"calls_per_sec":[0-9.]*' <<<"$json" | cut -d: -f2)
			p99=$(grep -o '"p99_ns":[0-9]*' <<<"$json" | cut -d: -f2 | awk '{printf "%.2f", $1/1e6}')
			failed=$(grep -o '"failed":[0-9]*' <<<"$json" | cut -d: -f2)
			us=$(awk -v d=$((after - before)) -v t="$tck" -v n="$calls" 'BEGIN{printf "%.1f", d / t * 1e6 / n}')
			rates[$name]+="$rate " cpus[$name]+="$us "
			shown[$name]=$(printf '  %s %.0f (%sms, %s failed, %sµs)' "$name" "$rate" "$p99" "$failed" "$us")
		done
		line="round $r:"
		for name in "${names[@]}"; do line+=${shown[$name]}; done
		echo "$line"
	done
	echo "median of $rounds rounds at -c $conc:"
	plainRate=$(median ${rates[plain]}) plainCPU=$(median ${cpus[plain]})
	for name in "${names[@]}"; do
		rate=$(median ${rates[$name]}) us=$(median ${cpus[$name]})
		printf '  %-10s %8.0f calls/s %6.1f%% of plain   %6.1f µs CPU/call %5.2fx plain\n' "$name" "$rate" \
			"$(awk -v a="$rate" -v p="$plainRate" 'BEGIN{print 100*a/p}')" "$us" \
			"$(awk -v a="$us" -v p="$plainCPU" 'BEGIN{print a/p}')"
	done
done
