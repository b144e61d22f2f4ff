# shellcheck shell=bash
# relay.sh: the report's folder across two nodes, for deploy/swarm/lab.sh
# my-server (sourced). On one host, laptop-a's supervisor and laptop-b's
# checker share a small in-memory volume (deploy/compose/my-server.yaml's
# `report`): the supervisor writes how the program is doing, and answers
# laptop-b's request to grade the program where only laptop-a can call it
# (its own loopback). Two machines share no volume, so each laptop gets one
# on its own node and this relay copies the files between them with docker
# cp: the report and the answer from laptop-a to laptop-b, each new request
# from laptop-b to laptop-a. Nothing else travels, and only through the
# engines, never the lab's network.

# report HOST: the in-memory report volume on HOST's engine, as
# my-server.yaml's: 1 MB, owned by the laptops' user.
report() {
	docker -H "$1" volume rm socketlab-swarm-report >/dev/null 2>&1 || true
	docker -H "$1" volume create --opt type=tmpfs --opt device=tmpfs \
		--opt o=size=1m,uid=65532,gid=65532,mode=0755 socketlab-swarm-report >/dev/null
}

# relay A_HOST A_NAME B_HOST B_NAME: copy until container B_NAME has ended.
relay() {
	local ah=$1 an=$2 bh=$3 bn=$4 f asked="" req
	while [ "$(docker -H "$bh" inspect -f '{{.State.Running}}' "$bn" 2>/dev/null)" = true ]; do
		for f in laptop-a.json grade-there.json; do
			docker -H "$ah" cp "$an:/report/$f" - 2>/dev/null | docker -H "$bh" cp - "$bn:/report/" 2>/dev/null || true
		done
		# A request is copied once: the supervisor removes it when read,
		# and laptop-b's copy stays where it was written.
		req=$(docker -H "$bh" cp "$bn:/report/grade-there-request.json" - 2>/dev/null | base64 -w0 || true)
		if [ -n "$req" ] && [ "$req" != "$asked" ]; then
			base64 -d <<<"$req" | docker -H "$ah" cp - "$an:/report/" 2>/dev/null && asked=$req
		fi
		sleep 0.2
	done
}
