#!/usr/bin/env bash
# setup.sh: Gradescope runs this once, as root, when it builds the
# autograder's image (Ubuntu 22.04 by default), with this zip unpacked in
# /autograder/source. It installs only what is missing: Python 3 and
# netifaces, which the lecture's server imports. Where both are there, it
# asks apt for nothing, so it also works where apt has no network.
set -euo pipefail
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -c 'import netifaces' >/dev/null 2>&1 || missing+=(python3-netifaces)
# languages.txt (the zip's -languages): the other languages students may
# write their server in, whose toolchains the grader builds it with.
if [ -f "$source_dir/languages.txt" ]; then
	while read -r l; do
		case "$l" in
		c) command -v gcc >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || missing+=(gcc libc6-dev make) ;;
		c++) command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || missing+=(g++ make) ;;
		java) command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless) ;;
		node) command -v node >/dev/null 2>&1 || missing+=(nodejs) ;;
		go) command -v go >/dev/null 2>&1 || missing+=(golang-go) ;;
		esac
	done <"$source_dir/languages.txt"
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup.sh: installing ${missing[*]} (the lecture's server runs on Python 3 with netifaces; languages.txt names the other languages')"
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "setup.sh: ${missing[*]} missing, and this image has no apt-get: pick an Ubuntu or Debian base image, or install them yourself" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# Gradescope runs apt-get update before setup.sh; elsewhere it may not have.
	if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
		apt-get update -q || true
		if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
			echo "setup.sh: apt-get could not install ${missing[*]}: does apt reach a mirror from this image? (python3-netifaces is in Ubuntu's universe and Debian's main)" >&2
			exit 1
		fi
	fi
	python3 -c 'import netifaces' || {
		echo "setup.sh: python3 still cannot import netifaces after installing ${missing[*]}" >&2
		exit 1
	}
fi

chmod 0755 "$source_dir/client" "$source_dir/run_autograder"
if ! "$source_dir/client" onehost -h >/dev/null 2>&1; then
	echo "setup.sh: $source_dir/client does not run here ($(uname -m)): build the zip for this machine (just gradescope OUT -arch ...)" >&2
	exit 1
fi
echo "setup.sh: ready: $(python3 --version) with netifaces, and socketlab's grader"
