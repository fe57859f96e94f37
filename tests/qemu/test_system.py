"""test_system.py: the System Deck and the scheduler, end to end.

systest (apps/systest, run at SYSTEM) drives every System Deck op from a
Cabin and prints one line per step; its children are sysprobe and exit42
(see the header of apps/systest/main.c for what each step checks): proc
info/list and the start page, the demand-filled heap, spawn with
arguments and every refusal, 64 children at once, 100 ipc.send round trips
with an echo child (checksum of what crossed), kill of a spinning child
(which needs preemption on one CPU), proc.exit as an op, an APP child
finding SYSTEM/UTILITY ops closed, notify.send and ipc.broadcast reaching a
tagged listener exactly once, the Guide's warm plan noticing every change
to a resent Manifest or its Crates, and the use context.  Run with 1 and 4 CPUs;
the checksum must be the same in both, and the kernel must get back every
page systest and its children used (launch warns otherwise).
"""

from harness import check, expect_in_order, expect_once, forbid, kernel_re

STEPS = ["self", "heap", "spawn", "many", "ipc", "exitop", "perm", "events", "warm", "ctx"]


def systest_boot(ctx, cores):
    with ctx.boot(cores=cores, mem="512M", cmdline="run=systest:system after=poweroff") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    failed = [l for l in lines if "FAILED" in l]
    check(not failed, "systest steps failed: %s" % failed, b)
    expect_in_order(lines, [("step %s" % s, kernel_re(r"systest: %s ok" % s)) for s in STEPS] + [
        ("all steps passed", kernel_re(r"systest: all steps passed")),
        ("systest exits 0", kernel_re(r"cabin \d+ \(systest\) exited with status 0 on cpu\d+ \(auth system\)")),
        ("power-off", kernel_re(r"power: ACPI S5 power-off"))], b)
    leaks = [l for l in lines if "free pages" in l and "launch:" in l]
    check(not leaks, "pages not returned: %s" % leaks, b)
    _, m = expect_once(lines, kernel_re(r"systest: ipc 100 round trips, checksum ([0-9a-f]{16})"),
                       "ipc checksum line", b)
    check(status == 0, "QEMU exit status %s, expected 0" % status, b)
    return m.group(1)


def expected_checksum():
    """What systest must see: 100 messages of 16 bytes (round * 7 + i),
    each byte answered + 1, folded as sum = sum * 31 + byte (mod 2^64)."""
    total = 0
    for rnd in range(100):
        for i in range(16):
            total = (total * 31 + ((rnd * 7 + i + 1) & 0xFF)) & (2 ** 64 - 1)
    return "%016x" % total


def test_system_cores_1(ctx):
    got = systest_boot(ctx, 1)
    check(got == expected_checksum(), "ipc checksum %s, expected %s" % (got, expected_checksum()))


def test_system_cores_4(ctx):
    got = systest_boot(ctx, 4)
    check(got == expected_checksum(), "ipc checksum %s, expected %s" % (got, expected_checksum()))
