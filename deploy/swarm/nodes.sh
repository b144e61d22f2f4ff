#!/usr/bin/env bash
# nodes.sh makes a Docker Swarm on this one machine: N Docker engines, each a
# privileged container from socketlab/dind:trixie (the engine deploy/dind.sh
# runs), on a bridge of their own, node 1 the manager and the rest workers.
# For trying the lab across hosts without a classroom, and for its tests.
#
#   deploy/swarm/nodes.sh up [N]    start N engines (default 3), form the Swarm,
#                                   print the manager's DOCKER_HOST on stdout
#   deploy/swarm/nodes.sh down [N]  leave the Swarm, remove the engines and
#                                   their bridge; their volumes stay (with the
#                                   images loaded), so the next `up` starts warm
#
# Settings (environment): NODES_SUBNET (default 10.235.0.0/24, node k at .1k),
# NODES_NAME (default socketlab-node: containers socketlab-node-k, volumes the
# same, bridge socketlab-node), NODES_CPUS (each engine's --cpus, e.g. 0.6).
# The engines listen on tcp 2375 without TLS, reachable from this machine only
# through the bridge; nothing is published.
set -euo pipefail
set -E
# shellcheck disable=SC2154 # rc is set by the trap's own first command
trap 'rc=$?; [ "$BASH_SUBSHELL" -eq 0 ] && printf "nodes.sh: stopped: \"%s\" failed (exit %d, line %d)\n" "$BASH_COMMAND" "$rc" "$LINENO" >&2' ERR

here=$(cd "$(dirname "$0")/.." && pwd)
name=${NODES_NAME:-socketlab-node}
subnet=${NODES_SUBNET:-10.235.0.0/24}
say() { printf 'nodes.sh: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}
# shellcheck source=deploy/dind-lib.sh
. "$here/dind-lib.sh"

ip() { echo "${subnet%.*}.$((10 + $1))"; }
host() { echo "tcp://$(ip "$1"):2375"; }

# wait_for N CMD...: retry CMD every 0.2 s for at most N seconds.
wait_for() {
	local limit=$1 t=0
	shift
	until "$@" >/dev/null 2>&1; do
		t=$((t + 1))
		[ "$t" -le $((limit * 5)) ] || return 1
		sleep 0.2
	done
}

up() {
	local n=${1:-3} i tok state members
	[[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 9 ]] || die "N must be 1 to 9, not \"$n\""
	dind_image
	docker network inspect "$name" >/dev/null 2>&1 ||
		docker network create --subnet "$subnet" "$name" >/dev/null ||
		die "cannot make the bridge $name on $subnet (taken? set NODES_SUBNET)"
	for i in $(seq 1 "$n"); do
		dind_running "$name-$i" ||
			dind_start "$name-$i" "node-$i" "$name" "$(ip "$i")" ${NODES_CPUS:+--cpus "$NODES_CPUS"}
	done
	for i in $(seq 1 "$n"); do
		dind_wait "$(ip "$i")" 60 >/dev/null || die "node $i's engine did not answer within 60 s: docker logs $name-$i"
	done
	state=$(docker -H "$(host 1)" info -f '{{.Swarm.LocalNodeState}}')
	if [ "$state" != active ]; then
		docker -H "$(host 1)" swarm init --advertise-addr "$(ip 1)" >/dev/null
	fi
	tok=$(docker -H "$(host 1)" swarm join-token -q worker)
	members=$(docker -H "$(host 1)" node ls -q)
	for i in $(seq 2 "$n"); do
		state=$(docker -H "$(host "$i")" info -f '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}')
		[ "${state% *}" = active ] && grep -qx "${state#* }" <<<"$members" && continue
		# A node kept from an earlier Swarm (its volume) leaves it first.
		[ "${state% *}" = inactive ] || docker -H "$(host "$i")" swarm leave --force >/dev/null 2>&1 || true
		docker -H "$(host "$i")" swarm join --token "$tok" --advertise-addr "$(ip "$i")" "$(ip 1):2377" >/dev/null
	done
	ready() { [ "$(docker -H "$(host 1)" node ls --filter role=worker --format '{{.Status}}' | grep -c '^Ready$')" -ge $((n - 1)) ]; }
	wait_for 60 ready || die "the workers did not all become Ready within 60 s: docker -H $(host 1) node ls"
	say "a Swarm of $n nodes; the manager is node 1"
	docker -H "$(host 1)" node ls >&2
	host 1
}

# down leaves the Swarm on every node first, workers before the manager: an
# engine that starts with a Swarm's state in its volume waits up to half a
# minute for that Swarm before it answers, and a fresh one forms in 2 s.
down() {
	local n=${1:-9} i
	for i in $(seq "$n" -1 1); do
		dind_running "$name-$i" || continue
		timeout 10 docker -H "$(host "$i")" swarm leave --force >/dev/null 2>&1 || true
	done
	for i in $(seq 1 "$n"); do docker rm -f "$name-$i" >/dev/null 2>&1 || true; done
	docker network rm "$name" >/dev/null 2>&1 || true
	say "removed; the volumes $name-* stay (docker volume rm them to start cold)"
}

case "${1:-}" in
up) up "${2:-3}" ;;
down) down "${2:-9}" ;;
-h | --help | help) sed -n '2,17p' "$0" ;;
*)
	sed -n '2,17p' "$0" >&2
	exit 2
	;;
esac
