#!/usr/bin/env bash
# fresh_test.sh is the README's promise on a bare machine, timed: a clean
# Debian 12 or 13 root (deploy/engine/debian-root.sh: no Docker, no Go, no
# just) in a privileged container of its own, a copy of the repository in it,
# then the README's two commands: `bash deploy/setup.sh` (Docker from Debian's
# packages, started; Go; the base images by debootstrap, with an empty cache)
# and `docker compose up` (here with --exit-code-from laptop-b, so that it
# ends). The lecture's transcript must come out. Its container and volume go
# afterwards.
#
#   bash deploy/engine/fresh_test.sh [bookworm] [trixie]     (root, Docker, debootstrap)
#
# Not in .ci/run: it makes every root anew, 6 to 12 minutes a release on a
# 2-core machine. The figures are in deploy/engine/README.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
releases=("$@")
[ ${#releases[@]} -gt 0 ] || releases=(bookworm trixie)
failed=0
name=""
cleanup() {
	[ -z "$name" ] || docker rm -f -v "$name" >/dev/null 2>&1 || true
}
trap cleanup EXIT

for release in "${releases[@]}"; do
	start=$SECONDS
	printf '\n--- %s: a bare Debian in a container\n' "$release"
	tarball=$(bash "$here/debian-root.sh" "$release")
	image="socketlab/fresh-test:$release-$(basename "$tarball" .tar | sed 's/^debian-[a-z]*-//')"
	docker image inspect "$image" >/dev/null 2>&1 || docker import "$tarball" "$image" >/dev/null
	name=socketlab-fresh-test-$release
	docker rm -f -v "$name" >/dev/null 2>&1 || true
	# The machine's own CA certificates, for Go's download (a bare root has
	# none; behind a proxy that inspects TLS, SSL_CERT_FILE names the bundle).
	ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
	docker run -d --name "$name" --privileged -v /var/lib/docker \
		-v "$ca:/etc/ssl/socketlab-machine-ca.pem:ro" -e SSL_CERT_FILE=/etc/ssl/socketlab-machine-ca.pem \
		-e PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		"$image" sleep infinity >/dev/null
	(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf -) |
		docker exec -i "$name" sh -c 'mkdir -p /root/socketlab && tar -C /root/socketlab -xf -'

	printf '\n--- %s: bash deploy/setup.sh\n' "$release"
	t0=$SECONDS
	if ! docker exec -w /root/socketlab "$name" bash deploy/setup.sh; then
		echo "FAIL: $release: deploy/setup.sh" >&2
		failed=1
		continue
	fi
	setup_s=$((SECONDS - t0))

	printf '\n--- %s: docker compose up --exit-code-from laptop-b\n' "$release"
	t0=$SECONDS
	out=$(docker exec -w /root/socketlab -e COMPOSE_ANSI=never "$name" docker compose up --build --exit-code-from laptop-b 2>&1) || {
		echo "$out" | tail -n 30 >&2
		echo "FAIL: $release: docker compose up" >&2
		failed=1
		continue
	}
	up_s=$((SECONDS - t0))
	# compose clears each log line first (ESC [2K), even with COMPOSE_ANSI=never.
	out=$(sed 's/\x1b\[[0-9;]*K//g' <<<"$out")
	echo "$out" | grep -E '^(laptop-|Attaching)' || true
	for want in "laptop-a-1  | server listening at 172.28.5.10:8000" "laptop-b-1  | hi back atcha" "laptop-b-1 exited with code 0"; do
		grep -qF -- "$want" <<<"$out" || {
			echo "FAIL: $release: the transcript lacks: $want" >&2
			failed=1
		}
	done
	printf '%s: bare machine to transcript in %ds: setup.sh %ds, docker compose up %ds\n' \
		"$release" "$((SECONDS - start))" "$setup_s" "$up_s"
	docker rm -f -v "$name" >/dev/null
	name=""
done
[ "$failed" -eq 0 ] || {
	echo "fresh_test.sh: FAIL" >&2
	exit 1
}
echo "fresh_test.sh: PASS (${releases[*]})"
