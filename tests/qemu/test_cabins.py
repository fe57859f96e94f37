"""test_cabins.py: QEMU tests of Cabins, the programs BoxOS runs in ring 3.

The kernel runs programs from the boot bundle when the command line says
`run=a,b,...` and logs how each ended; `cabintest=N` spawns and reaps N
Cabins and compares the free-page count before and after.

  cabins_cores_1 / cabins_cores_2 / cabins_cores_4
      exit42 exits with 42; regcheck makes 100000 notify calls and finds
      every register it set unchanged (exit 0); badnotify gets the right
      errors for an unknown verb and an empty WAIT (exit 0); fault touches
      address 0 and is killed with a page fault while the kernel goes on;
      chain sends Manifests through its Pocket ring (fill, a hash fed by the
      fill, execution.result), checks every Result, the bytes written, the
      sizes written back, and the errors for an unknown op, a kernel pointer
      and an unmapped Crate (exit 0 means every check held); hostile (run
      just before chain, so chain also shows the kernel is fine afterwards)
      attacks the ring with one bad Pocket at a time: kernel-half,
      non-canonical and unmapped pointers, malformed Manifests, bad Crate
      indices, overlaps and sizes, partly mapped and read-only Crates,
      unknown Pocket flags, then a corrupted Pocket ring head and a ring
      filled to the brim before the doorbell; exit 0 means every attack got
      its exact error Result and normal Manifests still worked; hwtest (run
      before chain) drives the Hardware Deck: console.write lines show up
      in the kernel log as "hwtest: ...", timer.ticks, rtc.read and
      cpu.info give sane values, the SYSTEM ops port.out and
      system.shutdown are refused with BOX_ERR_PERM (the machine stays up),
      and a fill feeds a console.write (exit 0 means every check held);
      tracetest (run at UTILITY, `tracetest:utility`, before chain) reads
      PerfTrace through system.trace.read: its fills are the newest entries,
      an unknown op leaves none, TSCs never go back (exit 0, logged with
      "(auth utility)").
  cabins_no_leak / cabins_no_leak_cores_1
      1000 Cabins, up to 32 alive at once, spread by the scheduler over
      every App-Core (each of cpu1-3 runs some; with one CPU, cpu0 runs
      them all): every one exits 42, and the free pages and heap bytes in
      use come back to where they were.
"""

import re

from harness import check, expect_in_order, expect_once, forbid, kernel_re

EXITED = r"cabin \d+ \(%s\) exited with status %s on cpu(\d+)"
KILLED = kernel_re(r"cabin \d+ \(fault\) killed on cpu(\d+): #PF page fault at 0x0 \(rip 0x[0-9a-f]+\)")
POWER_OFF = kernel_re(r"power: ACPI S5 power-off")


def cabins_boot(ctx, cores):
    with ctx.boot(cores=cores, mem="512M",
                  cmdline="run=exit42,regcheck,badnotify,fault,exit42,hostile,hwtest,tracetest:utility,chain after=poweroff") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    hits = expect_in_order(lines, [
        ("exit42 exits 42", kernel_re(EXITED % ("exit42", "42"))),
        ("regcheck keeps every register", kernel_re(EXITED % ("regcheck", "0"))),
        ("badnotify gets the right errors", kernel_re(EXITED % ("badnotify", "0"))),
        ("fault is killed", KILLED),
        ("the kernel runs the next Cabin", kernel_re(EXITED % ("exit42", "42"))),
        ("hostile's attacks all get their errors", kernel_re(EXITED % ("hostile", "0"))),
        ("hwtest's console.write line", kernel_re(r"hwtest: hello from a Cabin")),
        ("hwtest's fed console.write line", kernel_re(r"hwtest: xxxxxxxx")),
        ("hwtest's Hardware Deck checks all hold", kernel_re(EXITED % ("hwtest", "0"))),
        ("tracetest reads PerfTrace as a UTILITY Cabin",
         kernel_re(EXITED % ("tracetest", "0") + r" \(auth utility\)")),
        ("chain's Manifests all check out", kernel_re(EXITED % ("chain", "0"))),
        ("power-off", POWER_OFF)], b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)
    # the Cabin exit lines and the kill line carry the cpu (the two hwtest: lines do not)
    return [int(m.group(1)) for k, (_, m) in enumerate(hits[:11]) if k not in (6, 7)], b


def test_cabins_cores_1(ctx):
    used, b = cabins_boot(ctx, 1)
    check(set(used) == {0}, "Cabins ran on cpus %s, expected only cpu0" % used, b)


def test_cabins_cores_2(ctx):
    used, b = cabins_boot(ctx, 2)
    check(set(used) == {1}, "Cabins ran on cpus %s, expected the App-Core cpu1" % used, b)


def test_cabins_cores_4(ctx):
    used, b = cabins_boot(ctx, 4)
    check(set(used) == {1, 2, 3}, "Cabins ran on cpus %s, expected App-Cores 1-3 in turn" % used, b)


def leak_boot(ctx, cores, app_cores):
    with ctx.boot(cores=cores, mem="512M", cmdline="cabintest=1000 after=poweroff") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    _, m = expect_once(lines, kernel_re(
        r"cabintest: (\d+) of (\d+) Cabins exited with 42; free pages (\d+) before, (\d+) after; "
        r"heap bytes in use (\d+) before, (\d+) after: (no leak|LEAK)"), "cabintest line", b)
    ok, count, before, after, h0, h1, verdict = m.groups()
    check(int(count) == 1000 and int(ok) == 1000, "%s of %s Cabins exited with 42" % (ok, count), b)
    check(int(before) == int(after), "free pages %s before, %s after" % (before, after), b)
    check(int(h0) == int(h1), "heap bytes in use %s before, %s after" % (h0, h1), b)
    check(verdict == "no leak", "the kernel says %s" % verdict, b)
    _, spread = expect_once(lines, kernel_re(r"cabintest: ran on (.*)"), "cabintest spread line", b)
    ran = {int(cpu): int(n) for cpu, n in re.findall(r"cpu(\d+) (\d+)", spread.group(1))}
    check(sum(ran.values()) == 1000, "the spread %s does not add up to 1000" % ran, b)
    check(set(ran) == set(app_cores), "Cabins ran on %s, expected every one of %s" %
          (sorted(ran), app_cores), b)
    check(status == 0, "QEMU exit status %s, expected 0" % status, b)


def test_cabins_no_leak(ctx):
    leak_boot(ctx, 4, [1, 2, 3])


def test_cabins_no_leak_cores_1(ctx):
    leak_boot(ctx, 1, [0])
