#!/usr/bin/env bash
# dind.sh runs a second Docker engine in a container on this machine, reached
# over tcp the way GitLab CI reaches its docker:dind service and the way
# DOCKER_HOST=tcp://... reaches any remote engine: for trying socketlab, and
# testing it, where the client and the engine share no filesystem and no
# loopback.
#
#   deploy/dind.sh up      start it (build its image first, cached) and print
#                          its address: DOCKER_HOST=$(deploy/dind.sh up)
#   deploy/dind.sh down    stop and remove it; its images stay in the volume
#                          socketlab-dind, so the next `up` starts warm
#   deploy/dind.sh purge   down, and remove the volume and the image too
#
# The engine is Debian 13's own docker.io in a root made by debootstrap from
# this machine's Debian mirror (deploy/engine/debian-root.sh, cached by content),
# imported as socketlab/dind:trixie: nothing is pulled. It runs --privileged
# (a Docker engine needs it, as GitLab's dind service does) on a network of
# its own, DIND_SUBNET (default 10.231.0.0/24, engine at .2), and listens on
# tcp port 2375 without TLS: reachable from this machine only, through that
# bridge; nothing is published. Needs root and debootstrap for the first
# build, as setup.sh --offline does.
set -euo pipefail
set -E
# shellcheck disable=SC2154 # rc is set by the trap's own first command
trap 'rc=$?; [ "$BASH_SUBSHELL" -eq 0 ] && printf "dind.sh: stopped: \"%s\" failed (exit %d, line %d)\n" "$BASH_COMMAND" "$rc" "$LINENO" >&2' ERR

here=$(cd "$(dirname "$0")" && pwd)
name=${DIND_NAME:-socketlab-dind}
subnet=${DIND_SUBNET:-10.231.0.0/24}
ip=${DIND_IP:-${subnet%.*}.2}
say() { printf 'dind.sh: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

# shellcheck source=deploy/dind-lib.sh
. "$here/dind-lib.sh"

up() {
	dind_image
	if ! dind_running "$name"; then
		docker network inspect "$name" >/dev/null 2>&1 ||
			docker network create --subnet "$subnet" "$name" >/dev/null ||
			die "cannot make the network $name on $subnet (taken? set DIND_SUBNET)"
		say "starting $name ($dind_tag) at $ip"
		dind_start "$name" docker "$name" "$ip"
	fi
	local after
	if after=$(dind_wait "$ip" 60); then
		say "engine $(docker -H "tcp://$ip:2375" info --format '{{.ServerVersion}} ({{.Driver}})') answers at tcp://$ip:2375 (after ${after}s)"
		echo "tcp://$ip:2375"
		return
	fi
	docker logs --tail 30 "$name" >&2 || true
	die "the engine in $name did not answer on tcp://$ip:2375 within 60s"
}

down() {
	docker rm -f "$name" >/dev/null 2>&1 || true
	docker network rm "$name" >/dev/null 2>&1 || true
}

case "${1:-}" in
up) up ;;
down) down ;;
purge)
	down
	docker volume rm "$name" >/dev/null 2>&1 || true
	docker image rm "$dind_tag" >/dev/null 2>&1 || true
	;;
*)
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
