"""test_bench.py: the bench app's output shape, on 1 and 4 CPUs.

One boot runs `bench` (the table) and then `benchcsv` (which spawns
`bench --csv`; the kernel command line passes no arguments), both at auth
system (the raw disk row reads the boot disk directly).  The storage rows
run on the TagFS volume the image carries.  Checked, never timings (TCG timings vary with the host's load):

- every row is in the CSV exactly once, with the iterations bench is
  configured for, and min <= median <= p99 <= max, all positive, in cycles
  and in ns (rdtsc may measure 0 ns: it is the timer's own cost);
- cacheline.rtt: measured on 4 CPUs; on 1 CPU system.bench.pingpong answers
  BOX_ERR_BUSY and the row (and its ratio) is n/a;
- the derived hash figure and the three ratios are there;
- no row failed, both programs exit 0, the table shows every row too.
"""

import re

from harness import check, expect_in_order, forbid, kernel_re

# bench's defaults (apps/bench/main.c, row_defs)
ROWS = {
    "rdtsc": 1000,
    "cacheline.rtt": 1000,
    "syscall.null": 1000,
    "pocket.rtt": 1000,
    "pocket.wait": 1000,
    "chain.64": 200,
    "ipc.rtt": 200,
    "hash.xxh3": 50,
    "spawn": 20,
    "disk.read4k": 100,
    "storage.read4k": 100,
    "storage.write4k": 20,
    "storage.query": 100,
}
RATIOS = ["pocket.rtt/cacheline.rtt", "pocket.rtt/syscall.null", "chain.64/pocket.rtt"]
HEADER = ("kind,name,iterations,min_cycles,median_cycles,p99_cycles,max_cycles,"
          "min_ns,median_ns,p99_ns,max_ns")
CSV_LINE = kernel_re(r"bench: ((?:kind|info|row|derived|ratio),.*)")
NUMBER = re.compile(r"^\d+(\.\d+)?$")


def parse_csv(lines):
    records = [CSV_LINE.search(l).group(1).split(",") for l in lines if CSV_LINE.search(l)]
    return records


def check_row(name, fields, cores, boot):
    want = ROWS[name]
    if name == "cacheline.rtt" and cores == 1:
        check(fields[0] == "0" and all(f == "n/a" for f in fields[1:9]),
              "cacheline.rtt on 1 CPU should be n/a: %s" % fields, boot)
        check("BUSY" in ",".join(fields[9:]), "cacheline.rtt n/a without ERR_BUSY: %s" % fields,
              boot)
        return
    check(len(fields) == 9, "row %s: %d fields, expected 9: %s" % (name, len(fields), fields), boot)
    check(all(NUMBER.match(f) for f in fields), "row %s: not all numbers: %s" % (name, fields), boot)
    check(int(fields[0]) == want, "row %s: %s iterations, expected %d" % (name, fields[0], want),
          boot)
    cycles = [int(f) for f in fields[1:5]]
    ns = [float(f) for f in fields[5:9]]
    for label, v in (("cycles", cycles), ("ns", ns)):
        check(v[0] <= v[1] <= v[2] <= v[3],
              "row %s: %s not ordered min <= median <= p99 <= max: %s" % (name, label, v), boot)
    check(cycles[0] > 0, "row %s: min cycles %d is not positive" % (name, cycles[0]), boot)
    if name != "rdtsc":
        check(ns[0] > 0, "row %s: min ns %s is not positive" % (name, ns[0]), boot)


def bench_boot(ctx, cores):
    with ctx.boot(cores=cores, mem="512M",
                  cmdline="run=bench:system,benchcsv:system after=poweroff") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    check(status == 0, "QEMU exit status %s, expected 0" % status, b)
    expect_in_order(lines, [
        ("table header", kernel_re(r"bench: row\s+iters\s+min cyc.*")),
    ] + [("table row %s" % n, kernel_re(r"bench: %s\s+(\d+|-)\s+.*" % re.escape(n))) for n in ROWS]
      + [("table: no failures", kernel_re(r"bench: 0 rows failed")),
         ("bench exits 0",
          kernel_re(r"cabin \d+ \(bench\) exited with status 0 on cpu\d+ \(auth system\)")),
         ("csv header", kernel_re(r"bench: " + re.escape(HEADER))),
         ("benchcsv exits 0",
          kernel_re(r"cabin \d+ \(benchcsv\) exited with status 0 on cpu\d+ \(auth system\)")),
         ("power-off", kernel_re(r"power: ACPI S5 power-off"))], b)

    records = parse_csv(lines)
    rows = {}
    for r in records:
        if r[0] == "row":
            check(r[1] not in rows, "row %s twice" % r[1], b)
            rows[r[1]] = r[2:]
    check(set(rows) == set(ROWS), "rows %s, expected %s" % (sorted(rows), sorted(ROWS)), b)
    for name, fields in rows.items():
        check_row(name, fields, cores, b)

    info = {r[1]: r[2] for r in records if r[0] == "info" and len(r) >= 3}
    check(info.get("cpus") == str(cores), "info cpus %s, expected %d" % (info.get("cpus"), cores), b)
    check(info.get("failed_rows") == "0", "failed rows: %s" % info.get("failed_rows"), b)
    check(int(info.get("tsc_hz", "0")) > 0, "no tsc_hz", b)

    derived = {r[1]: r[2] for r in records if r[0] == "derived"}
    check(NUMBER.match(derived.get("hash.xxh3.bytes_per_cycle", "")) and
          float(derived["hash.xxh3.bytes_per_cycle"]) > 0,
          "hash.xxh3.bytes_per_cycle missing or 0: %s" % derived, b)
    ratios = {r[1]: r[2] for r in records if r[0] == "ratio"}
    check(set(ratios) == set(RATIOS), "ratios %s, expected %s" % (sorted(ratios), RATIOS), b)
    for name, value in ratios.items():
        if name == "pocket.rtt/cacheline.rtt" and cores == 1:
            check(value == "n/a", "ratio %s on 1 CPU: %s, expected n/a" % (name, value), b)
        else:
            check(NUMBER.match(value) and float(value) > 0, "ratio %s: %s" % (name, value), b)


def test_bench_cores_1(ctx):
    bench_boot(ctx, 1)


def test_bench_cores_4(ctx):
    bench_boot(ctx, 4)
