#!/usr/bin/env bash
# mkimage.sh: builds the BoxOS GPT disk image, without root or loop devices.
#
#   tools/mkimage.sh OUT.img TAGBOOT.efi KERNEL.elf BUNDLE.bin CMDLINE.txt [VOLUME.img]
#
# A sparse file gets a GPT with an EFI System Partition (sector 2048 up to
# 64 MiB) and, when VOLUME.img is given, a second partition right after it
# of the BoxOS TagFS type (7a6f0b1e-5c2d-4b8f-9e31-b0c5f5a9d7e2, see
# docs/storage.md) holding VOLUME.img byte for byte (a TagFS volume made
# by build/tools/mktagfs; its size must be a multiple of 4 KiB).  Without
# a volume the image is 64 MiB and the ESP runs to its end.  The ESP is formatted FAT32 by mtools straight inside the file (the @@1M
# offset), holding:
#   /EFI/BOOT/BOOTX64.EFI   TagBoot (the firmware's default boot path)
#   /boxos/kernel.elf       the kernel
#   /boxos/bundle.bin       the app bundle (may be empty)
#   /boxos/cmdline.txt      the kernel command line
# Everything is written to a temporary file that replaces OUT.img only on
# success, so a failed build never leaves a half-made image.  Files in a copy
# can later be replaced with: mcopy -o -i IMG@@1M FILE ::/boxos/cmdline.txt
set -euo pipefail

die() { echo "mkimage: $*" >&2; exit 1; }

[ $# -eq 5 ] || [ $# -eq 6 ] || die "usage: $0 OUT.img TAGBOOT.efi KERNEL.elf BUNDLE.bin CMDLINE.txt [VOLUME.img]"
out=$1 tagboot=$2 kernel=$3 bundle=$4 cmdline=$5 volume=${6:-}
TAGFS_TYPE=7A6F0B1E-5C2D-4B8F-9E31-B0C5F5A9D7E2
[ -z "$volume" ] || [ -f "$volume" ] || die "missing volume image: $volume"

for f in "$tagboot" "$kernel" "$bundle" "$cmdline"; do
	[ -f "$f" ] || die "missing input file: $f"
done
for tool in truncate sgdisk mformat mmd mcopy; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (install gdisk, mtools, coreutils)"
done

export MTOOLS_SKIP_CHECK=1
tmp=$(mktemp "${out}.tmp.XXXXXX") || die "cannot create a temporary file next to $out"
trap 'rm -f "$tmp"' EXIT

if [ -z "$volume" ]; then
	truncate -s 64M "$tmp"
	sgdisk --clear --new=1:2048:0 --typecode=1:EF00 --change-name=1:"EFI System" \
		"$tmp" >/dev/null || die "sgdisk failed to partition $tmp"
else
	vbytes=$(stat -c %s "$volume")
	[ $((vbytes % 4096)) -eq 0 ] && [ "$vbytes" -gt 0 ] || die "$volume: size must be a positive multiple of 4096"
	vstart=131072                      # 64 MiB, 4 KiB aligned
	vend=$((vstart + vbytes / 512 - 1))
	# 1 MiB after the volume holds the backup GPT
	truncate -s $(( (vend + 1) * 512 + 1024 * 1024 )) "$tmp"
	sgdisk --clear --new=1:2048:$((vstart - 1)) --typecode=1:EF00 --change-name=1:"EFI System" \
		--new=2:$vstart:$vend --typecode=2:$TAGFS_TYPE --change-name=2:"BoxOS TagFS" \
		"$tmp" >/dev/null || die "sgdisk failed to partition $tmp"
	dd if="$volume" of="$tmp" bs=512 seek=$vstart conv=notrunc,sparse status=none \
		|| die "cannot copy $volume into partition 2"
fi

# The partition starts at 2048 * 512 = 1 MiB.  Its exact size is passed to
# mformat (-T), which would otherwise round the file system up to its disk
# geometry and run over the backup GPT at the end of the disk.  FAT32 needs
# at least 65525 clusters; mformat picks the cluster size, FAT16 is the
# fallback should it refuse.
last=$(sgdisk -i 1 "$tmp" | sed -n 's/^Last sector: \([0-9]*\).*/\1/p')
[ -n "$last" ] || die "cannot read the partition size back from sgdisk"
sectors=$((last - 2048 + 1))
part="$tmp@@1M"
if ! mformat -i "$part" -F -T "$sectors" -H 2048 -v BOXOS :: 2>/dev/null; then
	mformat -i "$part" -T "$sectors" -H 2048 -v BOXOS :: || die "mformat failed on $tmp"
fi

mmd -i "$part" ::/EFI ::/EFI/BOOT ::/boxos || die "mmd failed"
mcopy -i "$part" "$tagboot" ::/EFI/BOOT/BOOTX64.EFI || die "cannot copy $tagboot"
mcopy -i "$part" "$kernel" ::/boxos/kernel.elf || die "cannot copy $kernel"
mcopy -i "$part" "$bundle" ::/boxos/bundle.bin || die "cannot copy $bundle"
mcopy -i "$part" "$cmdline" ::/boxos/cmdline.txt || die "cannot copy $cmdline"

chmod 0644 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
