#!/usr/bin/env bash
# start-docker.sh starts the devcontainer's own Docker engine, Debian's
# dockerd, when it is not running: devcontainer.json runs it at each start
# (postStartCommand). It is what the docker-in-docker feature does, without
# pulling that feature from a registry. The container runs --privileged, and
# /var/lib/docker is a volume (an engine's layers cannot sit on the
# container's own overlay filesystem).
set -euo pipefail

if docker info >/dev/null 2>&1; then
	echo "start-docker.sh: the docker engine is running"
	exit 0
fi
# cgroup v2 (Codespaces): an engine in a container may hand controllers to
# its containers only from a group with no process of its own, so this
# container's processes move into a child group first, as moby's dind
# script does.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	mkdir -p /sys/fs/cgroup/init
	xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
	sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
fi
# A dockerd killed with its container leaves its pid file in the volume's
# neighbour /var/run: a new one starts anyway.
rm -f /var/run/docker.pid
setsid nohup dockerd >/var/log/dockerd.log 2>&1 </dev/null &
for _ in $(seq 1 60); do
	if docker info >/dev/null 2>&1; then
		echo "start-docker.sh: the docker engine is up ($(docker info --format '{{.ServerVersion}}, {{.Driver}}'))"
		exit 0
	fi
	sleep 1
done
tail -n 30 /var/log/dockerd.log >&2 || true
echo "start-docker.sh: dockerd did not start within 60s (log above, /var/log/dockerd.log)" >&2
exit 1
