# deploy/lib/debian.sh: what setup.sh and debian-root.sh need to know of this
# machine's Debian. Sourced, not run.

# apt_uris prints the Debian mirrors this machine's apt already uses, so that
# no registry host name is ever written into the repo.
apt_uris() {
	{
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}'
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1 == "deb" {print ($2 ~ /^\[/ ? $3 : $2)}'
	} | grep -E '/debian(-security)?/?$' || true
}
main_uri() { apt_uris | grep -v -- '-security' | head -n 1; }
security_uri() { apt_uris | grep -- '-security' | head -n 1; }

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
