#!/usr/bin/env python3
"""bench.py: boot BoxOS, run the bench app, save what it printed (`make bench`).

    python3 tools/bench.py [--image build/boxos.img] [--out build/bench]
                           [--modes tcg,icount] [--cores 4] [--mem 2G] [--repeat N]

For each mode it boots the image with tools/qemu.py's Boot, command line
`run=bench:system,benchcsv:system after=poweroff` (--apps: the table,
then the same as CSV from a second run), and writes OUT/MODE.txt: the QEMU command, the host, the kernel's
boot report (its `boot: kernel N ms (entry to ready)` line) and everything
bench printed, without the kernel's timestamps; the whole serial log goes
to OUT/MODE.log.

Modes:
  tcg     multi-threaded TCG (-accel tcg,thread=multi): real time on this host
  icount  deterministic (-accel tcg,thread=single -icount shift=0,sleep=off):
          the virtual clock, and so the TSC, advances 1 ns per guest
          instruction, so every figure is an instruction count.  --repeat 2
          boots it twice and checks that every row's min and median cycles
          are identical (p99 and max can catch a timer tick in another
          round, and ns follow the kernel's TSC calibration); any difference
          at all is written to OUT/icount.diff.
"""

import argparse
import functools
import datetime
import difflib
import os
import platform
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import Boot, BootError, QemuError  # noqa: E402

MODES = {
    "tcg": {"accel": "tcg,thread=multi", "extra": []},
    "icount": {"accel": "tcg,thread=single", "extra": ["-icount", "shift=0,sleep=off"]},
}

print = functools.partial(print, flush=True)  # progress shows at once, even in a pipe

TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s*")


def host_description():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d host CPUs, %s %s" % (model, os.cpu_count() or 0, platform.system(),
                                        platform.release())


def run_once(image, mode, cores, mem, apps, timeout, log_path):
    cfg = MODES[mode]
    cmdline = "run=%s after=poweroff" % ",".join(a + ":system" for a in apps)
    with Boot(image, cores=cores, mem=mem, cmdline=cmdline, extra=cfg["extra"],
              accel=cfg["accel"], timeout=timeout, log_path=log_path,
              name="bench-%s" % mode) as b:
        status = b.wait_exit()
        lines = b.snapshot()
        command = " ".join(b.command)
    return status, lines, command


def summarize(lines, apps):
    """(kernel lines worth keeping, bench lines without timestamps, first bench line's time)."""
    kernel, bench, first = [], [], None
    for line in lines:
        m = TIMESTAMP.match(line)
        body = line[m.end():] if m else line
        if body.startswith("boot: ") or body.startswith("timer: TSC"):
            kernel.append(line)
        elif any(body.startswith(a + ": ") for a in ["bench"] + apps):
            if first is None and m:
                first = float(line[1:line.index("]")])
            bench.append(body)
        elif re.match(r"cabin \d+ \((%s)\) (exited|killed)" % "|".join(map(re.escape, apps)), body):
            bench.append(body)
    return kernel, bench, first


TABLE_ROW = re.compile(r"^(\S+): (\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+\|")
CSV_ROW = re.compile(r"^(\S+): row,([^,]+),(\d+),(\d+),(\d+),(\d+),")


def cycle_figures(lines):
    """(program, row, iterations, min, median) of every row: what icount must
    reproduce exactly.  max (and p99, which is the max of a row with fewer
    than 100 samples) can catch a timer tick in another round; ns follow
    the kernel's TSC calibration, which varies in the last digits."""
    out = []
    for line in lines:
        m = TABLE_ROW.match(line) or CSV_ROW.match(line)
        if m:
            out.append(m.groups()[:5])
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="Run the bench app under QEMU and save its output.")
    ap.add_argument("--image", default="build/boxos.img")
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--modes", default="tcg,icount")
    ap.add_argument("--cores", type=int, default=4)
    ap.add_argument("--mem", default="2G")
    ap.add_argument("--apps", default="bench,benchcsv",
                    help="programs run one after another: bench (table), benchcsv (CSV)")
    ap.add_argument("--repeat", type=int, default=1, help="boots per icount run, compared")
    ap.add_argument("--timeout", type=int, default=900)
    args = ap.parse_args(argv)
    apps = [a.strip() for a in args.apps.split(",") if a.strip()]

    os.makedirs(args.out, exist_ok=True)
    failed = False
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        if mode not in MODES:
            print("bench.py: unknown mode %r (tcg, icount)" % mode, file=sys.stderr)
            return 2
        log_path = os.path.join(args.out, mode + ".log")
        if os.path.exists(log_path):
            os.unlink(log_path)
        runs = args.repeat if mode == "icount" else 1
        outputs = []
        for i in range(runs):
            print("bench.py: %s boot %d of %d (CORES=%d, MEM=%s)..." % (mode, i + 1, runs,
                                                                        args.cores, args.mem))
            try:
                status, lines, command = run_once(args.image, mode, args.cores, args.mem,
                                                  apps, args.timeout, log_path)
            except (BootError, QemuError) as e:
                print("bench.py: %s: %s" % (mode, e), file=sys.stderr)
                failed = True
                break
            kernel, bench, first = summarize(lines, apps)
            outputs.append(bench)
            text = ["# bench, mode %s (%s), %s" % (mode, "run %d of %d" % (i + 1, runs),
                                                   datetime.datetime.utcnow().strftime(
                                                       "%Y-%m-%d %H:%M UTC")),
                    "# host: %s" % host_description(),
                    "# qemu: %s" % command,
                    "# QEMU exit status: %s" % status]
            text += ["# kernel: " + l for l in kernel]
            if first is not None:
                text.append("# kernel entry to the first Cabin line (bench starting): %.3f ms (guest time)" %
                            (first * 1000))
            text += bench
            path = os.path.join(args.out, mode + ".txt")
            with open(path, "w") as f:
                f.write("\n".join(text) + "\n")
            print("bench.py: wrote %s" % path)
            for a in apps:
                if not any(re.match(r"cabin \d+ \(%s\) exited with status 0" % re.escape(a), l)
                           for l in bench):
                    print("bench.py: %s: %s did not exit with status 0" % (mode, a),
                          file=sys.stderr)
                    failed = True
        if len(outputs) > 1:
            diff = list(difflib.unified_diff(outputs[0], outputs[-1], "run 1", "run %d" % runs,
                                             lineterm=""))
            diff_path = os.path.join(args.out, mode + ".diff")
            if diff:
                with open(diff_path, "w") as f:
                    f.write("\n".join(diff) + "\n")
                first, last = cycle_figures(outputs[0]), cycle_figures(outputs[-1])
                if first and first == last:
                    print("bench.py: %s: min and median cycles identical in both runs (%d rows); "
                          "p99, max or ns differ, see %s" % (mode, len(first), diff_path))
                else:
                    print("bench.py: %s: NOT deterministic: min or median cycles differ "
                          "between runs, see %s" % (mode, diff_path))
            else:
                if os.path.exists(diff_path):
                    os.unlink(diff_path)
                print("bench.py: %s: %d runs gave identical output" % (mode, runs))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
