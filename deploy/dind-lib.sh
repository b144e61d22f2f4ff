# shellcheck shell=bash disable=SC2154 # here, say and die: the sourcing script's
# dind-lib.sh: starting Docker engines in containers on this machine, shared
# by deploy/dind.sh (one engine, for tests against a remote engine) and
# deploy/swarm/nodes.sh (several, formed into a Swarm). Sourced, not run:
# the caller sets `here` (this folder), and defines say and die.
#
# Every engine is Debian 13's own docker.io in a root made by debootstrap
# from this machine's Debian mirror (engine/debian-root.sh, cached by
# content), imported as socketlab/dind:trixie: nothing is pulled. It runs
# --privileged (a Docker engine needs it, as GitLab's dind service does),
# keeps its images in a volume named after its container, and listens on
# tcp port 2375 without TLS: reachable from this machine only, through the
# bridge it is on; nothing is published.

dind_tag=socketlab/dind:trixie

# The engines this file drives are the machine's own, whatever DOCKER_HOST
# says: the second engine runs on the first.
unset DOCKER_HOST DOCKER_CONTEXT

# dind_image builds socketlab/dind:trixie unless it is there already, made
# from the same Debian root (its label names the root's cached tarball).
dind_image() {
	local tarball key have
	tarball=$(bash "$here/engine/debian-root.sh" trixie docker.io,iptables,ca-certificates) ||
		die "could not make the engine's Debian root (deploy/engine/debian-root.sh)"
	key=$(basename "$tarball" .tar)
	have=$(docker image inspect -f '{{index .Config.Labels "org.socketlab.root"}}' "$dind_tag" 2>/dev/null || true)
	[ "$have" = "$key" ] && return
	say "building $dind_tag from $tarball"
	docker import \
		-c "LABEL org.socketlab.root=$key" \
		-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		-c 'VOLUME /var/lib/docker' \
		-c 'ENTRYPOINT ["dockerd","-H","tcp://0.0.0.0:2375","-H","unix:///var/run/docker.sock","--tls=false"]' \
		-m "socketlab: Debian 13's docker.io, a second engine for tests (deploy/dind.sh)" \
		"$tarball" "$dind_tag" >/dev/null
}

# dind_running NAME: the engine's container is up.
dind_running() {
	[ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null || true)" = true ]
}

# dind_start NAME HOSTNAME NETWORK IP [docker run flags...]: start an engine
# at IP on NETWORK (which exists), its images in the volume NAME. A stopped
# container of that name is removed first: a killed engine's pid file stays
# in its container and keeps it from starting again.
dind_start() {
	local name=$1 hostname=$2 network=$3 ip=$4
	shift 4
	docker rm -f "$name" >/dev/null 2>&1 || true
	docker run -d --name "$name" --hostname "$hostname" --privileged "$@" \
		--network "$network" --ip "$ip" \
		-v "$name:/var/lib/docker" \
		"$dind_tag" >/dev/null
}

# dind_wait IP SECONDS: wait until the engine at IP answers; prints how many
# seconds it took, or fails after SECONDS.
dind_wait() {
	local i
	for i in $(seq 1 "$2"); do
		if docker -H "tcp://$1:2375" info >/dev/null 2>&1; then
			echo "$i"
			return
		fi
		sleep 1
	done
	return 1
}
