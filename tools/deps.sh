#!/usr/bin/env bash
# deps.sh: makes sure the Debian packages BoxOS needs to build, run and test
# are installed.
#
#   bash tools/deps.sh
#
# Each package is looked up with dpkg-query.  When all are present it prints
# nothing.  When some are missing: as root it runs apt-get update and installs
# them (non-interactively, no recommends); otherwise it prints the exact
# command to run and exits 1.  Needs no terminal.
set -euo pipefail

# gcc, make, binutils and libc6-dev are what build-essential brings; either
# the metapackage or those four will do.
# qemu-system-gui gives `make run` its window when a display is available.
packages=(python3 qemu-system-x86 qemu-system-gui ovmf gnu-efi libxxhash-dev mtools gdisk kbd gzip clang cpio)

installed() {
	local status
	status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$status" = "install ok installed" ]
}

missing=()
if ! installed build-essential; then
	for p in gcc make binutils libc6-dev; do
		if ! installed "$p"; then
			missing+=(build-essential)
			break
		fi
	done
fi
for p in "${packages[@]}"; do
	installed "$p" || missing+=("$p")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update </dev/null
	apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
	still=()
	for p in "${missing[@]}"; do
		installed "$p" || still+=("$p")
	done
	if [ ${#still[@]} -ne 0 ]; then
		echo "deps: still missing after apt-get install: ${still[*]}" >&2
		exit 1
	fi
	exit 0
fi

echo "BoxOS needs these packages: ${missing[*]}" >&2
echo "Install them with:" >&2
echo "    sudo apt-get install -y ${missing[*]}" >&2
exit 1
