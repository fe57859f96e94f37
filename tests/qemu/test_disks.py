"""test_disks.py: QEMU tests of the block drivers (PCI, AHCI, virtio-blk) and
the disk list, through the `disktest=SEED` command-line word.

Before each boot the host makes raw images in the test's temporary
directory: block 0 random (never with the 0x55 0xAA boot signature, which
would make disktest skip the disk), the rest random too, so nothing the
guest reports can be a leftover.  The guest prints the XXH3-64 of each
disk's block 0, writes a pattern derived from SEED (random per boot) to the
last 8 blocks, flushes, reads back and prints PASS or FAIL.  The host then
checks the hash against its own XXH3 (libxxhash through ctypes), and after
QEMU exited, that exactly the last 8 blocks of each image changed and now
hold the pattern.

  disks_cores_1 / disks_cores_4  boot disk on AHCI port 0 (partitioned:
                  SKIP), a 48 MiB AHCI disk (ahci1) and a 40 MiB + 1536 B
                  virtio-blk disk (vblk0: the partial last block is unused)
  disks_none      the boot image on USB: no SATA or virtio disk at all;
                  boots cleanly, "disk: no disks", disktest finds 0 disks
  disks_bad       a 2 KiB AHCI disk and a 2 KiB virtio disk (smaller than one
                  block: each logged and dropped), a read-only virtio disk
                  (SKIP, not written) and a good virtio disk, behind a PCIe
                  root port and a PCI bridge, that still passes
  disks_io_errors QEMU's blkdebug fails one read (AHCI) and one write
                  (virtio): driver error lines, FAIL at the right block, the
                  disks still read afterwards, the image holds what was written
  disks_timeout   both disks throttled to 512 B/s, so transfers outlast the
                  5 s timeout: timeout lines, FAIL, the virtio disk given up,
                  the boot still powers off (about a minute)
  disks_pc_legacy the i440fx machine: PCI through ports 0xCF8/0xCFC (no
                  MCFG), an added AHCI controller, a transitional virtio-blk
"""

import ctypes
import os
import random
import re
import struct
import tempfile

from harness import check, expect_in_order, expect_once, find, forbid, kernel_re

BLOCK = 4096
MASK = (1 << 64) - 1

DISK_LINE = kernel_re(r"disk: (\w+): (.*), (\d+) MiB( \(read-only\))?")
HASH_LINE = kernel_re(r"disktest: (\w+): block 0 xxh3 ([0-9a-f]{16})")
PASS_LINE = kernel_re(r"disktest: (\w+): PASS: blocks (\d+)-(\d+) written, flushed, read back")
FAIL_LINE = re.compile(r"disktest: (\w+): FAIL: (.*)$")
SKIP_LINE = kernel_re(r"disktest: (\w+): SKIP: (.*)")
SUMMARY = kernel_re(r"disktest: (\d+) disks: (\d+) passed, (\d+) failed, (\d+) skipped \(seed (0x[0-9a-f]+|0)\)")
POWER_OFF = kernel_re(r"power: ACPI S5 power-off")


def xxh3(data):
    lib = ctypes.CDLL("libxxhash.so.0")
    f = lib.XXH3_64bits
    f.restype = ctypes.c_uint64
    f.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    return f(data, len(data))


def pattern_block(seed, block):
    """The guest's disktest_pattern_word() for one whole block."""
    words = [(((((block << 16) | k) ^ seed) * 0x9E3779B97F4A7C15) + 0x426F784F53) & MASK
             for k in range(BLOCK // 8)]
    return struct.pack("<%dQ" % len(words), *words)


def make_image(path, size, rng):
    """A random image; block 0 never carries the boot signature."""
    data = bytearray(rng.randbytes(size))
    if data[510] == 0x55 and data[511] == 0xAA:
        data[511] = 0
    with open(path, "wb") as f:
        f.write(data)
    return bytes(data)


def check_image_after(path, before, seed, b, name):
    """Only the last 8 whole blocks changed, and they hold the pattern."""
    with open(path, "rb") as f:
        after = f.read()
    check(len(after) == len(before), "%s: image size changed" % name, b)
    blocks = len(before) // BLOCK
    first = blocks - 8
    check(after[:first * BLOCK] == before[:first * BLOCK],
          "%s: bytes before block %d changed" % (name, first), b)
    check(after[blocks * BLOCK:] == before[blocks * BLOCK:],
          "%s: the partial block at the end changed" % name, b)
    for blk in range(first, blocks):
        got = after[blk * BLOCK:(blk + 1) * BLOCK]
        check(got == pattern_block(seed, blk),
              "%s: block %d does not hold the pattern the guest wrote" % (name, blk), b)
    return first, blocks - 1


def boot_disktest(ctx, cores, disks, boot_disk="ahci", seed=None):
    """Boots with disktest=SEED after=poweroff; returns (boot, lines, seed)."""
    if seed is None:
        seed = random.getrandbits(60)
    cmdline = "disktest=%x after=poweroff" % seed
    b = ctx.boot(cores=cores, mem="512M", cmdline=cmdline, disks=disks, boot_disk=boot_disk)
    with b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)
    expect_in_order(lines, [("ready line", kernel_re(r"boot: ready: .*")),
                            ("disktest summary", SUMMARY),
                            ("power-off", POWER_OFF)], b)
    return b, lines, seed


def disk_table(lines, b):
    out = {}
    for _, m in find(lines, DISK_LINE):
        check(m.group(1) not in out, "disk %s registered twice" % m.group(1), b)
        out[m.group(1)] = (m.group(2), int(m.group(3)), bool(m.group(4)))
    return out


def good_disks(ctx, cores):
    rng = random.Random()
    with tempfile.TemporaryDirectory(prefix="boxos-disks-") as d:
        ahci_path = os.path.join(d, "ahci.img")
        vblk_path = os.path.join(d, "vblk.img")
        ahci_data = make_image(ahci_path, 48 << 20, rng)
        vblk_data = make_image(vblk_path, (40 << 20) + 1536, rng)
        b, lines, seed = boot_disktest(ctx, cores, [(ahci_path, "ahci"), (vblk_path, "virtio")])

        disks = disk_table(lines, b)
        check(sorted(disks) == ["ahci0", "ahci1", "vblk0"],
              "disks found: %s, expected ahci0 (boot), ahci1, vblk0" % sorted(disks), b)
        check(disks["ahci1"][1] == 48, "ahci1 is %d MiB, expected 48" % disks["ahci1"][1], b)
        check(disks["vblk0"][1] == 40, "vblk0 is %d MiB, expected 40" % disks["vblk0"][1], b)
        check(disks["ahci1"][0] == "QEMU HARDDISK", "ahci1 model %r" % disks["ahci1"][0], b)
        check(disks["vblk0"][0].startswith("virtio-blk"), "vblk0 model %r" % disks["vblk0"][0], b)
        pci = find(lines, kernel_re(r"pci: 00:[0-9a-f]{2}\.\d 1af4:1042 01\.00\.00 .*"))
        check(len(pci) == 1, "expected one modern virtio-blk PCI line, found %d" % len(pci), b)

        hashes = {m.group(1): m.group(2) for _, m in find(lines, HASH_LINE)}
        for name, data in (("ahci1", ahci_data), ("vblk0", vblk_data)):
            want = "%016x" % xxh3(data[:BLOCK])
            check(hashes.get(name) == want,
                  "%s: guest read block 0 with xxh3 %s, host wrote %s" % (name, hashes.get(name), want), b)

        fails = [m.group(0) for _, m in find(lines, FAIL_LINE)]
        check(not fails, "disktest failures: %s" % fails, b)
        _, skip = expect_once(lines, SKIP_LINE, "disktest SKIP", b)
        check(skip.group(1) == "ahci0" and skip.group(2).startswith("partitioned"),
              "unexpected SKIP line: %s" % skip.group(0), b)
        passed = {m.group(1): (int(m.group(2)), int(m.group(3))) for _, m in find(lines, PASS_LINE)}
        check(sorted(passed) == ["ahci1", "vblk0"], "PASS lines for %s" % sorted(passed), b)
        _, s = expect_once(lines, SUMMARY, "disktest summary", b)
        check(s.groups()[:4] == ("3", "2", "0", "1"), "summary: %s" % s.group(0), b)
        check(int(s.group(5), 16) == seed, "summary seed %s, sent %x" % (s.group(5), seed), b)

        for name, path, data in (("ahci1", ahci_path, ahci_data), ("vblk0", vblk_path, vblk_data)):
            span = check_image_after(path, data, seed, b, name)
            check(passed[name] == span, "%s: guest says blocks %d-%d, host expects %d-%d"
                  % ((name,) + passed[name] + span), b)


def test_disks_cores_1(ctx):
    good_disks(ctx, 1)


def test_disks_cores_4(ctx):
    good_disks(ctx, 4)


def test_disks_none(ctx):
    b, lines, _ = boot_disktest(ctx, 1, [], boot_disk="usb")
    check(not find(lines, DISK_LINE), "a disk was registered with no disk attached", b)
    expect_once(lines, kernel_re(r"disk: no disks"), "no-disks line", b)
    expect_once(lines, kernel_re(r"ahci: controller 0 at 00:1f\.2: .*"), "AHCI controller line", b)
    _, s = expect_once(lines, SUMMARY, "disktest summary", b)
    check(s.groups()[:4] == ("0", "0", "0", "0"), "summary: %s" % s.group(0), b)


def test_disks_bad(ctx):
    rng = random.Random()
    with tempfile.TemporaryDirectory(prefix="boxos-disks-") as d:
        tiny_ahci = os.path.join(d, "tiny_ahci.img")
        tiny_vblk = os.path.join(d, "tiny_vblk.img")
        ro_path = os.path.join(d, "ro.img")
        good_path = os.path.join(d, "good.img")
        make_image(tiny_ahci, 2048, rng)
        make_image(tiny_vblk, 2048, rng)
        ro_data = make_image(ro_path, 8 << 20, rng)
        good_data = make_image(good_path, 16 << 20, rng)
        # the read-only disk goes through extra arguments (qemu.py's disks are
        # writable), and so does the good one: behind a PCIe root port and a
        # PCIe-to-PCI bridge, two buses down, to exercise the bridge walk
        extra = ["-drive", "if=none,id=rodisk,file=%s,format=raw,readonly=on" % ro_path,
                 "-device", "virtio-blk-pci,drive=rodisk,disable-legacy=on",
                 "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1",
                 "-device", "pcie-pci-bridge,id=br1,bus=rp1",
                 "-drive", "if=none,id=good,file=%s,format=raw" % good_path,
                 "-device", "virtio-blk-pci,drive=good,bus=br1,addr=3,disable-legacy=on"]
        seed = random.getrandbits(60)
        b = ctx.boot(cores=2, mem="512M", cmdline="disktest=%x after=poweroff" % seed,
                     disks=[(tiny_ahci, "ahci"), (tiny_vblk, "virtio")], extra=extra)
        with b:
            status = b.wait_exit()
        lines = b.snapshot()
        forbid(lines, boot=b)
        check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)
        behind = find(lines, kernel_re(r"pci: (0[1-9a-f]|[1-9a-f][0-9a-f]):03\.0 1af4:1042 .*"))
        check(len(behind) == 1, "the virtio disk behind the bridges was not enumerated", b)
        dropped = find(lines, kernel_re(r"(?:ahci: controller 0 port 1|virtio-blk: 00:[0-9a-f]{2}\.\d): "
                                        r"smaller than one 4 KiB block; disk ignored"))
        check(len(dropped) == 2, "expected 2 dropped tiny disks, found %d" % len(dropped), b)
        disks = disk_table(lines, b)
        check(sorted(disks) == ["ahci0", "vblk0", "vblk1"],
              "disks found: %s, expected ahci0, vblk0, vblk1" % sorted(disks), b)
        ro = [n for n, (_, mib, ro) in disks.items() if ro]
        check(len(ro) == 1 and disks[ro[0]][1] == 8, "read-only disks: %s" % ro, b)
        rw = "vblk1" if ro[0] == "vblk0" else "vblk0"
        check(disks[rw][1] == 16, "%s is %d MiB, expected 16" % (rw, disks[rw][1]), b)
        skips = {m.group(1): m.group(2) for _, m in find(lines, SKIP_LINE)}
        check(skips.get(ro[0], "").startswith("read-only"), "no read-only SKIP for %s" % ro[0], b)
        hashes = {m.group(1): m.group(2) for _, m in find(lines, HASH_LINE)}
        check(hashes.get(ro[0]) == "%016x" % xxh3(ro_data[:BLOCK]), "read-only disk hash", b)
        check(hashes.get(rw) == "%016x" % xxh3(good_data[:BLOCK]), "good disk hash", b)
        check(not find(lines, FAIL_LINE), "a disktest FAIL line", b)
        passed = {m.group(1) for _, m in find(lines, PASS_LINE)}
        check(passed == {rw}, "PASS lines for %s, expected %s" % (sorted(passed), rw), b)
        with open(ro_path, "rb") as f:
            check(f.read() == ro_data, "the read-only image changed", b)
        check_image_after(good_path, good_data, seed, b, rw)


def blkdebug_conf(path, iotype, sector):
    """A QEMU blkdebug rule: the first `iotype` request touching `sector` fails with EIO."""
    with open(path, "w") as f:
        f.write('[inject-error]\nevent = "%s_aio"\niotype = "%s"\nerrno = "5"\n'
                'sector = "%d"\nonce = "on"\n' % (iotype, iotype, sector))


def test_disks_io_errors(ctx):
    """QEMU's blkdebug fails one read on the AHCI disk and one write on the
    virtio disk: each failure is logged by the driver, disktest reports
    FAIL at the right block, the disk still reads afterwards (the AHCI port
    was recovered), and the boot goes on to power off."""
    rng = random.Random()
    with tempfile.TemporaryDirectory(prefix="boxos-disks-") as d:
        ahci_path = os.path.join(d, "ahci.img")
        vblk_path = os.path.join(d, "vblk.img")
        ahci_data = make_image(ahci_path, 24 << 20, rng)
        vblk_data = make_image(vblk_path, 20 << 20, rng)
        ahci_blocks, vblk_blocks = len(ahci_data) // BLOCK, len(vblk_data) // BLOCK
        bad_read = ahci_blocks - 8 + 2   # read back of this block fails
        bad_write = vblk_blocks - 8 + 5  # writing this block fails
        blkdebug_conf(os.path.join(d, "r.conf"), "read", bad_read * 8 + 3)
        blkdebug_conf(os.path.join(d, "w.conf"), "write", bad_write * 8 + 6)
        extra = ["-drive", "if=none,id=e0,format=raw,file=blkdebug:%s:%s" % (os.path.join(d, "r.conf"), ahci_path),
                 "-device", "ide-hd,drive=e0,bus=ide.1",
                 "-drive", "if=none,id=e1,format=raw,file=blkdebug:%s:%s" % (os.path.join(d, "w.conf"), vblk_path),
                 "-device", "virtio-blk-pci,drive=e1,disable-legacy=on"]
        seed = random.getrandbits(60)
        b = ctx.boot(cores=1, mem="512M", cmdline="disktest=%x after=poweroff" % seed, extra=extra)
        with b:
            status = b.wait_exit()
        lines = b.snapshot()
        forbid(lines, boot=b)
        check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)
        expect_in_order(lines, [
            ("AHCI driver error", kernel_re(r"ahci1: command 0x25 lba %d failed: status 0x[0-9a-f]+ error .*"
                                            % (bad_read * 8))),
            ("AHCI FAIL", kernel_re(r"disktest: ahci1: FAIL: read back block %d: error -1" % bad_read)),
            ("AHCI recovered", kernel_re(r"disktest: ahci1: after the failure block 0 still reads")),
            ("virtio driver error", kernel_re(r"vblk0: request type 1 sector %d failed: status 1 \(I/O error\)"
                                              % (bad_write * 8))),
            ("virtio FAIL", kernel_re(r"disktest: vblk0: FAIL: write block %d: error -1" % bad_write)),
            ("virtio still reads", kernel_re(r"disktest: vblk0: after the failure block 0 still reads")),
            ("summary", kernel_re(r"disktest: 3 disks: 0 passed, 2 failed, 1 skipped .*")),
            ("power-off", POWER_OFF)], b)
        # the AHCI disk: all 8 blocks were written and flushed before the read failed
        check_image_after(ahci_path, ahci_data, seed, b, "ahci1")
        # the virtio disk: blocks before the failed one written, the rest untouched
        with open(vblk_path, "rb") as f:
            after = f.read()
        first = vblk_blocks - 8
        for blk in range(first, vblk_blocks):
            got = after[blk * BLOCK:(blk + 1) * BLOCK]
            want = pattern_block(seed, blk) if blk < bad_write else vblk_data[blk * BLOCK:(blk + 1) * BLOCK]
            check(got == want, "vblk0: block %d is %s" % (blk, "not the pattern" if blk < bad_write
                                                             else "changed after the failed write"), b)


def test_disks_timeout(ctx):
    """Both disks throttled by QEMU to 512 bytes/s, so a 4 KiB transfer takes
    about 8 s, past the drivers' 5 s timeout: each driver logs the timeout
    (AHCI resets the port, virtio resets the device and gives the disk up),
    disktest reports FAIL, and the boot still powers off."""
    rng = random.Random()
    with tempfile.TemporaryDirectory(prefix="boxos-disks-") as d:
        ahci_path = os.path.join(d, "ahci.img")
        vblk_path = os.path.join(d, "vblk.img")
        make_image(ahci_path, 8 << 20, rng)
        make_image(vblk_path, 8 << 20, rng)
        extra = ["-drive", "if=none,id=e0,format=raw,file=%s,bps=512" % ahci_path,
                 "-device", "ide-hd,drive=e0,bus=ide.1",
                 "-drive", "if=none,id=e1,format=raw,file=%s,bps=512" % vblk_path,
                 "-device", "virtio-blk-pci,drive=e1,disable-legacy=on"]
        b = ctx.boot(cores=1, mem="512M", cmdline="disktest after=poweroff", extra=extra, timeout=240)
        with b:
            status = b.wait_exit()
        lines = b.snapshot()
        forbid(lines, boot=b)
        check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)
        expect_in_order(lines, [
            ("AHCI timeout", kernel_re(r"ahci1: command 0x[0-9a-f]+ lba \d+ timed out after 5000 ms .*")),
            ("AHCI FAIL", kernel_re(r"disktest: ahci1: FAIL: .*")),
            ("AHCI after", kernel_re(r"disktest: ahci1: after the failure block 0 .*")),
            ("virtio timeout", kernel_re(r"vblk0: request type \d+ sector \d+ timed out after 5000 ms; "
                                         r"device reset, disk marked failed")),
            ("virtio FAIL", kernel_re(r"disktest: vblk0: FAIL: .*")),
            ("virtio given up", kernel_re(r"disktest: vblk0: after the failure block 0 does not read: error -1")),
            ("summary", kernel_re(r"disktest: 3 disks: 0 passed, 2 failed, 1 skipped .*")),
            ("power-off", POWER_OFF)], b)


def test_disks_pc_legacy(ctx):
    """The older i440fx machine ("pc"): no MCFG, so PCI goes through ports
    0xCF8/0xCFC; the boot image is on the PIIX IDE controller (no driver,
    ignored), an added AHCI controller has a disk on port 2, and the
    virtio-blk device is transitional (1AF4:1001, legacy and modern)."""
    rng = random.Random()
    with tempfile.TemporaryDirectory(prefix="boxos-disks-") as d:
        ahci_path = os.path.join(d, "ahci.img")
        vblk_path = os.path.join(d, "vblk.img")
        ahci_data = make_image(ahci_path, 12 << 20, rng)
        vblk_data = make_image(vblk_path, 20 << 20, rng)
        extra = ["-machine", "pc", "-device", "ahci,id=ahci",
                 "-drive", "if=none,id=e0,format=raw,file=%s" % ahci_path,
                 "-device", "ide-hd,drive=e0,bus=ahci.2",
                 "-drive", "if=none,id=e1,format=raw,file=%s" % vblk_path,
                 "-device", "virtio-blk-pci,drive=e1"]
        seed = random.getrandbits(60)
        b = ctx.boot(cores=2, mem="512M", cmdline="disktest=%x after=poweroff" % seed, extra=extra)
        with b:
            status = b.wait_exit()
        lines = b.snapshot()
        forbid(lines, boot=b)
        check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)
        expect_once(lines, kernel_re(r"pci: no MCFG; configuration through ports 0xCF8/0xCFC"),
                    "legacy PCI access line", b)
        expect_once(lines, kernel_re(r"pci: 00:[0-9a-f]{2}\.\d 1af4:1001 01\.00\.00 .*"),
                    "transitional virtio-blk PCI line", b)
        disks = disk_table(lines, b)
        check(sorted(disks) == ["ahci0", "vblk0"], "disks found: %s" % sorted(disks), b)
        check(disks["ahci0"][1] == 12 and disks["vblk0"][1] == 20,
              "disk sizes %d and %d MiB, expected 12 and 20" % (disks["ahci0"][1], disks["vblk0"][1]), b)
        hashes = {m.group(1): m.group(2) for _, m in find(lines, HASH_LINE)}
        passed = {m.group(1): (int(m.group(2)), int(m.group(3))) for _, m in find(lines, PASS_LINE)}
        for name, path, data in (("ahci0", ahci_path, ahci_data), ("vblk0", vblk_path, vblk_data)):
            want = "%016x" % xxh3(data[:BLOCK])
            check(hashes.get(name) == want, "%s: guest hash %s, host %s" % (name, hashes.get(name), want), b)
            span = check_image_after(path, data, seed, b, name)
            check(passed.get(name) == span, "%s: PASS span %s, expected %s" % (name, passed.get(name), span), b)
        _, s = expect_once(lines, SUMMARY, "disktest summary", b)
        check(s.groups()[:4] == ("2", "2", "0", "0"), "summary: %s" % s.group(0), b)
