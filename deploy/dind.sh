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
trap 'rc=$?; [ "$BASH_SUBSHELL" -eq 0 ] && printf "dind.sh: stopped: \"%s\" failed (exit %d, line %d)\n" "$BASH_COMMAND" "$rc" "$LINENO" >&2' ERR

here=$(cd "$(dirname "$0")" && pwd)
name=${DIND_NAME:-socketlab-dind}
subnet=${DIND_SUBNET:-10.231.0.0/24}
ip=${DIND_IP:-${subnet%.*}.2}
tag=socketlab/dind:trixie
say() { printf 'dind.sh: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

# The engine this script drives is the machine's own, whatever DOCKER_HOST
# says: the second engine runs on the first.
unset DOCKER_HOST DOCKER_CONTEXT

image() {
	local tarball key have
	tarball=$(bash "$here/engine/debian-root.sh" trixie docker.io,iptables,ca-certificates) ||
		die "could not make the engine's Debian root (deploy/engine/debian-root.sh)"
	key=$(basename "$tarball" .tar)
	have=$(docker image inspect -f '{{index .Config.Labels "org.socketlab.root"}}' "$tag" 2>/dev/null || true)
	[ "$have" = "$key" ] && return
	say "building $tag from $tarball"
	docker import \
		-c "LABEL org.socketlab.root=$key" \
		-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		-c 'VOLUME /var/lib/docker' \
		-c 'ENTRYPOINT ["dockerd","-H","tcp://0.0.0.0:2375","-H","unix:///var/run/docker.sock","--tls=false"]' \
		-m "socketlab: Debian 13's docker.io, a second engine for tests (deploy/dind.sh)" \
		"$tarball" "$tag" >/dev/null
}

up() {
	image
	if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null || true)" != true ]; then
		docker rm -f "$name" >/dev/null 2>&1 || true
		docker network inspect "$name" >/dev/null 2>&1 ||
			docker network create --subnet "$subnet" "$name" >/dev/null ||
			die "cannot make the network $name on $subnet (taken? set DIND_SUBNET)"
		say "starting $name ($tag) at $ip"
		docker run -d --name "$name" --hostname docker --privileged \
			--network "$name" --ip "$ip" \
			-v "$name:/var/lib/docker" \
			"$tag" >/dev/null
	fi
	local i
	for i in $(seq 1 60); do
		if docker -H "tcp://$ip:2375" info >/dev/null 2>&1; then
			say "engine $(docker -H "tcp://$ip:2375" info --format '{{.ServerVersion}} ({{.Driver}})') answers at tcp://$ip:2375 (after ${i}s)"
			echo "tcp://$ip:2375"
			return
		fi
		sleep 1
	done
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
	docker image rm "$tag" >/dev/null 2>&1 || true
	;;
*)
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
