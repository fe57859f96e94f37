"""test_sched.py: the App-Cores' scheduler with CPU-bound Cabins.

schedtest (apps/schedtest, run at SYSTEM) spawns `sysprobe spin` children
and reads how many timer ticks each got through system.proc.info:
  sched_fair_boost_cores_1 / _cores_2
      one App-Core (cpu0 itself, or cpu1): two spinners share it fairly
      (neither under a third of the other), and with one tagged `fast` and
      the use context set to `fast` the tagged one gets more than twice the
      ticks of the other (MLFQ: it is queued a level higher);
  sched_steal_cores_4
      two spinners per App-Core; after the last core's two are killed it
      steals a queued spinner from another core.
"""

from harness import check, expect_in_order, forbid, kernel_re


def schedtest(ctx, cores, steps):
    with ctx.boot(cores=cores, mem="512M", cmdline="run=schedtest:system after=poweroff") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    failed = [l for l in lines if "FAILED" in l]
    check(not failed, "schedtest steps failed: %s" % failed, b)
    expect_in_order(lines, [("step " + s, kernel_re(r"schedtest: %s: .* ok" % s)) for s in steps] + [
        ("all steps passed", kernel_re(r"schedtest: all steps passed")),
        ("schedtest exits 0", kernel_re(r"cabin \d+ \(schedtest\) exited with status 0 on cpu\d+ \(auth system\)"))], b)
    check(status == 0, "QEMU exit status %s, expected 0" % status, b)


def test_sched_fair_boost_cores_1(ctx):
    schedtest(ctx, 1, ["fair", "boost"])


def test_sched_fair_boost_cores_2(ctx):
    schedtest(ctx, 2, ["fair", "boost"])


def test_sched_steal_cores_4(ctx):
    schedtest(ctx, 4, ["steal"])
