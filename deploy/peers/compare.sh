#!/usr/bin/env bash
# compare.sh measures socketlab's server against two peers in one run, with
# the same `client bench` settings, on 127.0.0.1 only:
#   plain   the plainest Go server (deploy/peers/plain)
#   python  the lecture's server.py in Python 3, ThreadingTCPServer (skipped without python3)
#
#   deploy/peers/compare.sh [-c 64] [-n 20000] [-rounds 3]
#
# Rounds alternate the servers so that a busy moment of the machine does not
# favour one of them. Every process it starts, it ends, by PID.
set -euo pipefail

conc=64 calls=20000 rounds=3
while [ $# -gt 0 ]; do
	case "$1" in
	-c) conc=$2; shift 2 ;;
	-n) calls=$2; shift 2 ;;
	-rounds) rounds=$2; shift 2 ;;
	*) echo "usage: $0 [-c N] [-n N] [-rounds N]" >&2; exit 2 ;;
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

declare -A addr
"$bin/server" -addr 127.0.0.1 -port 18000 -backlog 128 >"$bin/server.log" 2>&1 &
pids+=($!)
addr[socketlab]=127.0.0.1:18000
"$bin/plain" -addr 127.0.0.1:18001 2>/dev/null &
pids+=($!)
addr[plain]=127.0.0.1:18001
names=(socketlab plain)
if command -v python3 >/dev/null 2>&1; then
	python3 "$repo/deploy/peers/lecture_server.py" 127.0.0.1 18002 >/dev/null 2>&1 &
	pids+=($!)
	addr[python]=127.0.0.1:18002
	names+=(python)
fi
sleep 1

declare -A total
for name in "${names[@]}"; do total[$name]=0; done
echo "client bench -c $conc -n $calls, $rounds rounds, calls/s (p99 latency):"
for r in $(seq 1 "$rounds"); do
	line="round $r:"
	for name in "${names[@]}"; do
		host=${addr[$name]%:*} port=${addr[$name]#*:}
		json=$("$bin/client" bench -json -c "$conc" -n "$calls" "$host" "$port" 2>/dev/null)
		rate=$(grep -o '"calls_per_sec":[0-9.]*' <<<"$json" | cut -d: -f2)
		p99=$(grep -o '"p99_ns":[0-9]*' <<<"$json" | cut -d: -f2 | awk '{printf "%.2f", $1/1e6}')
		failed=$(grep -o '"failed":[0-9]*' <<<"$json" | cut -d: -f2)
		total[$name]=$(awk -v a="${total[$name]}" -v b="$rate" 'BEGIN{print a+b}')
		line+=$(printf '  %s %.0f (%sms, %s failed)' "$name" "$rate" "$p99" "$failed")
	done
	echo "$line"
done
echo "mean calls/s:"
for name in "${names[@]}"; do
	printf '  %-10s %8.0f  %5.1f%% of plain\n' "$name" \
		"$(awk -v t="${total[$name]}" -v r="$rounds" 'BEGIN{print t/r}')" \
		"$(awk -v t="${total[$name]}" -v p="${total[plain]}" 'BEGIN{print 100*t/p}')"
done
