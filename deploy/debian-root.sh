#!/usr/bin/env bash
# debian-root.sh makes a minimal Debian root filesystem with debootstrap from
# this machine's own Debian mirror, as a tarball, and prints the tarball's path.
#
#   deploy/debian-root.sh RELEASE [PACKAGE,...]
#   deploy/debian-root.sh bookworm                       a clean Debian 12 (setup's test)
#   deploy/debian-root.sh bookworm python3,python3-netifaces
#
# Making a root takes a minute or two, so the tarball is cached in
# $SOCKETLAB_CACHE (default /var/cache/socketlab) under a name made from
# everything that goes into it: the release, the packages, the mirror and
# this script. The same inputs give the cached file back in a moment.
# Needs root and debootstrap (apt-get install debootstrap).
set -euo pipefail
# Every way it can stop says why: a command that fails outside die() (in a
# pipeline, a $(...)) names itself and its line instead of ending silently.
set -E
trap 'rc=$?; [ "$BASH_SUBSHELL" -eq 0 ] && printf "%s: stopped: \"%s\" failed (exit %d, line %d)\n" "debian-root.sh" "$BASH_COMMAND" "$rc" "$LINENO" >&2' ERR

release=${1:?usage: debian-root.sh RELEASE [PACKAGE,...]}
include=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/debian.sh
. "$here/lib/debian.sh"
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

key=$(printf '%s\n' "$release" "$include" "$uri" "$sec" "$(cat "$0" "$here/lib/debian.sh")" | sha256sum | cut -c1-16)
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
# Nothing downloaded stays in the image.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
echo "made by socketlab deploy/debian-root.sh: $release${include:+ with $include}" >"$root/etc/socketlab-root"

tar -C "$root" --numeric-owner -cf "$work/root.tar" .
mv "$work/root.tar" "$tarball"
echo "$tarball"
