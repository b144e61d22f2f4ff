#!/usr/bin/env bash
# debian-root.sh makes a minimal Debian root filesystem with debootstrap from
# this machine's own Debian mirror, as a tarball, and prints the tarball's path.
#
#   deploy/engine/debian-root.sh RELEASE [PACKAGE,...] [APT_PACKAGE,...]
#   deploy/engine/debian-root.sh bookworm                       a clean Debian 12 (setup's test)
#   deploy/engine/debian-root.sh bookworm python3,python3-netifaces
#   deploy/engine/debian-root.sh bookworm gcc,g++ default-jdk-headless
#
# PACKAGEs go in with debootstrap; APT_PACKAGEs are installed afterwards by apt
# inside the root, with /proc mounted: a package whose set-up runs a program
# (default-jdk-headless runs java for ca-certificates-java) does not configure
# in debootstrap's bare second stage.
#
# Making a root takes a minute or two, so the tarball is cached in
# $SOCKETLAB_CACHE (default /var/cache/socketlab) under a name made from
# everything that goes into it: the release, the packages, the mirror and
# the code of this script and debian.sh (not their comments, so that a
# comment's edit or a moved path in one does not make every root again).
# The same inputs give the cached file back in a moment.
# Needs root and debootstrap (apt-get install debootstrap).
set -euo pipefail
# Every way it can stop says why: a command that fails outside die() (in a
# pipeline, a $(...)) names itself and its line instead of ending silently.
set -E
trap 'rc=$?; [ "$BASH_SUBSHELL" -eq 0 ] && printf "%s: stopped: \"%s\" failed (exit %d, line %d)\n" "debian-root.sh" "$BASH_COMMAND" "$rc" "$LINENO" >&2' ERR

release=${1:?usage: debian-root.sh RELEASE [PACKAGE,...] [APT_PACKAGE,...]}
include=${2:-}
apt_include=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=debian.sh
. "$here/debian.sh"
cache=${SOCKETLAB_CACHE:-/var/cache/socketlab}/roots

die() {
	printf 'debian-root.sh: %s\n' "$*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
command -v debootstrap >/dev/null || die "no debootstrap: apt-get install debootstrap"
uri=$(main_uri)
[ -n "$uri" ] || die "cannot find this machine's Debian mirror in /etc/apt"
sec=$(security_uri)

key=$(printf '%s\n' "$release" "$include" "$uri" "$sec" "$(grep -hv '^[[:space:]]*#' "$0" "$here/debian.sh")" ${apt_include:+"$apt_include"} | sha256sum | cut -c1-16)
tarball="$cache/debian-$release-$key.tar"
if [ -s "$tarball" ]; then
	echo "$tarball"
	exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.make-XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
printf 'debian-root.sh: making a %s root%s from %s (cached afterwards in %s)\n' \
	"$release" "${include:+ with $include}" "$uri" "$cache" >&2
debootstrap --variant=minbase ${include:+--include="$include"} "$release" "$root" "$uri" >"$work/log" 2>&1 ||
	{ tail -n 30 "$work/log" >&2; die "debootstrap $release failed"; }

# The root's apt sources look like a real machine's: the release, its
# updates and, where this machine has one, its security mirror.
rm -f "$root/etc/apt/sources.list"
release_sources "$release" "$uri" "$sec" >"$root/etc/apt/sources.list.d/debian.sources"
if [ -n "$apt_include" ]; then
	printf 'debian-root.sh: installing %s with apt inside the root\n' "$apt_include" >&2
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	mount -t proc proc "$root/proc"
	trap 'umount "$root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
	# shellcheck disable=SC2086 # one package per word
	{ chroot "$root" apt-get update -q && chroot "$root" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends ${apt_include//,/ }; } >>"$work/log" 2>&1 ||
		{ tail -n 30 "$work/log" >&2; die "apt-get install $apt_include in the $release root failed"; }
	umount "$root/proc"
	: >"$root/etc/resolv.conf"
fi
# Nothing downloaded stays in the image.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
echo "made by socketlab deploy/engine/debian-root.sh: $release${include:+ with $include}${apt_include:+ and $apt_include}" >"$root/etc/socketlab-root"

tar -C "$root" --numeric-owner -cf "$work/root.tar" .
mv "$work/root.tar" "$tarball"
echo "$tarball"
