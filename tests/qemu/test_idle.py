"""test_idle.py: the idle system in 128 MiB.

Issue 4's memory target: the idle system (the shell and the display
daemon, which the shell starts detached) runs in MEM=128M, and `ps` shows
what each Cabin costs the kernel.  Boots an interactive system (no after=)
with 128 MiB on 1 and on 4 CPUs, waits for the prompt, runs `ps` and `df`
over the serial line and checks: the shell and display are listed with
their state, user pages and kernel KiB (all > 0), the totals line adds
up, the TagFS volume is mounted, and the kernel's boot line reports
`shell's first output`.
"""

import re

from harness import check, expect_once, kernel_re
from test_shell import Shell, first_prompt

PS_ROW = re.compile(r"^\*?\s*(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)")
PS_TOTAL = re.compile(r"^(\d+) Cabins, (\d+) user pages \((\d+) KiB\), (\d+) KiB of kernel memory$")


def idle_boot(ctx, cores):
    with ctx.boot(cores=cores, mem="128M", cmdline="loglevel=info", serial_input=True,
                  timeout=300) as b:
        sh = Shell(b)
        first_prompt(sh)
        lines = sh.run(b"ps\r")
        rows = {}
        total = None
        for line in lines:
            m = PS_ROW.match(line.strip())
            if m:
                rows[m.group(3)] = m
            t = PS_TOTAL.match(line.strip())
            if t:
                total = t
        for name in ("shell", "display", "ps"):
            check(name in rows, "ps does not list %s: %r" % (name, lines), b)
            m = rows[name]
            check(int(m.group(9)) > 0 and int(m.group(10)) > 0,
                  "%s: user pages %s, kernel KiB %s" % (name, m.group(9), m.group(10)), b)
        check(rows["display"].group(4) == "blocked", "the idle display daemon is %s, not blocked"
              % rows["display"].group(4), b)
        check(total is not None, "no ps totals line in %r" % lines, b)
        check(int(total.group(1)) == len(rows), "ps counts %s Cabins, lists %d" %
              (total.group(1), len(rows)), b)
        check(int(total.group(2)) == sum(int(m.group(9)) for m in rows.values()),
              "the user pages do not add up: %r" % lines, b)
        df = sh.run(b"df\r")
        check(any(l.startswith("volume ") for l in df), "df shows no volume: %r" % df, b)
        snap = b.snapshot()
        expect_once(snap, kernel_re(r"boot: ready: %d CPUs.*, 1\d\d MiB RAM managed" % cores),
                    "ready line with about 128 MiB", b)
        expect_once(snap, kernel_re(r"boot: shell's first output \d+\.\d+ ms after kernel entry"),
                    "first-output line", b)
        expect_once(snap, kernel_re(r"storage: mounted .*"), "the volume mounted", b)


def test_idle_128m_cores_1(ctx):
    idle_boot(ctx, 1)


def test_idle_128m_cores_4(ctx):
    idle_boot(ctx, 4)
