#!/usr/bin/env bash
# setup.sh prepares a machine for socketlab: the one command a bare Debian
# machine needs before `docker compose up`.
#
#   deploy/setup.sh            use the Docker already there, or install Docker Engine, Compose v2
#                              and buildx from Debian's packages; start it; install just. Then, on
#                              Debian, build the lab's base images here, so that no image registry
#                              is ever needed: the Go toolchain image from this machine's Go (Go
#                              from Debian first if it has none or an old one; the go command fetches
#                              go.mod's version through the Go module proxy), and the Python and
#                              laptop bases by debootstrap from this machine's Debian mirror, cached
#                              in /var/cache/socketlab; .env names them. Elsewhere (Docker Desktop,
#                              other Linux) `docker compose up` takes them from a registry
#   deploy/setup.sh --offline  the same, but stop with the reason if this machine cannot build the
#                              base images (not Debian, no debootstrap, no Go): no registry at all
#   deploy/setup.sh --go-image-only   only the Go toolchain image (`just offline`)
#   deploy/setup.sh --python-image-only   only the Python base image (`just offline`)
#   deploy/setup.sh --laptop-image-only   only the laptop base: Python, C, C++, Java, Node.js, Go (`just offline`)
#   deploy/setup.sh --devcontainer-base   only socketlab/devcontainer-base:trixie, the devcontainer's
#                              base when no registry answers (.devcontainer/README.md)
#   deploy/setup.sh --packages-only   only the package step: install, never start (setup's own test)
#   deploy/setup.sh --go-only  only Go: find go.mod's release, installing Debian's Go to fetch it
#                              when there is none; print its GOROOT (setup's own test)
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
only_devcontainer=false
only_go=false
uninstall=false
[ "${SOCKETLAB_ONLY_GO_IMAGE:-}" = 1 ] && only_image=true
for arg in "$@"; do
	case "$arg" in
	--offline) offline=true ;;
	--go-image-only) only_image=true ;;
	--python-image-only) only_python=true ;;
	--laptop-image-only) only_laptop=true ;;
	--packages-only) only_packages=true ;;
	--devcontainer-base) only_devcontainer=true ;;
	--go-only) only_go=true ;;
	--uninstall) uninstall=true ;;
	-h | --help)
		awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" | sed 's/^# \{0,1\}//'
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
# Go for the toolchain image, on a machine with none or one too old to fetch
# go.mod's version itself (GOTOOLCHAIN needs Go 1.21): Debian 13's Go 1.24,
# also on Debian 12 (whose golang-go is 1.19) through the same exact pin.
# golang-1.24-go, not golang-go: it sits beside a Go 1.19 already installed
# and changes nothing of it.
go_pkgs=(golang-1.24-go golang-1.24-src)

# What setup adds is recorded here, so that --uninstall removes exactly that.
state=/var/lib/socketlab-setup
trixie_source=/etc/apt/sources.list.d/socketlab-trixie.sources
trixie_pin=/etc/apt/preferences.d/socketlab-trixie

# apt_uris, main_uri, security_uri, installed: what this machine's apt has.
# shellcheck source-path=SCRIPTDIR source=engine/debian.sh
. "$repo/deploy/engine/debian.sh"

# apt_update runs apt-get update once per run of setup, or again after a
# source was added.
apt_updated=false
apt_update() {
	$apt_updated && return
	say "apt-get update"
	as_root apt-get update -q >/dev/null || die "apt-get update failed"
	apt_updated=true
}

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
		local how="Install $* yourself"
		[ "$1" != docker.io ] || how="Install Docker yourself (https://docs.docker.com/engine/install/debian/)"
		die "nothing was installed. $how or free the packages above."
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
		say "docker engine, compose and buildx: already installed (by deploy/setup.sh, on this machine: $state/packages lists them)"
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
	apt_update
	guarded_install "${docker_pkgs[@]}"
}

# add_trixie_source: Debian 12's docker.io (20.10) has no Compose v2, so the
# Docker packages alone come from Debian 13 (trixie), and Go 1.24 when the
# machine needs one. The pin gives exactly those packages priority 500 from
# trixie and every other trixie package -1 (never installed). No `apt-get -t trixie`: that makes apt prefer trixie for
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
# socketlab (deploy/setup.sh): only Docker and Go from Debian 13, nothing else.
Package: ${docker_pkgs[*]} ${go_pkgs[*]}
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
		say "adding a trixie source on this machine's own Debian mirror${sec:+s}, pinned to the Docker and Go packages alone"
		echo "$source" | as_root tee "$trixie_source" >/dev/null
		apt_updated=false
	fi
	if [ "$(cat "$trixie_pin" 2>/dev/null)" != "$pin" ]; then
		echo "$pin" | as_root tee "$trixie_pin" >/dev/null
		apt_updated=false
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

# just_direct puts npm's just binary itself first on PATH, in place of
# rust-just's Node.js wrapper: on Ctrl-C the wrapper exits at once and sends
# the real just SIGTERM, so the prompt came back while `just class` was still
# taking its labs down. The binary gets the signal itself and waits.
just_direct() {
	local wrapper bin
	wrapper=$(readlink -f "$(command -v just)" 2>/dev/null) || return 0
	case "$wrapper" in */rust-just/lib/*) ;; *) return 0 ;; esac
	bin=$(find "${wrapper%/lib/*}" -path "*/rust-just-*/bin/just" -type f 2>/dev/null | head -1)
	[ -x "$bin" ] || return 0
	as_root ln -sf "$bin" /usr/local/bin/just
	as_root mkdir -p "$state"
	echo /usr/local/bin/just | as_root tee "$state/just-link" >/dev/null
	say "just: /usr/local/bin/just is npm's binary itself, not its Node.js wrapper (Ctrl-C reaches the recipe)"
}

install_just() {
	local codename=""
	if command -v just >/dev/null 2>&1; then
		say "just already installed"
		just_direct
		return
	fi
	[ ! -r /etc/os-release ] || codename=$(
		# shellcheck disable=SC1091
		. /etc/os-release
		[ "${ID:-}" = debian ] && echo "${VERSION_CODENAME:-}"
	)
	case "$codename" in
	"" | bookworm) ;;
	*)
		# Debian 13 has just; Debian 12 has none (and trixie's needs trixie's libc).
		apt_update
		guarded_install just
		return
		;;
	esac
	if command -v npm >/dev/null 2>&1; then
		say "installing just (npm package rust-just)"
		as_root npm install -g --no-fund --no-audit rust-just >/dev/null
		as_root mkdir -p "$state"
		echo rust-just | as_root tee "$state/npm" >/dev/null
		hash -r
		just_direct
	else
		say "no just: Debian 12 has no package of it. Either sudo apt-get install npm, then sudo npm install -g rust-just; or type each recipe's plain command (deploy/student/README.md, \"Without just\")"
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
	if [ -s "$state/just-link" ] && [ -L /usr/local/bin/just ]; then
		as_root rm -f /usr/local/bin/just
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

# go_image builds a Go toolchain image from a Go toolchain on this machine
# (find_go), so the Dockerfile's build stage needs no registry. The
# toolchain's binaries are static, so a bare import of GOROOT plus an empty
# /tmp is a working image.
go_image() {
	local goroot version tag want
	# An image of go.mod's own release, made by an earlier run, serves
	# without looking for Go again (a rebuilt devcontainer would fetch it
	# anew).
	want=$(go_wanted)
	if docker image inspect "socketlab/go:${want#go}" >/dev/null 2>&1; then
		say "go toolchain image socketlab/go:${want#go} already built"
		env_set GO_IMAGE "socketlab/go:${want#go}"
		return
	fi
	find_go
	goroot=$found_goroot
	version=$found_goversion
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
				-m "socketlab: Go toolchain from $goroot (deploy/setup.sh)" \
				- "$tag" >/dev/null
		rm -rf "$tmp"
	fi
	env_set GO_IMAGE "$tag"
}

# go_wanted prints the Go release go.mod asks for: its toolchain line, else
# its go line (1.26 means the release go1.26.0).
go_wanted() {
	local v
	v=$(awk '$1 == "toolchain" {print $2; exit}' "$repo/go.mod")
	[ -n "$v" ] || v=go$(awk '$1 == "go" {print $2; exit}' "$repo/go.mod")
	[[ $v =~ ^go[0-9]+\.[0-9]+$ ]] && v=$v.0
	echo "$v"
}

# version_at_least A B: is Go version A (go1.24.4) at least B (go1.21)?
version_at_least() {
	[ "$(printf '%s\n' "${2#go}" "${1#go}" | sort -V | head -n 1)" = "${2#go}" ]
}

# go_version GO prints the version of the go command GO, or nothing. It
# runs outside the repo with GOTOOLCHAIN=local, so that asking fetches nothing.
go_version() {
	(cd / && GOTOOLCHAIN=local "$1" env GOVERSION 2>/dev/null) | grep -E '^go[0-9]' || true
}

# find_go sets found_goroot and found_goversion to a Go toolchain of the
# version go.mod wants: a Go on this machine that is recent enough; else
# that release fetched by a Go of 1.21 or later (GOTOOLCHAIN, through the Go
# module proxy that Go is configured with: the download is Go's own, kept in
# its module cache); else the same after installing Debian 13's Go 1.24.
find_go() {
	local want g v older=""
	want=$(go_wanted)
	local candidates=()
	g=$(command -v go 2>/dev/null || true)
	[ -z "$g" ] || candidates+=("$g")
	candidates+=(/usr/local/go/bin/go)
	mapfile -t -O "${#candidates[@]}" candidates < <(ls -d /usr/lib/go-1.*/bin/go 2>/dev/null | sort -Vr)
	for g in "${candidates[@]}"; do
		[ -x "$g" ] || continue
		v=$(go_version "$g")
		[ -n "$v" ] || continue
		if version_at_least "$v" "$want"; then
			found_goroot=$(cd / && GOTOOLCHAIN=local "$g" env GOROOT)
			found_goversion=$v
			return
		fi
		if [ -z "$older" ] && version_at_least "$v" go1.21; then
			older=$g
		fi
	done
	if [ -z "$older" ]; then
		$may_install_go || die "no Go $want or Go 1.21 or later on this machine for the Go toolchain image (https://go.dev/dl/, or run deploy/setup.sh on Debian, which installs it)"
		install_go
		older=$go_installed
	fi
	say "fetching $want with $(go_version "$older") ($older, GOTOOLCHAIN: the go command's own download from the Go module proxy)"
	if ! found_goroot=$(cd / && GOTOOLCHAIN=$want "$older" env GOROOT) || [ ! -x "$found_goroot/bin/go" ]; then
		die "$older could not fetch $want (GOPROXY=$(cd / && GOTOOLCHAIN=local "$older" env GOPROXY)): see its message above; or install Go ${want#go} yourself (https://go.dev/dl/) and run this again"
	fi
	found_goversion=$want
}

# install_go installs Debian 13's Go 1.24 (the package on Debian 12 through
# the trixie pin; golang-go on Debian 13 and later), with ca-certificates for
# its download where the machine has none, and sets go_installed to its go
# command.
install_go() {
	local codename
	codename=$(
		# shellcheck disable=SC1091
		. /etc/os-release 2>/dev/null
		echo "${VERSION_CODENAME:-}"
	)
	# Go's download needs CA certificates: Debian's, unless the machine
	# already has a bundle where Go looks (or names its own, SSL_CERT_FILE).
	local ca=()
	[ -n "${SSL_CERT_FILE:-}" ] || [ -s /etc/ssl/certs/ca-certificates.crt ] || ca=(ca-certificates)
	case "$codename" in
	bookworm)
		add_trixie_source
		apt_update
		guarded_install "${go_pkgs[@]}" "${ca[@]}"
		go_installed=/usr/lib/go-1.24/bin/go
		;;
	*)
		apt_update
		guarded_install golang-go "${ca[@]}"
		go_installed=$(command -v go)
		;;
	esac
	[ -x "$go_installed" ] || die "installed Go, but found no go command at ${go_installed:-?}"
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
	local name=$1 label=$2 pkgs=$3 apt_pkgs=$4 words=$5 key_var=$6 release=${7:-}
	local tarball key tag have
	if [ -z "$release" ]; then
		release=$(
			# shellcheck disable=SC1091
			. /etc/os-release 2>/dev/null
			echo "${VERSION_CODENAME:-}"
		)
		case "$release" in bookworm | trixie) ;; *) release=bookworm ;; esac
	fi
	tag="socketlab/$name:$release"
	if ! command -v debootstrap >/dev/null 2>&1; then
		command -v apt-get >/dev/null 2>&1 || die "the $label image needs debootstrap (a Debian machine with apt)"
		apt_update
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
			-m "socketlab: $release with $words (deploy/setup.sh)" \
			"$tarball" "$tag" >/dev/null
	fi
	[ -z "$key_var" ] || env_set "$key_var" "$tag"
}

# devcontainer_image builds socketlab/devcontainer-base:trixie, the
# devcontainer's base where no registry gives debian:trixie: a Debian 13
# root with the packages .devcontainer/packages.txt lists (Docker, Go,
# debootstrap, just, git), so that its Dockerfile has nothing to install.
# Debian 13 whatever this machine runs: its Docker has Compose v2 and its Go
# can fetch go.mod's.
devcontainer_image() {
	local pkgs
	pkgs=$(grep -v '^[[:space:]]*#' "$repo/.devcontainer/packages.txt" | xargs | tr ' ' ,)
	[ -n "$pkgs" ] || die "no packages in .devcontainer/packages.txt"
	root_image devcontainer-base "devcontainer base" "$pkgs" "" "${pkgs//,/, }" "" trixie
}

# can_build_bases says whether this machine can make the base images itself:
# Debian (its mirror gives the roots; debootstrap comes from it). Elsewhere
# docker compose takes golang:1.26 and debian:bookworm-slim from a registry.
can_build_bases() {
	local id
	id=$(
		# shellcheck disable=SC1091
		. /etc/os-release 2>/dev/null
		echo "${ID:-}"
	)
	[ "$id" = debian ] && command -v apt-get >/dev/null 2>&1
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
if $only_devcontainer; then
	devcontainer_image
	exit 0
fi
if $only_packages; then
	install_docker
	exit 0
fi
if $only_go; then
	may_install_go=true
	find_go
	say "Go ${found_goversion#go} at $found_goroot"
	exit 0
fi
# Go from Debian only where setup may install packages: not for --go-image-only,
# which `just offline` runs on any machine with Go.
may_install_go=false
if ! $only_image; then
	install_docker
	start_docker
	install_just
	can_build_bases && may_install_go=true
fi
if $only_image; then
	go_image
elif $offline || can_build_bases; then
	# The Go toolchain image first: docker compose up needs only it. The
	# laptop base is for a student's own program, the Python base for the
	# graders' tests.
	go_image
	say "docker compose up can run now (in another terminal); the bases below are for your own programs and the tests"
	laptop_image
	python_image
else
	say "not Debian: the lab's base images (golang:1.26, debian:bookworm-slim) will come from a registry when docker compose builds (deploy/setup.sh --offline: build them here instead)"
fi
say "ready: docker compose up"
