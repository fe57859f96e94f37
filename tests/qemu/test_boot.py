"""test_boot.py: QEMU integration tests of booting BoxOS (OVMF, TCG, q35).

Each test_* function is one test; tests/run.py calls it with a harness
Context and names it qemu/<name without test_>.  Every test boots a private
copy of build/boxos.img with its own kernel command line (or a broken
kernel), waits for QEMU to exit (or, for the fault test, for the halt line),
then checks the serial log line by line:

  boot_cores_1/2/4    cmdline "selftest": exit status 33, CPU roles, memory
                      zones, boot-time report, selftest summary
  fault_page          cmdline "fault=page": the fault report and backtrace
  fault_ud            cmdline "fault=ud": the same for an invalid opcode
  bad_kernel_not_elf  kernel.elf = 4 KiB of random bytes: TagBoot refuses it
  bad_kernel_truncated kernel.elf = its first 2000 bytes: TagBoot refuses it
  poweroff / reboot   cmdline "after=poweroff" / "after=reboot"
"""

import random
import re
import time

from harness import (EXIT_FAIL, EXIT_PASS, TIMESTAMP, check, expect_in_order,
                     expect_once, find, forbid, kernel_re, qemu)

# TagBoot writes through the firmware console: match the end of the line.
TAGBOOT_1 = re.compile(r"TagBoot 1: loading \\boxos\\kernel\.elf$")
TAGBOOT_8 = re.compile(r"TagBoot 8: exiting boot services, jumping to the kernel$")
CANNOT_BOOT = re.compile(r"TagBoot: cannot boot: \\boxos\\kernel\.elf: (.+)$")
POWERING_OFF = re.compile(r"TagBoot: powering off in 5 seconds$")

CPU_LINE = kernel_re(r"cpu(\d+): online as (K-Core and App-Core \(single CPU\)|K-Core|App-Core) \(APIC id (\d+)\)")
ANY_CPU_LINE = re.compile(r"cpu\d+: online")
ZONE_LINE = {z: kernel_re(r"mem: zone %s (\d+) MiB total, (\d+) MiB free" % z)
             for z in ("DMA32", "USER", "HIGH")}
BOOT_FIRMWARE = kernel_re(r"boot: firmware (\d+(?:\.\d+)?) ms \(reset to TagBoot entry\)")
BOOT_TAGBOOT = kernel_re(r"boot: TagBoot (\d+(?:\.\d+)?) ms \(entry to hand-off\)")
BOOT_KERNEL = kernel_re(r"boot: kernel (\d+(?:\.\d+)?) ms \(entry to ready\)")
# The kernel may add a description after the count: "... CPUs (cpu0 K-Core, ...".
READY = kernel_re(r"boot: ready: (\d+) CPUs(?: .*)?")
SELFTEST_FAILED = kernel_re(r"selftest: (\S+) FAILED: .*")
SELFTEST_SUMMARY = kernel_re(r"selftest: (\d+) passed, (\d+) failed")
SELFTEST_ANY_SUMMARY = re.compile(r"selftest: \d+ passed")

SINGLE = "K-Core and App-Core (single CPU)"


def selftest_boot(ctx, cores, mem):
    """Boots with cmdline "selftest" and checks what every such boot must show.

    Returns (lines, roles {cpu: role}, zones {name: (total, free)})."""
    with ctx.boot(cores=cores, mem=mem, cmdline="selftest") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    failed = [m.group(1) for _, m in find(lines, SELFTEST_FAILED)]
    check(not failed, "selftests failed: %s" % ", ".join(failed), b)
    check(status != EXIT_FAIL, "the kernel reported a selftest failure (exit status %d)" % status, b)
    check(status == EXIT_PASS, "QEMU exit status %d, expected %d (selftest pass)" % (status, EXIT_PASS), b)
    _, m = expect_once(lines, SELFTEST_SUMMARY, "selftest summary", b)
    passed, nfailed = int(m.group(1)), int(m.group(2))
    check(nfailed == 0 and passed > 0, "selftest summary: %d passed, %d failed" % (passed, nfailed), b)

    expect_in_order(lines, [("TagBoot step 1", TAGBOOT_1),
                            ("TagBoot command line", r'TagBoot 4: cmdline "selftest"$'),
                            ("TagBoot step 8", TAGBOOT_8),
                            ("cpu0 online", kernel_re(r"cpu0: online as .*")),
                            ("ready line", READY)], b)

    roles = {}
    cpu_hits = find(lines, CPU_LINE)
    check(len(cpu_hits) == len(find(lines, ANY_CPU_LINE)), "a malformed cpu line", b)
    for _, m in cpu_hits:
        n = int(m.group(1))
        check(n not in roles, "cpu%d came online twice" % n, b)
        roles[n] = m.group(2)
    check(sorted(roles) == list(range(cores)),
          "CPUs online: %s, expected cpu0..cpu%d" % (sorted(roles), cores - 1), b)
    ready_i, ready = expect_once(lines, READY, "boot: ready", b)
    check(int(ready.group(1)) == cores, "boot: ready: %s CPUs, expected %d" % (ready.group(1), cores), b)
    check(all(i < ready_i for i, _ in cpu_hits), "a cpu came online after the ready line", b)

    zones = {}
    for z, rx in ZONE_LINE.items():
        _, m = expect_once(lines, rx, "zone %s" % z, b)
        total, free = int(m.group(1)), int(m.group(2))
        check(free <= total, "zone %s: %d MiB free of %d MiB" % (z, free, total), b)
        zones[z] = (total, free)

    times = {}
    for what, rx in (("firmware", BOOT_FIRMWARE), ("TagBoot", BOOT_TAGBOOT), ("kernel", BOOT_KERNEL)):
        _, m = expect_once(lines, rx, "boot: %s" % what, b)
        times[what] = float(m.group(1))
    check(times["TagBoot"] > 0, "TagBoot time %s ms is not positive" % times["TagBoot"], b)
    check(times["kernel"] > 0, "kernel time %s ms is not positive" % times["kernel"], b)
    return b, lines, roles, zones


def test_boot_cores_1(ctx):
    b, lines, roles, zones = selftest_boot(ctx, 1, "512M")
    check(roles[0] == SINGLE, "cpu0 is %r, expected %r" % (roles[0], SINGLE), b)
    check(zones["DMA32"][0] == 64, "zone DMA32 %d MiB, expected 64" % zones["DMA32"][0], b)
    check(zones["HIGH"][0] == 0, "zone HIGH %d MiB, expected 0" % zones["HIGH"][0], b)
    check(380 <= zones["USER"][0] <= 448, "zone USER %d MiB, expected 380..448" % zones["USER"][0], b)
    total = sum(t for t, _ in zones.values())
    check(430 <= total <= 512, "zones total %d MiB, expected 430..512" % total, b)


def test_boot_cores_2(ctx):
    b, lines, roles, zones = selftest_boot(ctx, 2, "2G")
    check(roles[0] == "K-Core", "cpu0 is %r, expected K-Core" % roles[0], b)
    check(roles[1] == "App-Core", "cpu1 is %r, expected App-Core" % roles[1], b)
    total = sum(t for t, _ in zones.values())
    check(total <= 2048, "zones total %d MiB, more than the 2048 MiB of RAM" % total, b)


def test_boot_cores_4(ctx):
    b, lines, roles, zones = selftest_boot(ctx, 4, "4G")
    check(roles[0] == "K-Core", "cpu0 is %r, expected K-Core" % roles[0], b)
    for n in (1, 2, 3):
        check(roles[n] == "App-Core", "cpu%d is %r, expected App-Core" % (n, roles[n]), b)
    check(1900 <= zones["HIGH"][0] <= 2048, "zone HIGH %d MiB, expected 1900..2048" % zones["HIGH"][0], b)
    total = sum(t for t, _ in zones.values())
    check(3800 <= total <= 4096, "zones total %d MiB, expected 3800..4096" % total, b)


HEX = r"(?:0x)?[0-9A-Fa-f]+"
FAULT_HEADER = kernel_re(r"!!! KERNEL FAULT on cpu0: #PF page fault \(vector 14, error code 0x[0-9A-Fa-f]+\)")
FAULT_ADDR = re.compile(r"^" + TIMESTAMP + r"\s*page fault at " + HEX + r": \S")
BACKTRACE = kernel_re(r"\s*Backtrace:")
FRAME = re.compile(r"^" + TIMESTAMP + r"\s*#(\d+) " + HEX + r" ([A-Za-z_.$?][\w.$?]*)\+0x[0-9A-Fa-f]+\s*$")
HALTED = kernel_re(r"\s*System halted\.")


def fault_boot(ctx, kind, header):
    """Boots with fault=KIND; returns the log lines and the indices of the
    fault header, the Backtrace: line and the halt line, after checking the
    register dump and that frame #0 is selftest_fault_KIND with kmain below."""
    with ctx.boot(cores=2, mem="512M", cmdline="fault=" + kind, stop_on=r"System halted\.") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    check(status is None, "QEMU exited with status %s instead of halting" % status, b)
    expect_once(lines, re.compile(r"KERNEL FAULT"), "KERNEL FAULT", b)
    check(not find(lines, SELFTEST_ANY_SUMMARY), "a selftest summary line in a fault boot", b)
    (hi, _), (bi, _), (zi, _) = expect_in_order(
        lines, [("fault header", header), ("Backtrace:", BACKTRACE), ("System halted.", HALTED)], b)
    regs = lines[hi + 1:bi]
    for reg in ("RIP", "RAX", "R15", "CR2", "CR3"):
        check(any(re.search(r"\b%s\b" % reg, l) for l in regs), "no register line with %s" % reg, b)
    frames = [(int(m.group(1)), m.group(2)) for m in map(FRAME.search, lines[bi + 1:zi]) if m]
    check(frames, "no backtrace frames", b)
    check([n for n, _ in frames] == list(range(len(frames))),
          "frame numbers %s are not 0, 1, 2, ..." % [n for n, _ in frames], b)
    check(frames[0][1] == "selftest_fault_" + kind,
          "frame #0 is %s, expected selftest_fault_%s" % (frames[0][1], kind), b)
    check(any(sym == "kmain" for _, sym in frames[1:]),
          "no frame names kmain: %s" % [s for _, s in frames], b)
    return lines, hi, bi


def test_fault_ud(ctx):
    fault_boot(ctx, "ud", kernel_re(
        r"!!! KERNEL FAULT on cpu0: #UD invalid opcode \(vector 6, error code 0x0\)"))


def test_fault_page(ctx):
    with ctx.boot(cores=2, mem="512M", cmdline="fault=page", stop_on=r"System halted\.") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    check(status is None, "QEMU exited with status %s instead of halting" % status, b)
    expect_once(lines, re.compile(r"KERNEL FAULT"), "KERNEL FAULT", b)
    check(not find(lines, SELFTEST_ANY_SUMMARY), "a selftest summary line in a fault boot", b)
    (hi, _), (ai, _), (bi, _), (zi, _) = expect_in_order(
        lines, [("fault header", FAULT_HEADER), ("page fault address line", FAULT_ADDR),
                ("Backtrace:", BACKTRACE), ("System halted.", HALTED)], b)
    regs = lines[hi + 1:bi]
    for reg in ("RIP", "RAX", "R15", "CR2", "CR3"):
        check(any(re.search(r"\b%s\b" % reg, l) for l in regs), "no register line with %s" % reg, b)
    frames = []
    for line in lines[bi + 1:zi]:
        m = FRAME.search(line)
        if m:
            frames.append((int(m.group(1)), m.group(2)))
    check(frames, "no backtrace frames", b)
    check([n for n, _ in frames] == list(range(len(frames))),
          "frame numbers %s are not 0, 1, 2, ..." % [n for n, _ in frames], b)
    check(frames[0][1] == "selftest_fault_page",
          "frame #0 is %s, expected selftest_fault_page" % frames[0][1], b)
    check(any(sym == "kmain" for _, sym in frames[1:]),
          "no frame names kmain: %s" % [s for _, s in frames], b)


def bad_kernel_boot(ctx, kernel_bytes, reason):
    with ctx.boot(cores=1, mem="512M", files={"::/boxos/kernel.elf": kernel_bytes}) as b:
        m = b.wait_for(CANNOT_BOOT, timeout=60)
        status = b.wait_exit(timeout=max(1, 60 - (time.monotonic() - b.started)))
    lines = b.snapshot()
    if reason is not None:
        check(m.group(1) == reason, "TagBoot's reason %r, expected %r" % (m.group(1), reason), b)
    expect_in_order(lines, [("cannot-boot line", CANNOT_BOOT), ("powering-off line", POWERING_OFF)], b)
    check(status == 0, "QEMU exit status %d, expected 0 (power-off)" % status, b)
    check(not find(lines, re.compile(r"cpu0:")), "the kernel ran (cpu0 line)", b)
    forbid(lines, boot=b)


def test_bad_kernel_not_elf(ctx):
    junk = random.Random(20240101).randbytes(4096)
    check(not junk.startswith(b"\x7fELF"), "the random bytes start like an ELF file")
    bad_kernel_boot(ctx, junk, "not an ELF file")


def test_bad_kernel_truncated(ctx):
    kernel = qemu.image_get(ctx.image, "::/boxos/kernel.elf")
    check(len(kernel) > 2000, "the image's kernel.elf is only %d bytes" % len(kernel))
    bad_kernel_boot(ctx, kernel[:2000], None)


def power_boot(ctx, cores, cmdline, line, no_reboot=False):
    with ctx.boot(cores=cores, mem="512M", cmdline=cmdline, no_reboot=no_reboot) as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    expect_in_order(lines, [("ready line", READY), (line, kernel_re(re.escape(line)))], b)
    check(status == 0, "QEMU exit status %d, expected 0" % status, b)


def test_poweroff(ctx):
    power_boot(ctx, 2, "after=poweroff", "power: ACPI S5 power-off")


def test_reboot(ctx):
    power_boot(ctx, 1, "after=reboot", "power: reboot", no_reboot=True)
