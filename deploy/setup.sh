#!/usr/bin/env bash
# setup.sh prepares a machine for socketlab: the one command a bare Debian
# machine needs before `docker compose up` and `go test ./...`.
#
#   deploy/setup.sh            use the Docker already there, or install Docker Engine, Compose v2
#                              and buildx from Debian's packages; start it; install just
#   deploy/setup.sh --offline  also build a local Go toolchain image from this machine's GOROOT
#                              and point .env at it (no image registry needed: air-gapped rooms, CI)
#                              and a Python base, and the laptop image's base with every language's
#                              toolchain, for a student's own program (debootstrap from this
#                              machine's Debian mirror, cached)
#   deploy/setup.sh --go-image-only   only the Go toolchain image (`just offline`)
#   deploy/setup.sh --python-image-only   only the Python base image (`just offline`)
#   deploy/setup.sh --laptop-image-only   only the laptop base: Python, C, C++, Java, Node.js, Go (`just offline`)
#   deploy/setup.sh --packages-only   only the package step: install, never start (setup's own test)
#   deploy/setup.sh --uninstall       remove exactly what setup added: its packages, source and pin
#
# It never changes a package that is already installed: it shows apt's plan first and refuses
# if the plan would upgrade or remove anything, and compares the package list afterwards.
# Every step is skipped when it is already done, so running it twice is harmless.
set -euo pipefail
# Every way it can stop says why: a command that fails outside die() (in a
# pipeline, a $(...)) names itself and its line instead of ending silently.
set -E
trap 'rc=$?; [ "$BASH_SUBSHELL" -eq 0 ] && printf "%s: stopped: \"%s\" failed (exit %d, line %d)\n" "setup.sh" "$BASH_COMMAND" "$rc" "$LINENO" >&2' ERR

offline=false
only_image=false
only_python=false
only_laptop=false
only_packages=false
uninstall=false
[ "${SOCKETLAB_ONLY_GO_IMAGE:-}" = 1 ] && only_image=true
for arg in "$@"; do
	case "$arg" in
	--offline) offline=true ;;
	--go-image-only) only_image=true ;;
	--python-image-only) only_python=true ;;
	--laptop-image-only) only_laptop=true ;;
	--packages-only) only_packages=true ;;
	--uninstall) uninstall=true ;;
	-h | --help)
		sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
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

# The Docker packages, by their Debian names. containerd comes with them from
# trixie on Debian 12: Engine 25 and later refuse containerd older than 1.6.22.
docker_pkgs=(docker.io docker-cli docker-compose docker-buildx containerd)

# What setup adds is recorded here, so that --uninstall removes exactly that.
state=/var/lib/socketlab-setup
trixie_source=/etc/apt/sources.list.d/socketlab-trixie.sources
trixie_pin=/etc/apt/preferences.d/socketlab-trixie

# apt_uris, main_uri, security_uri, installed: what this machine's apt has.
# shellcheck source-path=SCRIPTDIR source=engine/debian.sh
. "$repo/deploy/engine/debian.sh"

# guarded_install PKG... installs the packages only if apt's plan touches no
# package that is already installed, then checks that nothing else changed.
guarded_install() {
	local plan touched before after changed
	plan=$(as_root env DEBIAN_FRONTEND=noninteractive apt-get install -s -y --no-install-recommends "$@" 2>&1) ||
		die "apt cannot install $*; nothing was installed:
$plan"
	# An "Inst" line with [old version] is an upgrade or a downgrade; "Remv" a removal.
	touched=$(awk '/^Inst / && $3 ~ /^\[/ {print "  upgrade " $2 " " $3 " to " $4} /^Remv / {print "  remove  " $2 " " $3}' <<<"$plan" | tr -d '[]()')
	if [ -n "$touched" ]; then
		printf 'setup.sh: refusing to install %s: apt would change packages already on this machine:\n%s\n' "$*" "$touched" >&2
		die "nothing was installed. Install Docker yourself (https://docs.docker.com/engine/install/debian/) or free the packages above."
	fi
	before=$(installed)
	as_root mkdir -p "$state"
	[ -e "$state/packages-before" ] || echo "$before" | as_root tee "$state/packages-before" >/dev/null
	say "installing $* (apt's plan leaves every installed package as it is)"
	local log=/var/log/socketlab-setup-apt.log
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" 2>&1 | as_root tee "$log" >/dev/null ||
		{ tail -n 30 "$log" >&2; die "apt-get install failed (whole log: $log)"; }
	after=$(installed)
	# A line of before that is not in after: a package that changed or went.
	changed=$(comm -23 <(echo "$before") <(echo "$after"))
	if [ -n "$changed" ]; then
		printf 'setup.sh: FAILED: these packages were already installed and changed or were removed:\n%s\n' "$changed" >&2
		die "this should not happen (apt's plan said otherwise): please report it; deploy/setup.sh --uninstall removes what setup added"
	fi
	# Record the new packages, by name, for --uninstall.
	local added
	added=$(comm -13 <(echo "$before" | cut -d' ' -f1) <(echo "$after" | cut -d' ' -f1))
	[ -z "$added" ] || echo "$added" | as_root tee -a "$state/packages" >/dev/null
	say "installed $(grep -c . <<<"$added" || true) new packages; none of the $(echo "$before" | wc -l) already installed changed"
}

# existing_docker says what Docker this machine already has and succeeds if
# it has an engine: that one is used, never replaced by a second.
existing_docker() {
	local where
	if docker info >/dev/null 2>&1; then
		say "found a running Docker engine: $(docker info --format '{{.ServerVersion}} ({{.OperatingSystem}})' 2>/dev/null); using it"
		return 0
	fi
	if command -v dpkg >/dev/null 2>&1 && dpkg -s docker-desktop >/dev/null 2>&1; then
		die "found Docker Desktop, not running: start it (its engine runs in a VM), then run this again"
	fi
	if command -v dockerd >/dev/null 2>&1 || [ -x /snap/bin/docker ]; then
		where=$(command -v dockerd 2>/dev/null || echo /snap/bin/docker)
		local pkg
		if pkg=$(dpkg -S "$where" 2>/dev/null); then
			where="$where (package ${pkg%%:*})"
		fi
		say "found a Docker engine that is not running: $where; using it"
		return 0
	fi
	if command -v docker >/dev/null 2>&1; then
		say "found a docker client ($(command -v docker)) but no engine: installing the engine"
	fi
	return 1
}

install_docker() {
	if [ -s "$state/packages" ] && grep -qx docker.io "$state/packages" && dpkg -s docker.io >/dev/null 2>&1; then
		say "docker engine, compose and buildx already installed (by an earlier run of setup)"
		return
	fi
	if existing_docker; then
		docker compose version >/dev/null 2>&1 || die "this Docker has no Compose v2 plugin: install it where your Docker came from (Docker's docker-compose-plugin, Docker Desktop), not from here"
		docker buildx version >/dev/null 2>&1 || say "warning: this Docker has no buildx plugin; compose builds with BuildKit anyway"
		return
	fi
	[ -r /etc/os-release ] || die "no /etc/os-release: install Docker by hand (Docker Desktop on a laptop)"
	# shellcheck disable=SC1091
	. /etc/os-release
	[ "${ID:-}" = debian ] || die "this script installs Docker on Debian only (found ${ID:-unknown}); install Docker Desktop or your distribution's docker package"
	case "${VERSION_CODENAME:-}" in
	bookworm) add_trixie_source ;;
	trixie | forky) remove_trixie_source "left by setup on Debian 12; on Debian 13 it would pin the release" ;;
	*) die "Debian ${VERSION_CODENAME:-?} is not supported by this script; use Debian 12 or 13" ;;
	esac
	say "apt-get update"
	as_root apt-get update -q >/dev/null || die "apt-get update failed"
	guarded_install "${docker_pkgs[@]}"
}

# add_trixie_source: Debian 12's docker.io (20.10) has no Compose v2, so the
# Docker packages alone come from Debian 13 (trixie). The pin gives exactly
# those five priority 500 from trixie and every other trixie package -1
# (never installed). No `apt-get -t trixie`: that makes apt prefer trixie for
# every dependency whatever the pin says, and upgrades libc6, systemd and
# python3 to Debian 13's.
add_trixie_source() {
	local uri sec source pin
	uri=$(main_uri)
	[ -n "$uri" ] || die "cannot find this machine's Debian mirror in /etc/apt"
	sec=$(security_uri)
	source=$(release_sources trixie "$uri" "$sec")
	pin=$(
		cat <<PIN
# socketlab (deploy/setup.sh): only Docker from Debian 13, nothing else.
Package: ${docker_pkgs[*]}
Pin: release n=/^trixie(-security|-updates)?\$/
Pin-Priority: 500

Package: *
Pin: release n=/^trixie(-security|-updates)?\$/
Pin-Priority: -1
PIN
	)
	# Rewritten when it differs: an older setup.sh left a pin that let every
	# trixie package in at priority 100.
	if [ "$(cat "$trixie_source" 2>/dev/null)" != "$source" ]; then
		say "adding a trixie source on this machine's own Debian mirror${sec:+s}, pinned to the Docker packages alone"
		echo "$source" | as_root tee "$trixie_source" >/dev/null
	fi
	if [ "$(cat "$trixie_pin" 2>/dev/null)" != "$pin" ]; then
		echo "$pin" | as_root tee "$trixie_pin" >/dev/null
	fi
}

# remove_trixie_source [WHY] removes setup's trixie source and pin, where
# they are, saying WHY. On Debian 13 the pin would hold back the whole release.
remove_trixie_source() {
	local f
	for f in "$trixie_source" "$trixie_pin"; do
		if [ -e "$f" ]; then
			say "removing $f${1:+ ($1)}"
			as_root rm -f "$f"
		fi
	done
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
		# A dockerd killed without a stop leaves its pid files: a new one starts anyway.
		say "starting dockerd (no init system runs it); log: /var/log/dockerd.log"
		as_root sh -c 'nohup dockerd >/var/log/dockerd.log 2>&1 &'
		as_root mkdir -p "$state"
		echo dockerd | as_root tee "$state/started" >/dev/null
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
		as_root mkdir -p "$state"
		echo rust-just | as_root tee "$state/npm" >/dev/null
	else
		say "no just and no npm: skipping just (every recipe is a plain command in the Justfile)"
	fi
}

# uninstall removes what the records in $state say setup added, and nothing
# else: images, containers and /var/lib/docker stay (said below).
uninstall() {
	local pkgs plan extra
	if [ ! -d "$state" ] && [ ! -e "$trixie_source" ] && [ ! -e "$trixie_pin" ]; then
		say "setup.sh added nothing here: nothing to undo"
		return
	fi
	if [ -s "$state/started" ] && [ -s /var/run/docker.pid ]; then
		say "stopping the dockerd that setup started (pid $(cat /var/run/docker.pid))"
		as_root kill "$(cat /var/run/docker.pid)" 2>/dev/null || true
		for _ in $(seq 1 20); do [ -e /var/run/docker.pid ] || break; sleep 0.5; done
	fi
	if [ -s "$state/packages" ]; then
		mapfile -t pkgs < <(sort -u "$state/packages")
		plan=$(as_root apt-get purge -s -y "${pkgs[@]}" 2>&1) || die "apt cannot remove them: $plan"
		# Only what setup installed may go: anything else now depends on Docker.
		extra=$(awk '/^Purg |^Remv / {print $2}' <<<"$plan" | sed 's/:.*//' | grep -vxF -f <(sed 's/:.*//' "$state/packages") || true)
		[ -z "$extra" ] || die "refusing: removing Docker would also remove packages installed since: $(echo "$extra" | tr '\n' ' ')"
		say "removing the ${#pkgs[@]} packages setup installed"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${pkgs[@]}" >/dev/null
	fi
	if [ -s "$state/npm" ]; then
		say "removing just (npm package rust-just)"
		as_root npm uninstall -g rust-just >/dev/null 2>&1 || true
	fi
	remove_trixie_source
	as_root apt-get update -q >/dev/null 2>&1 || true
	if [ -s "$state/packages-before" ]; then
		local now
		now=$(installed)
		if [ "$now" = "$(cat "$state/packages-before")" ]; then
			say "the installed packages are exactly those before setup ($(echo "$now" | wc -l))"
		else
			say "the installed packages differ from those before setup (changes made since, not by setup?):"
			diff <(cat "$state/packages-before") <(echo "$now") | grep '^[<>]' | head -n 20 >&2 || true
		fi
	fi
	as_root rm -rf "$state"
	say "done. Left in place: /var/lib/docker (images, containers: rm -rf /var/lib/docker to reclaim it) and this repo's .env"
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

# python_image builds the base of a Python-only laptop: a minimal Debian root
# with python3 and python3-netifaces (socketlab/python:<release>).
python_image() {
	root_image python "python base" "python3,python3-netifaces" "" "python3 and python3-netifaces" PYTHON_BASE
}

# laptop_image builds the base of the laptop image, where a student's own
# program runs, in any language the lab builds: python3 and netifaces (the
# lecture's), gcc, g++ and make, Node.js, Go, and a JDK
# (socketlab/laptop-base:<release>). default-jdk-headless is installed by apt
# inside the root: its set-up runs java, which debootstrap's bare second
# stage cannot.
laptop_image() {
	root_image laptop-base "laptop base" "python3,python3-netifaces,gcc,g++,make,libc6-dev,nodejs,golang-go" default-jdk-headless \
		"python3, gcc, g++, make, nodejs, golang-go and default-jdk-headless" LAPTOP_BASE
}

# root_image NAME LABEL PACKAGES APT_PACKAGES WORDS ENV_KEY makes a Debian root with
# the packages, made by debootstrap from this machine's own Debian mirror
# (deploy/engine/debian-root.sh, cached by its inputs), imports it as
# socketlab/NAME:<release> and writes ENV_KEY to .env. The image is labelled
# with the root's cache name, so a later run imports nothing unless the root
# changed, and takes a second.
root_image() {
	local name=$1 label=$2 pkgs=$3 apt_pkgs=$4 words=$5 key_var=$6
	local release tarball key tag have
	release=$(
		# shellcheck disable=SC1091
		. /etc/os-release 2>/dev/null
		echo "${VERSION_CODENAME:-}"
	)
	case "$release" in bookworm | trixie) ;; *) release=bookworm ;; esac
	tag="socketlab/$name:$release"
	if ! command -v debootstrap >/dev/null 2>&1; then
		command -v apt-get >/dev/null 2>&1 || die "--offline needs debootstrap to make the $label image (a Debian machine with apt)"
		say "apt-get update"
		as_root apt-get update -q >/dev/null || die "apt-get update failed"
		guarded_install debootstrap
	fi
	say "$label image: a $release root with $words (debootstrap, cached)"
	# debian-root.sh names the mirror it uses; setup's output names none, so
	# its words are shown only when it fails.
	local log
	log=$(mktemp)
	tarball=$(as_root bash "$repo/deploy/engine/debian-root.sh" "$release" "$pkgs" ${apt_pkgs:+"$apt_pkgs"} 2>"$log") ||
		{ cat "$log" >&2; rm -f "$log"; die "could not make the $label root (deploy/engine/debian-root.sh)"; }
	rm -f "$log"
	key=$(basename "$tarball" .tar)
	have=$(docker image inspect -f '{{index .Config.Labels "org.socketlab.root"}}' "$tag" 2>/dev/null || true)
	if [ "$have" = "$key" ]; then
		say "$label image $tag already built"
	else
		say "building $label image $tag from $tarball"
		docker import \
			-c "LABEL org.socketlab.root=$key" \
			-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			-c 'ENV LANG=C.UTF-8' \
			-m "socketlab: $release with $words (setup.sh --offline)" \
			"$tarball" "$tag" >/dev/null
	fi
	env_set "$key_var" "$tag"
}

# env_set KEY VALUE writes KEY=VALUE into the repo's .env (git-ignored),
# which compose reads for ${KEY} in compose.yaml, replacing an earlier value.
env_set() {
	local env="$repo/.env"
	if [ -f "$env" ] && grep -qxF "$1=$2" "$env"; then
		say ".env already has $1=$2"
		return
	fi
	if [ -f "$env" ] && grep -q "^$1=" "$env"; then
		sed -i "s|^$1=.*|$1=$2|" "$env"
	else
		[ -s "$env" ] && [ -n "$(tail -c 1 "$env")" ] && echo >>"$env"
		echo "$1=$2" >>"$env"
	fi
	say "wrote $1=$2 to .env"
}

if $uninstall; then
	uninstall
	exit 0
fi
if $only_python; then
	python_image
	exit 0
fi
if $only_laptop; then
	laptop_image
	exit 0
fi
if $only_packages; then
	install_docker
	exit 0
fi
if ! $only_image; then
	install_docker
	start_docker
	install_just
fi
if $offline || $only_image; then go_image; fi
if $offline; then
	python_image
	laptop_image
fi
say "ready: docker compose up    (and: go test ./...)"
