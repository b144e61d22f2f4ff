#!/usr/bin/env bash
# compare.sh measures socketlab's server against its peers in one run, with
# the same `client bench` settings, on 127.0.0.1 only:
#   socketlab  socketlab's server, -model threads (a goroutine per call)
#   eventloop  socketlab's server, -model eventloop (one thread, epoll)
#   plain      the plainest Go server (deploy/peers/plain)
#   cepoll     the same protocol as eventloop in C, one thread and epoll
#              (deploy/peers/cepoll.c, built here with gcc; skipped without it)
#   python     the lecture's server.py in Python 3, ThreadingTCPServer (skipped without python3)
#
#   deploy/peers/compare.sh [-c 64[,1...]] [-n 20000] [-rounds 3] [-port 18000] [-only NAME,...] [-no-python]
#
# Beside calls/s it reports each server's own CPU time per call, from
# /proc/PID/stat (utime+stime, all threads) before and after each bench:
# the bench shares the machine's cores with the server, so calls/s alone
# hides what a call costs the server. -c takes a list (-c 1,64) to measure
# several concurrencies in the same run; -only picks the servers (say
# -only eventloop,cepoll for the event loops alone).
#
# Rounds alternate the servers, in turn forwards and backwards, so that a
# busy moment of the machine does not favour one of them; the summary is the
# median of the rounds; the ratios to plain and to cepoll are the median of
# each round's ratios, which a busy spell of the machine spoils less. Every
# process it starts, it ends, by PID.
set -euo pipefail

concs=64 calls=20000 rounds=3 python=yes base=18000 only=socketlab,eventloop,plain,cepoll,python
while [ $# -gt 0 ]; do
	case "$1" in
	-c) concs=$2; shift 2 ;;
	-n) calls=$2; shift 2 ;;
	-rounds) rounds=$2; shift 2 ;;
	-port) base=$2; shift 2 ;;
	-only) only=$2; shift 2 ;;
	-no-python) python=no; shift ;;
	*) echo "usage: $0 [-c N[,N...]] [-n N] [-rounds N] [-port BASE] [-only NAME,...] [-no-python]" >&2; exit 2 ;;
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
wanted() { [[ ",$only," == *",$1,"* ]]; }

declare -A addr pid
names=()
# start NAME PORT COMMAND...: a server of the comparison, its output in $bin/NAME.log.
start() {
	local name=$1 port=$2
	shift 2
	"$@" >"$bin/$name.log" 2>&1 &
	pids+=($!) pid[$name]=$!
	addr[$name]=127.0.0.1:$port
	names+=("$name")
}
# The servers listen on ports base to base+4.
wanted socketlab && start socketlab "$base" "$bin/server" -addr 127.0.0.1 -port "$base" -backlog 128
wanted eventloop && start eventloop $((base + 1)) "$bin/server" -model eventloop -addr 127.0.0.1 -port $((base + 1)) -backlog 128
wanted plain && start plain $((base + 2)) "$bin/plain" -addr "127.0.0.1:$((base + 2))"
if wanted cepoll; then
	if command -v gcc >/dev/null 2>&1; then
		gcc -O2 -o "$bin/cepoll" "$repo/deploy/peers/cepoll.c"
		start cepoll $((base + 3)) "$bin/cepoll" 127.0.0.1 $((base + 3)) 128
	else
		echo "$0: no gcc: the C epoll server is left out" >&2
	fi
fi
if wanted python && [ "$python" = yes ] && command -v python3 >/dev/null 2>&1; then
	start python $((base + 4)) python3 "$repo/deploy/peers/lecture_server.py" 127.0.0.1 $((base + 4))
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "$0: -only $only names no server (socketlab, eventloop, plain, cepoll, python)" >&2
	exit 2
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

# last prints its last argument.
last() { echo "${@: -1}"; }

# median prints the median of its arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

for conc in ${concs//,/ }; do
	declare -A rates=() cpus=() rrate=() rcpu=()
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
		# This round's ratios to each yardstick: its servers ran minutes
		# apart at most, so a busy spell of the machine weighs on both.
		for name in "${names[@]}"; do
			for base in plain cepoll; do
				[ -n "${rates[$base]:-}" ] || continue
				rrate[$name.$base]+="$(awk -v a="$(last ${rates[$name]})" -v p="$(last ${rates[$base]})" 'BEGIN{print a/p}') "
				rcpu[$name.$base]+="$(awk -v a="$(last ${cpus[$name]})" -v p="$(last ${cpus[$base]})" 'BEGIN{print (p>0 ? a/p : 0)}') "
			done
		done
	done
	echo "median of $rounds rounds at -c $conc (ratios: the median of each round's own):"
	for name in "${names[@]}"; do
		rate=$(median ${rates[$name]}) us=$(median ${cpus[$name]})
		line=$(printf '  %-10s %8.0f calls/s %6.1f µs CPU/call' "$name" "$rate" "$us")
		# Against each yardstick that ran: calls/s and CPU per call as ratios.
		for base in plain cepoll; do
			[ -n "${rates[$base]:-}" ] || continue
			line+=$(printf '   %5.2fx %s calls/s, %5.2fx its CPU' "$(median ${rrate[$name.$base]})" "$base" "$(median ${rcpu[$name.$base]})")
		done
		echo "$line"
	done
done
