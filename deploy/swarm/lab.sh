#!/usr/bin/env bash
# lab.sh runs the lecture's exercise across two machines of a Docker Swarm:
# laptop-a (the server) on one node, laptop-b (the client) on another, on an
# attachable overlay network with the lecture's addresses, and prints both
# sides' logs as `docker compose up` does. Run it where DOCKER_HOST (or the
# docker context) names a Swarm manager. `just swarm-up`, `just swarm-down`,
# `just swarm-my-server FILE`.
#
#   deploy/swarm/lab.sh up         load the images onto the two nodes, run the
#                                  lab, print the transcript; laptop-a keeps serving
#   deploy/swarm/lab.sh my-server  laptop-a runs the student's server (STUDENT_DIR,
#                                  STUDENT_FILE, as deploy/compose/my-server.yaml),
#                                  laptop-b grades it; exits with laptop-b's code
#   deploy/swarm/lab.sh down       remove the laptops and the overlays
#
# NODES: the two engines to run on, laptop-a's first, as DOCKER_HOST values
# (ssh://user@pc2 works, as with any docker command). Unset, they are the
# Swarm's first two Ready nodes at <node address>:2375, which is how
# deploy/swarm/nodes.sh's engines listen (a classroom's PCs do not: set NODES).
# LAB_SUBNET, LAPTOP_A_IP, LAPTOP_B_IP, HOST_PORT as in compose.yaml; SIDE_SUBNET,
# LAPTOP_A_SIDE_IP, LAPTOP_B_SIDE_IP, STUDENT_* as in my-server.yaml.
# ENCRYPT: auto (default: encrypt if the nodes' kernel passes encrypted
# traffic, say so if not; probed once per Swarm), probe (probe again), yes, no. IMAGES_FROM: the engine where the lab's
# images were built (default: this machine's own, where the recipes build).
set -euo pipefail

subnet=${LAB_SUBNET:-172.28.5.0/24}
a_ip=${LAPTOP_A_IP:-172.28.5.10}
b_ip=${LAPTOP_B_IP:-172.28.5.20}
side_subnet=${SIDE_SUBNET:-172.28.6.0/24}
a_side=${LAPTOP_A_SIDE_IP:-172.28.6.10}
b_side=${LAPTOP_B_SIDE_IP:-172.28.6.20}
port=${HOST_PORT:-8000}
net=socketlab-swarm-lab
side=socketlab-swarm-side
a=socketlab-swarm-laptop-a
b=socketlab-swarm-laptop-b
student=socketlab-swarm/student:latest
laptop=socketlab/laptop:swarm
say() { printf 'swarm: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}
# The hardening of compose.yaml's x-hardened, for every container here.
hardened=(--read-only --cap-drop ALL --security-opt no-new-privileges:true --memory 128m --pids-limit 64 --pull never)
side_on=false # my-server's second network, as a laptop has Wi-Fi and a cable

nodes() {
	if [ -n "${NODES:-}" ]; then
		read -r -a hosts <<<"$NODES"
	else
		mapfile -t hosts < <(docker node ls -q --filter role=worker | xargs -r docker node inspect -f '{{if eq .Status.State "ready"}}tcp://{{.Status.Addr}}:2375{{end}}' | grep . | head -1)
		local self
		self=$(docker info -f '{{.Swarm.NodeAddr}}')
		hosts=("tcp://$self:2375" "${hosts[@]}")
	fi
	[ "${#hosts[@]}" -ge 2 ] || die "the lab needs two nodes: this Swarm has one Ready node (set NODES to two DOCKER_HOSTs)"
	A=${hosts[0]}
	B=${hosts[1]}
}

# load IMAGE HOST: copy IMAGE from IMAGES_FROM to HOST's engine unless HOST
# has it already. Nothing comes from a registry.
load() {
	local want have
	want=$(DOCKER_HOST=$from docker image inspect -f '{{.Id}}' "$1" 2>/dev/null) ||
		die "$1 is not on $from: build it there first (the just recipe does)"
	have=$(docker -H "$2" image inspect -f '{{.Id}}' "$1" 2>/dev/null || true)
	[ "$want" = "$have" ] && return
	say "loading $1 onto ${2#*://} ($(DOCKER_HOST=$from docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.1f MB", $1/1e6}'))"
	DOCKER_HOST=$from docker save "$1" | docker -H "$2" load >/dev/null
}

# probe prints yes if an encrypted overlay passes traffic between the two
# nodes, else no. It needs IPsec (ESP) in the nodes' kernel; without it the
# network is made but passes nothing. One short call on a small overlay of its
# own (PROBE_SUBNET) tells, in about 2 s when it works and 8 s when not.
probe() {
	local p=socketlab-swarm-probe ps=${PROBE_SUBNET:-10.216.0.0/24} ok=no
	docker network create -d overlay --attachable --internal --opt encrypted --subnet "$ps" --ip-range "${ps%.*}.128/25" "$p" >/dev/null 2>&1 || true
	docker -H "$A" rm -f socketlab-swarm-probe-a >/dev/null 2>&1 || true
	# Where IPsec is missing, even starting a container on the encrypted
	# overlay hangs (20 s here): both steps are cut short.
	if docker -H "$A" run -d --name socketlab-swarm-probe-a "${hardened[@]}" --network "$p" --ip "${ps%.*}.2" \
		socketlab/server:local -iface eth0 >/dev/null 2>&1 &&
		timeout 5 docker -H "$B" run -d --name socketlab-swarm-probe-b "${hardened[@]}" --network "$p" --ip "${ps%.*}.3" \
			socketlab/client:local -wait 3s -timeout 1s -send probe -expect-echo "${ps%.*}.2" >/dev/null 2>&1 &&
		[ "$(timeout 6 docker -H "$B" wait socketlab-swarm-probe-b 2>/dev/null)" = 0 ]; then
		ok=yes
	fi
	docker -H "$A" rm -f socketlab-swarm-probe-a >/dev/null 2>&1 || true
	docker -H "$B" rm -f socketlab-swarm-probe-b >/dev/null 2>&1 || true
	echo "$ok"
}

# overlay NAME SUBNET [flags]: make one of the lab's networks: internal, so
# that nothing on it has a route beyond the lab (a student's code included),
# and attachable, so that a container started by hand on any node can call
# laptop-a. Its own addresses (each node's load balancer, containers without
# a fixed one) come from the subnet's upper half, so they never take the
# laptops' fixed ones. An overlay a moment ago removed may still be going
# away: wait for it.
overlay() {
	local name=$1 sub=$2 k
	shift 2
	for k in $(seq 1 40); do
		docker network create -d overlay --internal --attachable --subnet "$sub" --ip-range "${sub%.*}.128/25" "$@" "$name" >/dev/null 2>&1 && break
		if [ "$k" = 40 ]; then
			docker network inspect "$name" >/dev/null 2>&1 &&
				die "the overlay $name of the last lab is still in use: a node that went away keeps its addresses until it is back (docker node ls: a node Down? docker node rm --force it, or start it again)"
			die "cannot make the overlay $name on $sub: docker network ls; is the subnet taken?"
		fi
		sleep 0.5
	done
	# The manager allocates it a moment later; until then a worker cannot
	# attach to it ("not found"). A subnet that overlaps another overlay's
	# is never allocated.
	for k in $(seq 1 40); do
		[ -n "$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$name" 2>/dev/null)" ] && return
		sleep 0.25
	done
	die "the Swarm did not set up the overlay $name on $sub within 10 s: does the subnet overlap another overlay's? (docker network ls)"
}

# networks probes the encryption, says which, and makes the overlays. The
# probe's answer is kept on the manager's node (a label), so it is asked
# once per Swarm: ENCRYPT=probe asks again.
networks() {
	local enc=${ENCRYPT:-auto} opt=() label=org.socketlab.ipsec
	if [ "$enc" = auto ]; then
		enc=$(docker node inspect self -f "{{index .Spec.Labels \"$label\"}}" 2>/dev/null || true)
	fi
	if [ "$enc" != yes ] && [ "$enc" != no ]; then
		enc=$(probe)
		docker node update --label-add "$label=$enc" self >/dev/null 2>&1 || true
	fi
	if [ "$enc" = yes ]; then
		say "the overlay is encrypted (IPsec between the nodes)"
		opt=(--opt encrypted)
	else
		say "the overlay is NOT encrypted: $([ "${ENCRYPT:-auto}" = no ] && echo "ENCRYPT=no" || echo "the nodes' kernel passes no encrypted (IPsec) traffic (ENCRYPT=probe tries again)")"
	fi
	overlay "$net" "$subnet" "${opt[@]}"
	! $side_on || overlay "$side" "$side_subnet" "${opt[@]}"
}

# knows HOST NET IP: HOST's engine has learned that IP's container on NET.
knows() {
	docker -H "$1" network inspect -v -f '{{json .Services}}' "$2" 2>/dev/null | grep -qF "\"EndpointIP\":\"$3\""
}

# holder HOST NAME HOSTNAME IP SIDE_IP [flags]: start the container that
# holds a laptop's network on its node, its addresses, so that the laptop
# starts only once both nodes know them; the laptop then runs in the
# holder's network (--network container:NAME), as a pod's containers do.
# The holder runs a call to its own loopback that never answers: it sends
# nothing on the lab and listens nowhere. The side overlay is connected
# once it runs: an engine given two Swarm overlays at once looks the first
# up before it has it, in random order ("network ... not found").
holder() {
	local host=$1 name=$2 hn=$3 ip=$4 side_ip=$5 k
	shift 5
	for k in 1 2 3; do
		docker -H "$host" rm -f "$name" >/dev/null 2>&1 || true
		if docker -H "$host" run -d --name "$name" --hostname "$hn" "${hardened[@]}" --network "$net" --ip "$ip" "$@" \
			socketlab/client:local -wait 1h 127.0.0.1 9 >/dev/null &&
			{ ! $side_on || docker -H "$host" network connect --ip "$side_ip" "$side" "$name"; }; then
			return
		fi
		sleep 1
	done
	die "could not start $name on its node: docker -H $host ps -a"
}

# holders starts both, laptop-a's with its published port, as compose.yaml
# publishes it: never beyond the node's loopback. On an internal overlay
# Docker makes no rule for it at all, so only containers on the overlay
# reach laptop-a.
holders() {
	holder "$A" "$a-net" laptop-a "$a_ip" "$a_side" -p "127.0.0.1:$port:8000"
	holder "$B" "$b-net" laptop-b "$b_ip" "$b_side"
}

# converge waits until each node knows the other laptop's addresses, so
# laptop-b's first call goes through. The nodes tell each other by gossip
# (7946/udp): a node that joins an overlay before it has heard that the
# other node is on it asks nobody for the overlay's addresses, and learns
# them only at the next full exchange, up to 30 s later ("host
# unreachable" meanwhile). Starting the holders again makes both nodes
# join again and ask each other, which they know of by then.
converge() {
	local t
	for t in $(seq 1 120); do
		if knows "$B" "$net" "$a_ip" && knows "$A" "$net" "$b_ip" &&
			{ ! $side_on || { knows "$B" "$side" "$a_side" && knows "$A" "$side" "$b_side"; }; }; then
			return
		fi
		if [ $((t % 10)) = 0 ]; then
			[ "$t" != 10 ] || say "the nodes have not yet learned each other's addresses on the overlay; joining them again"
			holders
		fi
		sleep 0.5
	done
	die "the two nodes did not learn each other's addresses on the overlay within 60 s: is 7946/tcp+udp open between them? (deploy/swarm/README.md, what goes wrong)"
}

# transcript prints both sides' logs in time order, prefixed as docker
# compose prints them, then laptop-b's exit code.
transcript() {
	{
		docker -H "$A" logs -t "$a" 2>&1 | sed 's/^/laptop-a  | /'
		docker -H "$B" logs -t "$b" 2>&1 | sed 's/^/laptop-b  | /'
	} | sort -s -k3,3 | sed -E 's/^(laptop-.  \| )[^ ]+ /\1/'
	echo "laptop-b exited with code $1"
}

start() {
	[ "$(docker info -f '{{.Swarm.ControlAvailable}}')" = true ] ||
		die "this engine is not a Swarm manager: point DOCKER_HOST at one (see deploy/swarm/README.md)"
	nodes
	from=${IMAGES_FROM:-unix:///var/run/docker.sock}
	load socketlab/server:local "$A"
	load socketlab/client:local "$A" # the holders run it
	load socketlab/client:local "$B"
}

up() {
	start
	down 2>/dev/null
	networks
	holders
	converge
	docker -H "$A" run -d --name "$a" "${hardened[@]}" --network "container:$a-net" socketlab/server:local -iface eth0 >/dev/null
	local rc=0
	docker -H "$B" run --name "$b" "${hardened[@]}" --network "container:$b-net" socketlab/client:local \
		-wait 30s -send "hi back atcha" -expect-echo "$a_ip" >/dev/null 2>&1 || rc=$?
	transcript "$rc"
	docker -H "$B" rm -f "$b" "$b-net" >/dev/null
	[ "$rc" = 0 ] || die "laptop-b could not call laptop-a across the nodes (exit $rc): see deploy/swarm/README.md, what goes wrong"
	say "laptop-a keeps serving on the overlay; to call it yourself, on any node: docker run --rm -it --network $net socketlab/client:local $a_ip (just swarm-down to stop)"
}

# shellcheck source=deploy/swarm/relay.sh
. "$(dirname "$0")/relay.sh"

# my_server runs the student's server as laptop-a, as deploy/compose/my-server.yaml
# does on one host: the laptop image with the student's folder in it (built
# on node A from the laptop image, so only the folder travels), supervised
# by `client student run`, on the lab's and the side overlay, and laptop-b's
# `student check` on node B.
my_server() {
	local dir=${STUDENT_DIR:?set STUDENT_DIR to the folder of the program} rc=0
	[ -d "$dir" ] || die "no folder $dir"
	side_on=true
	start
	load "$laptop" "$A"
	down 2>/dev/null
	# The folder as the image's /student: root's, 0755, as my-server.yaml's COPY.
	printf 'FROM %s\nCOPY --chown=0:0 --chmod=0755 . /student/\n' "$laptop" |
		docker -H "$A" build -q -t "$student" -f - "$dir" >/dev/null ||
		die "could not build laptop-a's image from $dir on node A"
	networks
	report "$A"
	report "$B"
	holders
	converge
	# shellcheck disable=SC2086 # STUDENT_CMD is a command line, split as compose does
	docker -H "$A" run -d --name "$a" "${hardened[@]}" --network "container:$a-net" \
		--memory "${STUDENT_MEM:-128m}" --pids-limit "${STUDENT_PIDS:-64}" --cpus 1.0 \
		--tmpfs "/tmp:size=${STUDENT_TMP:-16m},mode=1777,exec" -v socketlab-swarm-report:/report -w /student \
		--entrypoint /usr/local/bin/client "$student" student run -report /report/laptop-a.json \
		-role server -file "${STUDENT_FILE:-}" -args "${STUDENT_ARGS:-}" -- ${STUDENT_CMD:-} >/dev/null
	docker -H "$B" create --name "$b" "${hardened[@]}" --network "container:$b-net" -v socketlab-swarm-report:/report \
		socketlab/client:local student check -report /report/laptop-a.json -not-on "$a_side" "$a_ip" >/dev/null
	docker -H "$B" start "$b" >/dev/null
	relay "$A" "$a" "$B" "$b" &
	rc=$(docker -H "$B" wait "$b")
	wait
	transcript "$rc"
	down 2>/dev/null
	return "$rc"
}

down() {
	nodes
	# On both nodes, all of them: a node that went away during a lab still
	# has its laptop when it comes back.
	local h
	for h in "$A" "$B"; do
		docker -H "$h" rm -f "$a" "$a-net" "$b" "$b-net" socketlab-swarm-probe-a socketlab-swarm-probe-b >/dev/null 2>&1 || true
	done
	docker -H "$A" image rm "$student" >/dev/null 2>&1 || true
	# An overlay can be removed only once its last container has left it on
	# every node, which the Swarm learns a few seconds later; and a node
	# forgets it a moment after that: until then, a new overlay of the same
	# name is "not found" there.
	local k n
	for n in "$net" "$side" socketlab-swarm-probe; do
		for k in $(seq 1 40); do
			docker network inspect "$n" >/dev/null 2>&1 || break
			docker network rm "$n" >/dev/null 2>&1 && break
			[ "$k" -lt 40 ] || say "the overlay $n is still in use; docker network rm $n later"
			sleep 0.5
		done
		for h in "$A" "$B"; do
			for k in $(seq 1 20); do
				docker -H "$h" network inspect "$n" >/dev/null 2>&1 || break
				sleep 0.5
			done
		done
	done
	docker -H "$A" volume rm socketlab-swarm-report >/dev/null 2>&1 || true
	docker -H "$B" volume rm socketlab-swarm-report >/dev/null 2>&1 || true
}

case "${1:-}" in
up) up ;;
my-server) my_server ;;
down) down ;;
*)
	sed -n '2,24p' "$0" >&2
	exit 2
	;;
esac
