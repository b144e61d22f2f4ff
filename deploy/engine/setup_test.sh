#!/usr/bin/env bash
# setup_test.sh proves that deploy/setup.sh's package step installs a working
# Docker (Engine, Compose v2, buildx) on clean Debian 12 and Debian 13 roots and
# leaves every package that was already installed exactly as it was; that a
# machine with no Go, or Debian 12's too old one, gets go.mod's release
# (Debian 13's Go 1.24, which fetches it); that its
# guard refuses a plan that would upgrade an installed package; that a Docker
# already there is used, not replaced; that on Debian 13 a pin left by an
# earlier run goes; and that --uninstall puts the package list back.
#
#   bash deploy/engine/setup_test.sh [bookworm] [trixie]      (root; .ci/run runs it)
#
# Each root is a cached debootstrap tarball (deploy/engine/debian-root.sh), unpacked
# afresh for each run and entered with chroot. Downloaded packages are cached
# too, so a second run downloads only apt's indexes. Nothing starts a daemon:
# a policy-rc.d in the root forbids it, and the test checks that no new
# dockerd appeared on the machine.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
releases=("$@")
[ ${#releases[@]} -gt 0 ] || releases=(bookworm trixie)
cache=${SOCKETLAB_CACHE:-/var/cache/socketlab}
failed=0

say() { printf '\n--- %s\n' "$*"; }
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	failed=1
}
[ "$(id -u)" -eq 0 ] || {
	echo "setup_test.sh: needs root (chroot, mount)" >&2
	exit 1
}
command -v debootstrap >/dev/null || {
	echo "setup_test.sh: needs debootstrap (apt-get install debootstrap)" >&2
	exit 1
}

want_go=$(awk '$1 == "toolchain" {print $2; exit}' "$here/../../go.mod")
[ -n "$want_go" ] || want_go=go$(awk '$1 == "go" {print $2; exit}' "$here/../../go.mod")

dockerds() { pgrep -x dockerd | sort | tr '\n' ' ' || true; }
dockerd_before=$(dockerds)

mounts=()
cleanup() {
	local m i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		m=${mounts[i]}
		umount -l "$m" 2>/dev/null || true
	done
	[ -z "${work:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
work=$(mktemp -d /tmp/socketlab-setup-test-XXXXXX)

# The machine's own CA certificates (SSL_CERT_FILE where its environment
# names a bundle, as behind a proxy that inspects TLS): Go in a root fetches
# with them as Go on the machine does. A clean root has none, and its
# ca-certificates would need the release's later openssl, an upgrade that
# setup's guard rightly refuses.
machine_ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
ca_env=()
[ ! -r "$machine_ca" ] || ca_env=(SSL_CERT_FILE=/etc/ssl/socketlab-machine-ca.pem)
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "${ca_env[@]}" "$@"; }
packages() { in_root bash -c '. /opt/socketlab/deploy/engine/debian.sh && installed'; }

for release in "${releases[@]}"; do
	say "$release: a clean root"
	tarball=$(bash "$here/debian-root.sh" "$release")
	root="$work/$release"
	mkdir -p "$root"
	tar -C "$root" -xf "$tarball"
	# Package scripts may start services: here none may.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod +x "$root/usr/sbin/policy-rc.d"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	[ ${#ca_env[@]} -eq 0 ] || { mkdir -p "$root/etc/ssl" && cp "$machine_ca" "$root/etc/ssl/socketlab-machine-ca.pem"; }
	mkdir -p "$root/opt/socketlab/deploy/engine" "$cache/apt/$release/partial"
	cp "$here/../setup.sh" "$root/opt/socketlab/deploy/"
	cp "$here/debian.sh" "$root/opt/socketlab/deploy/engine/"
	mount -t proc proc "$root/proc"
	mounts+=("$root/proc")
	mount --bind "$cache/apt/$release" "$root/var/cache/apt/archives"
	mounts+=("$root/var/cache/apt/archives")
	# The Go toolchain setup fetches is kept too: Go's module cache.
	mkdir -p "$cache/gomod" "$root/root/go/pkg/mod"
	cp "$here/../../go.mod" "$root/opt/socketlab/"
	mount --bind "$cache/gomod" "$root/root/go/pkg/mod"
	mounts+=("$root/root/go/pkg/mod")
	before=$(packages)
	echo "$(echo "$before" | wc -l) packages installed before setup"

	say "$release: a Docker that is already there is used, never replaced"
	# A stand-in for Docker's own docker-ce or Docker Desktop: a docker that
	# answers. setup must say what it found and install nothing.
	printf '#!/bin/sh\ncase "$1" in info) [ -n "$2" ] && echo "27.3.1 (Docker Desktop)"; exit 0 ;; *) echo "$1 v2.29.0"; exit 0 ;; esac\n' >"$root/usr/local/bin/docker"
	chmod +x "$root/usr/local/bin/docker"
	out=$(in_root bash /opt/socketlab/deploy/setup.sh --packages-only 2>&1) || fail "$release: setup failed beside an existing Docker: $out"
	echo "$out"
	grep -q 'found a running Docker engine: 27.3.1 (Docker Desktop); using it' <<<"$out" || fail "$release: setup did not say what Docker it found"
	[ "$(packages)" = "$before" ] || fail "$release: setup installed packages beside an existing Docker"
	[ ! -e "$root/etc/apt/sources.list.d/socketlab-trixie.sources" ] || fail "$release: setup added a source beside an existing Docker"
	rm "$root/usr/local/bin/docker"

	if [ "$release" = bookworm ]; then
		say "$release: the guard refuses a plan that upgrades an installed package"
		# A machine whose apt prefers trixie (what `apt-get -t trixie` did):
		# trixie's runc needs trixie's libc6. setup must refuse and install nothing.
		printf 'Package: *\nPin: release n=trixie\nPin-Priority: 990\n' >"$root/etc/apt/preferences.d/00-test-prefer-trixie"
		if out=$(in_root bash /opt/socketlab/deploy/setup.sh --packages-only 2>&1); then
			echo "$out"
			fail "$release: setup installed with a plan that upgrades libc6"
		else
			echo "$out" | tail -n 8
			grep -q 'refusing to install' <<<"$out" || fail "$release: setup failed, but not by its guard"
			grep -q 'upgrade libc6' <<<"$out" || fail "$release: the refusal does not name libc6"
		fi
		[ "$(packages)" = "$before" ] || fail "$release: the refused run changed packages"
		rm "$root/etc/apt/preferences.d/00-test-prefer-trixie"
	fi

	if [ "$release" = trixie ]; then
		# A pin left by setup on Debian 12 before an upgrade to 13 would hold
		# back the whole release: setup removes it.
		printf 'Package: *\nPin: release n=trixie\nPin-Priority: -1\n' >"$root/etc/apt/preferences.d/socketlab-trixie"
	fi

	say "$release: setup.sh --packages-only"
	start=$SECONDS
	in_root bash /opt/socketlab/deploy/setup.sh --packages-only || fail "$release: setup.sh failed"
	echo "($((SECONDS - start))s)"
	after=$(packages)
	changed=$(comm -23 <(echo "$before") <(echo "$after"))
	added=$(comm -13 <(echo "$before" | cut -d' ' -f1) <(echo "$after" | cut -d' ' -f1))
	if [ -n "$changed" ]; then
		fail "$release: pre-existing packages changed or were removed:"
		echo "$changed" | head -n 30 >&2
	fi
	printf '%s: before %d packages, after %d; %d pre-existing changed or removed; %d added: %s\n' \
		"$release" "$(echo "$before" | wc -l)" "$(echo "$after" | wc -l)" \
		"$(echo -n "$changed" | grep -c . || true)" "$(echo "$added" | wc -l)" "$(echo "$added" | tr '\n' ' ')"
	in_root dpkg-query -W -f '${Package} ${Version}\n' docker.io containerd docker-compose docker-buildx
	in_root dockerd --version || fail "$release: no dockerd"
	in_root docker compose version || fail "$release: docker compose version fails"
	in_root docker buildx version || fail "$release: docker buildx version fails"
	case "$(in_root dpkg-query -W -f '${Version}' docker.io)" in
	2[6-9].* | [3-9]*.*) ;;
	*) fail "$release: docker.io is older than 26" ;;
	esac
	if [ "$release" = bookworm ]; then
		[ -e "$root/etc/apt/preferences.d/socketlab-trixie" ] || fail "$release: no pin written"
	else
		[ ! -e "$root/etc/apt/preferences.d/socketlab-trixie" ] || fail "$release: a trixie pin on trixie"
	fi

	say "$release: a second run changes nothing"
	in_root bash /opt/socketlab/deploy/setup.sh --packages-only || fail "$release: the second run failed"
	[ "$(packages)" = "$after" ] || fail "$release: the second run changed packages"

	say "$release: setup.sh --uninstall"
	in_root bash /opt/socketlab/deploy/setup.sh --uninstall || fail "$release: --uninstall failed"
	[ "$(packages)" = "$before" ] || {
		fail "$release: after --uninstall the packages differ from before setup:"
		diff <(echo "$before") <(packages) | grep '^[<>]' | head -n 20 >&2
	}
	for f in etc/apt/sources.list.d/socketlab-trixie.sources etc/apt/preferences.d/socketlab-trixie; do
		[ ! -e "$root/$f" ] || fail "$release: --uninstall left /$f"
	done

	# No Go, or Debian 12's own Go 1.19 (too old to fetch another): setup
	# installs Debian 13's Go 1.24 beside it, which fetches go.mod's release
	# through the Go module proxy. The test's own Go 1.19 must stay as it was.
	say "$release: setup.sh --go-only   (Debian's Go 1.24 fetches go.mod's $want_go)"
	if [ "$release" = bookworm ]; then
		in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends golang-go >/dev/null ||
			fail "$release: cannot install Debian 12's golang-go for the test"
		in_root go version
	fi
	with_go=$(packages)
	start=$SECONDS
	if out=$(in_root bash /opt/socketlab/deploy/setup.sh --go-only 2>&1); then
		echo "$out"
		echo "($((SECONDS - start))s)"
		goroot=$(sed -n 's/^==> Go .* at //p' <<<"$out")
		got=$(in_root "$goroot/bin/go" version 2>&1 || true)
		grep -q "^go version $want_go " <<<"$got" || fail "$release: setup's Go is not go.mod's $want_go: $got"
		changed=$(comm -23 <(echo "$with_go") <(packages))
		[ -z "$changed" ] || fail "$release: --go-only changed packages already installed: $changed"
	else
		echo "$out" >&2
		fail "$release: setup.sh --go-only failed"
	fi
	in_root bash /opt/socketlab/deploy/setup.sh --uninstall >/dev/null || fail "$release: --uninstall after --go-only failed"
	[ "$(packages)" = "$with_go" ] || fail "$release: --uninstall after --go-only left packages other than before it"
	if [ "$release" = bookworm ]; then
		in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q --autoremove golang-go >/dev/null
		[ "$(packages)" = "$before" ] || fail "$release: the test's Go 1.19 did not go"
	fi

	if [ "$release" = bookworm ]; then
		say "$release: apt's only source one line in sources.list (no deb822 file, no security source)"
		# As debootstrap and many minimal installs leave a machine.
		uri=$(in_root bash -c '. /opt/socketlab/deploy/engine/debian.sh && main_uri')
		rm -f "$root"/etc/apt/sources.list.d/*.sources
		echo "deb $uri $release main" >"$root/etc/apt/sources.list"
		if out=$(in_root bash /opt/socketlab/deploy/setup.sh --packages-only 2>&1); then
			echo "$out" | tail -n 3
			in_root docker compose version >/dev/null || fail "$release (sources.list only): docker compose version fails"
			grep -q "^Suites: trixie trixie-updates$" "$root/etc/apt/sources.list.d/socketlab-trixie.sources" ||
				fail "$release (sources.list only): the trixie source is not what setup should write"
			! grep -q -- -security "$root/etc/apt/sources.list.d/socketlab-trixie.sources" ||
				fail "$release (sources.list only): a security source appeared from nowhere"
		else
			echo "$out" >&2
			fail "$release (sources.list only): setup.sh failed"
		fi
		in_root bash /opt/socketlab/deploy/setup.sh --uninstall >/dev/null || fail "$release (sources.list only): --uninstall failed"
		[ "$(packages)" = "$before" ] || fail "$release (sources.list only): after --uninstall the packages differ from before setup"

		say "$release: apt with no Debian source at all: setup says so"
		: >"$root/etc/apt/sources.list"
		if out=$(in_root bash /opt/socketlab/deploy/setup.sh --packages-only 2>&1); then
			fail "$release (no source): setup.sh succeeded with no source: $out"
		else
			echo "$out" | tail -n 2
			grep -q "cannot find this machine's Debian mirror" <<<"$out" || fail "$release (no source): setup stopped without saying why: $out"
		fi
		[ "$(packages)" = "$before" ] || fail "$release (no source): the failed run changed packages"
	fi

	umount -l "$root/root/go/pkg/mod" "$root/var/cache/apt/archives" "$root/proc"
	mounts=()
	rm -rf "$root"
done

# A dockerd started from a root would run with that root as its /: another
# engine on this machine (deploy/dind.sh's, in a container) is not the test's.
for pid in $(dockerds); do
	case " $dockerd_before " in *" $pid "*) continue ;; esac
	case "$(readlink "/proc/$pid/root" 2>/dev/null)" in
	"$work"*) fail "a dockerd started from a test root during the test (pid $pid)" ;;
	esac
done
if [ "$failed" -ne 0 ]; then
	echo "setup_test.sh: FAIL" >&2
	exit 1
fi
echo "setup_test.sh: PASS (${releases[*]})"
