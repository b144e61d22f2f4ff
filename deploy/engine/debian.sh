# deploy/engine/debian.sh: what setup.sh and debian-root.sh need to know of this
# machine's Debian. Sourced, not run.

# apt_entries prints "URI SUITE" for every suite of every enabled binary
# source this machine's apt uses: one-line sources.list files and deb822
# .sources files alike, with or without [options]. Comments, deb-src and
# Enabled: no are skipped. It never fails: a machine may have no source.
apt_entries() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk '
			function flush(   i, j) {
				if (deb && enabled != "no")
					for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
				deb = 0; enabled = ""; nu = 0; ns = 0
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{ key = tolower($1) }
			key == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			key == "uris:" { for (i = 2; i <= NF; i++) u[++nu] = $i }
			key == "suites:" { for (i = 2; i <= NF; i++) s[++ns] = $i }
			key == "enabled:" { enabled = tolower($2) }
			END { flush() }
		' "$f" 2>/dev/null || true
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		# deb [arch=amd64 signed-by=...] URI SUITE COMPONENT...
		awk '
			$1 != "deb" { next }
			{ i = 2 }
			$2 ~ /^\[/ { while (i <= NF && $i !~ /\]$/) i++; i++ }
			i + 1 <= NF { print $i, $(i + 1) }
		' "$f" 2>/dev/null || true
	done
}

# apt_uris prints the Debian mirrors this machine's apt already uses, so that
# no registry host name is ever written into the repo: those whose path ends
# in /debian or /debian-security first, then any other (a local mirror or a
# proxy may have another path).
apt_uris() {
	local entries
	entries=$(apt_entries)
	{
		awk '$1 ~ /\/debian(-security)?\/?$/ {print $1}' <<<"$entries"
		awk '$1 !~ /\/debian(-security)?\/?$/ {print $1}' <<<"$entries"
	} | awk '!seen[$0]++'
}

# main_uri is the mirror of the release itself (a suite without -security
# or /updates); security_uri that of its security updates, "" when apt has
# none (debootstrap and many minimal installs leave only the release).
main_uri() {
	# awk reads to the end: an early exit would kill apt_entries with SIGPIPE.
	apt_entries | awk '
		$2 ~ /-security$|\/updates$/ { next }
		$1 ~ /\/debian\/?$/ && debian == "" { debian = $1 }
		other == "" { other = $1 }
		END { if (debian != "") print debian; else if (other != "") print other }
	'
}
security_uri() {
	# awk reads to the end: an early exit would kill apt_entries with SIGPIPE.
	apt_entries | awk '$2 ~ /-security$|\/updates$/ && sec == "" {sec = $1} END {if (sec != "") print sec}'
}

# installed lists every installed package with its version, one per line.
installed() {
	dpkg-query -W -f '${db:Status-Abbrev} ${binary:Package} ${Version}\n' | awk '$1 ~ /^[hi]i/ {print $2, $3}' | sort
}

# release_sources RELEASE URI [SECURITY_URI] prints a deb822 sources file
# for RELEASE and RELEASE-updates on URI and, when given, RELEASE-security on
# SECURITY_URI.
release_sources() {
	printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$2" "$1" "$1"
	[ -z "${3:-}" ] || printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$3" "$1"
}
