#!/usr/bin/env bash
# test.sh proves that the devcontainer works with no image registry: it builds
# the devcontainer's base here (deploy/setup.sh --devcontainer-base, from this
# machine's Debian mirror), brings the devcontainer up with the Dev Containers
# CLI on a fresh copy of the repository, and runs the README's two commands in
# it: bash deploy/setup.sh, then docker compose up (with --exit-code-from
# laptop-b, so that it ends: just check). The lecture's transcript must be in
# the output, and a call from inside the devcontainer to 127.0.0.1:8000, as
# telnet makes it, must be echoed. Its container goes afterwards; its volumes
# stay (the engine's images, setup's cached roots), so the next run is warm.
#
#   bash .devcontainer/test.sh     (.ci/run runs it; root, Docker, debootstrap,
#                                   and the CLI: npm install -g @devcontainers/cli)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
ws=${DEVCONTAINER_TEST_DIR:-/tmp/socketlab-devcontainer-test}
label=org.socketlab.test=devcontainer
start=$SECONDS
say() { printf '\n==> [devcontainer %ds] %s\n' "$((SECONDS - start))" "$*"; }
fail() {
	printf '\ndevcontainer test: FAIL after %ds: %s\n' "$((SECONDS - start))" "$*" >&2
	exit 1
}
command -v devcontainer >/dev/null || fail "no devcontainer CLI (npm install -g @devcontainers/cli)"

cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=$label")
	# shellcheck disable=SC2086 # one id per word
	[ -z "$ids" ] || docker rm -f $ids >/dev/null
}
trap cleanup EXIT

say "bash deploy/setup.sh --devcontainer-base   (its base from this machine's Debian mirror: no registry)"
bash "$repo/deploy/setup.sh" --devcontainer-base || fail "deploy/setup.sh --devcontainer-base"
export DEVCONTAINER_BASE=socketlab/devcontainer-base:trixie

say "a fresh copy of the repository in $ws (its files as a clone has them, no .env)"
rm -rf "$ws"
mkdir -p "$ws"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf -) | tar -C "$ws" -xf -

# The machine's own TLS trust, where its environment names one (a proxy that
# inspects TLS): Go in the devcontainer fetches go.mod's release through it.
ca_up=() ca_env=()
if [ -n "${SSL_CERT_FILE:-}" ] && [ -r "$SSL_CERT_FILE" ]; then
	ca_up=(--mount "type=bind,source=$SSL_CERT_FILE,target=/etc/ssl/socketlab-machine-ca.pem")
	ca_env=(--remote-env SSL_CERT_FILE=/etc/ssl/socketlab-machine-ca.pem)
fi
in_dc() { devcontainer exec --workspace-folder "$ws" --id-label "$label" "${ca_env[@]}" bash -lc "$1"; }

say "devcontainer up --workspace-folder $ws"
log=$(mktemp)
if ! devcontainer up --workspace-folder "$ws" --id-label "$label" --remove-existing-container \
	"${ca_up[@]}" "${ca_env[@]}" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	fail "devcontainer up"
fi
grep -o '"outcome":"[a-z]*"' "$log" || true
rm -f "$log"

say "in it: bash deploy/setup.sh"
in_dc 'bash deploy/setup.sh' || fail "bash deploy/setup.sh in the devcontainer"

say "in it: docker compose up --exit-code-from laptop-b   (just check)"
out=$(mktemp)
if ! in_dc 'COMPOSE_ANSI=never docker compose up --build --exit-code-from laptop-b' 2>&1 | tee "$out"; then
	fail "docker compose up in the devcontainer: laptop-b did not exit 0"
fi
a=172.28.5.10 b=172.28.5.20
for want in \
	"laptop-a-1  | server listening at $a:8000" \
	"laptop-a-1  | call from $b:" \
	"laptop-b-1  | Trying $a..." \
	"laptop-b-1  | hello" \
	"laptop-b-1  | hi back atcha" \
	"laptop-b-1  | Connection closed by foreign host." \
	"laptop-b-1 exited with code 0"; do
	grep -qF -- "$want" "$out" || fail "the transcript in the devcontainer lacks: $want"
done
rm -f "$out"

say "in it: a call to 127.0.0.1:8000, as telnet localhost 8000 makes it"
got=$(in_dc 'docker compose up -d --wait laptop-a >/dev/null 2>&1 &&
	exec 3<>/dev/tcp/127.0.0.1/8000 && read -r greeting <&3 && echo "hi from the devcontainer" >&3 &&
	read -r echo <&3 && echo "$greeting|$echo"; rc=$?; docker compose down >/dev/null 2>&1; exit $rc') ||
	fail "no call to 127.0.0.1:8000 in the devcontainer"
[ "$got" = "hello|hi from the devcontainer" ] || fail "the call in the devcontainer got: $got"
echo "$got"

say "PASS: the devcontainer ran the README's two commands with no registry ($((SECONDS - start))s)"
