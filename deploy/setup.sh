#!/usr/bin/env bash
# setup.sh prepares a machine for socketlab: the one command a bare Debian
# machine needs before `docker compose up` and `go test ./...`.
#
#   deploy/setup.sh            install and start Docker (Engine, Compose v2, buildx), install just
#   deploy/setup.sh --offline  also build a local Go toolchain image from this machine's GOROOT
#                              and point .env at it (no image registry needed: air-gapped rooms, CI)
#   deploy/setup.sh --go-image-only   only that last step (`just offline`)
#
# Every step is skipped when it is already done, so running it twice is harmless,
# and on a machine that already has a working Docker it changes nothing.
set -euo pipefail

offline=false
only_image=false
[ "${SOCKETLAB_ONLY_GO_IMAGE:-}" = 1 ] && only_image=true
for arg in "$@"; do
	case "$arg" in
	--offline) offline=true ;;
	--go-image-only) only_image=true ;;
	-h | --help)
		sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "setup.sh: unknown argument: $arg (try --help)" >&2
		exit 2
		;;
	esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
say() { printf '==> %s\n' "$*"; }
die() {
	printf 'setup.sh: %s\n' "$*" >&2
	exit 1
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# debian_uri is the mirror this machine already uses, so that no registry
# host name is ever written into the repo.
debian_uri() {
	local f=/etc/apt/sources.list.d/debian.sources
	if [ -r "$f" ]; then
		awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$f"
	elif [ -r /etc/apt/sources.list ]; then
		awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list
	fi
}

install_docker() {
	if command -v dockerd >/dev/null 2>&1 && docker compose version >/dev/null 2>&1 && docker buildx version >/dev/null 2>&1; then
		say "docker engine, compose and buildx already installed"
		return
	fi
	[ -r /etc/os-release ] || die "no /etc/os-release: install Docker by hand (Docker Desktop on a laptop)"
	# shellcheck disable=SC1091
	. /etc/os-release
	[ "${ID:-}" = debian ] || die "this script installs Docker on Debian only (found ${ID:-unknown}); install Docker Desktop or your distribution's docker package"
	local target=()
	case "${VERSION_CODENAME:-}" in
	bookworm)
		# Debian 12's docker.io (20.10) has no Compose v2; trixie's builds need only
		# glibc 2.34, so a pinned low-priority trixie source gives us those three
		# packages without upgrading anything else.
		local uri
		uri=$(debian_uri)
		[ -n "$uri" ] || die "cannot find this machine's Debian mirror in /etc/apt"
		if [ ! -e /etc/apt/sources.list.d/socketlab-trixie.sources ]; then
			say "adding a trixie source (pinned at priority 100) from $uri"
			as_root tee /etc/apt/sources.list.d/socketlab-trixie.sources >/dev/null <<SRC
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
			as_root tee /etc/apt/preferences.d/socketlab-trixie >/dev/null <<PIN
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
		fi
		target=(-t trixie)
		;;
	trixie | forky) ;;
	*) die "Debian ${VERSION_CODENAME:-?} is not supported by this script; use Debian 12 or 13" ;;
	esac
	say "installing docker.io, docker-compose and docker-buildx"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${target[@]}" docker.io docker-compose docker-buildx
}

start_docker() {
	if docker info >/dev/null 2>&1; then
		say "docker engine is running"
		return
	fi
	if [ "$(id -u)" -ne 0 ] && sudo -n docker info >/dev/null 2>&1; then
		die "the docker engine runs but $(id -un) may not use it: sudo usermod -aG docker $(id -un), log in again, rerun"
	fi
	if [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; then
		say "starting docker with systemd"
		as_root systemctl start docker
	else
		say "starting dockerd (no init system runs it); log: /var/log/dockerd.log"
		as_root sh -c 'nohup dockerd >/var/log/dockerd.log 2>&1 &'
	fi
	for _ in $(seq 1 60); do
		docker info >/dev/null 2>&1 && {
			say "docker engine is up"
			return
		}
		sleep 1
	done
	tail -n 30 /var/log/dockerd.log >&2 2>/dev/null || true
	die "the docker engine did not start within 60s"
}

install_just() {
	if command -v just >/dev/null 2>&1; then
		say "just already installed"
	elif command -v npm >/dev/null 2>&1; then
		say "installing just (npm package rust-just)"
		as_root npm install -g --no-fund --no-audit rust-just >/dev/null
	else
		say "no just and no npm: skipping just (every recipe is a plain command in the Justfile)"
	fi
}

# go_image builds a Go toolchain image from this machine's GOROOT, so the
# Dockerfile's build stage needs no registry. The toolchain's binaries are
# static, so a bare import of GOROOT plus an empty /tmp is a working image.
go_image() {
	command -v go >/dev/null 2>&1 || die "--offline needs Go on this machine (its GOROOT becomes the build image)"
	local goroot version tag
	goroot=$(go env GOROOT)
	version=$(go env GOVERSION)
	tag="socketlab/go:${version#go}"
	if docker image inspect "$tag" >/dev/null 2>&1; then
		say "go toolchain image $tag already built"
	else
		say "building go toolchain image $tag from $goroot"
		local tmp
		tmp=$(mktemp -d)
		mkdir -p "$tmp/tmp" "$tmp/usr/local"
		chmod 1777 "$tmp/tmp"
		ln -s "$goroot" "$tmp/usr/local/go"
		tar -C "$tmp" -c --dereference --exclude=usr/local/go/pkg/obj --exclude=usr/local/go/.git tmp usr |
			docker import \
				-c 'ENV PATH=/usr/local/go/bin:/bin' \
				-c 'ENV GOROOT=/usr/local/go' \
				-c 'ENV HOME=/tmp' \
				-c 'ENV GOPATH=/tmp/go' \
				-c 'ENV GOCACHE=/tmp/go-build' \
				-c 'ENV GOTOOLCHAIN=local' \
				-c 'ENV GOPROXY=off' \
				-m "socketlab: Go toolchain from $goroot (setup.sh --offline)" \
				- "$tag" >/dev/null
		rm -rf "$tmp"
	fi
	env_set GO_IMAGE "$tag"
}

# env_set KEY VALUE [WHY] writes KEY=VALUE into the repo's .env (git-ignored),
# which compose reads for ${KEY} in compose.yaml, replacing an earlier value.
env_set() {
	local env="$repo/.env"
	if [ -f "$env" ] && grep -qxF "$1=$2" "$env"; then
		say ".env already has $1=$2"
		return
	fi
	[ -n "${3:-}" ] && say "$3"
	if [ -f "$env" ] && grep -q "^$1=" "$env"; then
		sed -i "s|^$1=.*|$1=$2|" "$env"
	else
		[ -s "$env" ] && [ -n "$(tail -c 1 "$env")" ] && echo >>"$env"
		echo "$1=$2" >>"$env"
	fi
	say "wrote $1=$2 to .env"
}

# nofile_limit: compose.yaml raises the lab's open-files limit to 65536
# (LAB_NOFILE). A container cannot get more than the engine itself has, and
# some engines (a dockerd in a sandbox or a CI container) have less: then the
# lab uses the engine's limit instead of failing to start with
# "error setting rlimit type 7: operation not permitted".
nofile_limit() {
	local pid hard
	pid=$(pgrep -xo dockerd 2>/dev/null) || return 0 # Docker Desktop: the engine is in a VM, and generous
	hard=$(awk '/^Max open files/ {print $5}' "/proc/$pid/limits" 2>/dev/null) || return 0
	case "$hard" in
	'' | *[!0-9]*) return 0 ;; # "unlimited" or unreadable
	esac
	if [ "$hard" -lt 65536 ]; then
		env_set LAB_NOFILE "$hard" "the docker engine may open only $hard files: the lab will use that limit"
	fi
}

if ! $only_image; then
	install_docker
	start_docker
	install_just
	nofile_limit
fi
if $offline || $only_image; then go_image; fi
say "ready: docker compose up    (and: go test ./...)"
