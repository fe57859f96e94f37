"""test_apps.py: the user-facing apps (docs/apps.md), run as Cabins.

The kernel command line cannot pass arguments, so each boot runs the apps
that need none (`run=today,decks,...`) and then apps/appcheck, which spawns
every app with good and bad arguments (`--help` exits 0, bad arguments 2,
`decks operations`, `proca 10`, `memtest 1 2 64`, `display --demo`,
`trace 5` at utility and refused at app level, ...) and checks their exit
statuses, and then the edge cases of the new ops (system.op.list,
system.mem.info, hardware.cpu.stats with too small or no output).  The apps print through console.write, so their lines are in the
serial log as "NAME: text".

  apps_cores_1 / apps_cores_4
      today matches the host's UTC clock (within a minute either side of the
      boot); decks lists every op of ops/ops.spec exactly once with its auth
      level, under its own Deck, and its per-Deck and overall totals equal
      both its own lines and the kernel's boot line "OpRegistry has N ops,
      M with handlers"; chain's seven ops and its Result are OK and the
      hash the kernel computed equals the one chain computed; proca's 100
      round trips give the same checksum on both sides; memtest and mtest
      PASS with every page back; ps lists itself (marked *, with its own
      Cabin id) with its kernel cost; cpus lists every CPU with the right
      role and APIC id; trace prints entries whose op names are all spec
      ops; appcheck's cases all hold, among them display --demo, where a
      separate client Cabin's redraw goes through the display daemon, the
      demo's requests are performed in order, and the idle daemon stays
      blocked (scheduled at most once in 500 ms).
  apps_shutdown
      `shutdown` at app level is refused (exit 1); at system level it ends
      QEMU with status 0 through ACPI S5.
  apps_reboot
      `reboot` resets the machine (QEMU started with -no-reboot exits 0).
"""

import datetime
import os
import re

from harness import check, expect_in_order, expect_once, find, forbid, kernel_re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
APPS_CMDLINE = ("run=today,decks,chain,proca,memtest,mtest,ps,cpus,trace:utility,"
                "appcheck:system after=poweroff")
EXITED = r"cabin (\d+) \(%s\) exited with status %s on cpu\d+"
REGISTRY = kernel_re(r"guide: OpRegistry has (\d+) ops, (\d+) with handlers \(longest probe \d+\)")
AUTHS = ["NONE", "APP", "UTILITY", "SYSTEM", "NETWORK"]
DECKS = ["operations", "hardware", "system", "storage", "execution"]


def spec_ops():
    """{name: auth} from ops/ops.spec, the one list of ops."""
    ops = {}
    with open(os.path.join(ROOT, "ops", "ops.spec")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, auth = line.split()[:2]
            ops[name] = auth
    return ops


def said(lines, app):
    """What one app printed, in order (the kernel logs it as "app: text")."""
    rx = kernel_re(re.escape(app) + r": (.*)")
    return [m.group(1) for m in (rx.match(line) for line in lines) if m]


def check_today(lines, before, after, b):
    _, m = expect_once(lines, kernel_re(r"today: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC"),
                       "today", b)
    shown = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    slack = datetime.timedelta(minutes=1)
    check(before - slack <= shown <= after + slack,
          "today says %s, the host's UTC clock was %s .. %s" % (shown, before, after), b)


def check_decks(lines, b):
    (_, reg), = find(lines, REGISTRY) or [(None, None)]
    check(reg is not None, "no OpRegistry boot line", b)
    registered, handled = int(reg.group(1)), int(reg.group(2))
    out = said(lines, "decks")
    # the first listing is the plain `decks` run (appcheck's `decks operations` comes later)
    check("total: %d ops, %d with handlers" % (registered, handled) in out,
          "decks' total is not the boot line's %d ops, %d with handlers" % (registered, handled), b)
    end = out.index("total: %d ops, %d with handlers" % (registered, handled))
    listing = out[:end]
    spec = spec_ops()
    seen, deck, per_deck = {}, None, {}
    for line in listing:
        m = re.match(r"Deck (\w+)$", line)
        if m:
            deck = m.group(1)
            per_deck[deck] = [0, 0]
            continue
        m = re.match(r"Deck (\w+): (\d+) ops, (\d+) with handlers$", line)
        if m:
            check(m.group(1) == deck and per_deck[deck] == [int(m.group(2)), int(m.group(3))],
                  "Deck %s's totals %s do not match its %s listed ops" % (m.group(1), m.groups()[1:],
                                                                         per_deck.get(deck)), b)
            continue
        m = re.match(r"  (\S+) +(\w+) +(handler|no handler)$", line)
        check(m is not None, "decks printed an odd line: %r" % line, b)
        name, auth, has = m.groups()
        check(name not in seen, "decks lists %s twice" % name, b)
        check(name.split(".")[0] == deck, "%s is listed under Deck %s" % (name, deck), b)
        check(spec.get(name) == auth, "decks says %s needs %s, the spec says %s"
              % (name, auth, spec.get(name)), b)
        seen[name] = has
        per_deck[deck][0] += 1
        per_deck[deck][1] += has == "handler"
    check(sorted(per_deck) == sorted(DECKS), "decks showed Decks %s" % sorted(per_deck), b)
    check(set(seen) == set(spec), "decks and the spec differ: %s"
          % sorted(set(seen) ^ set(spec)), b)
    check(len(seen) == registered and sum(h == "handler" for h in seen.values()) == handled,
          "decks listed %d ops (%d with handlers), the kernel registered %d (%d)"
          % (len(seen), sum(h == "handler" for h in seen.values()), registered, handled), b)


def check_chain(lines, b):
    out = said(lines, "chain")
    ops = [re.match(r"  op (\d) (\S+) +status (-?\d+) \((\w+)\)$", s) for s in out]
    ops = [m for m in ops if m]
    want = ["operations.fill", "operations.fill", "operations.xor", "operations.hash",
            "operations.move", "operations.cmp", "execution.result"]
    check([m.group(2) for m in ops[:7]] == want, "chain's ops: %s" % [m.group(2) for m in ops], b)
    check(all(m.group(3) == "0" and m.group(4) == "OK" for m in ops[:7]),
          "chain's op statuses: %s" % [m.group(3) for m in ops[:7]], b)
    check(any(re.match(r"Result: status 0 \(OK\), ops run 7, failed op -1, bytes out \d+, "
                       r"value 0xc4a1$", s) for s in out), "chain's Result line is wrong or missing", b)
    hashes = [re.match(r"hash (0x[0-9a-f]{16}) \(here (0x[0-9a-f]{16})\), cmp offset (\d+) "
                       r"\(here (\d+)\)$", s) for s in out]
    hashes = [m for m in hashes if m]
    check(hashes and hashes[0].group(1) == hashes[0].group(2) and
          hashes[0].group(3) == hashes[0].group(4) == "256",
          "chain's hash/cmp line: %s" % (hashes[0].group(0) if hashes else None), b)


def check_proca(lines, b):
    out = said(lines, "proca")
    trips = [re.match(r"(\d+) round trips in (\d+) us", s) for s in out]
    trips = [m for m in trips if m]
    check(trips and trips[0].group(1) == "100", "proca did not make 100 round trips", b)
    sums = [re.match(r"checksum proca (0x[0-9a-f]{16}) procb (0x[0-9a-f]{16}) \(procb saw "
                     r"(\d+) messages\): (\w+)$", s) for s in out]
    sums = [m for m in sums if m]
    check(len(sums) == 2, "expected two checksum lines (proca, proca 10), got %d" % len(sums), b)
    for m, n in zip(sums, ("100", "10")):
        check(m.group(1) == m.group(2) and m.group(3) == n and m.group(4) == "match",
              "proca's checksums: %s" % m.group(0), b)
    check(sums[0].group(1) != sums[1].group(1), "100 and 10 messages gave the same checksum", b)


def check_ps(lines, b):
    _, exited = expect_once(lines, kernel_re(EXITED % ("ps", "0")), "ps exit", b)
    me = exited.group(1)
    out = said(lines, "ps")
    check(out and out[0].split()[:6] == ["ID", "PARENT", "NAME", "STATE", "CORE", "AUTH"],
          "ps has no header", b)
    mine = [s for s in out if re.match(r"\* %s +0 +ps +(running|blocked|ready) +\d+ +app +\d+ +- +"
                                       r"(\d+) +(\d+) +\d+ +\d+$" % me, s)]
    check(len(mine) == 1, "ps does not list itself as cabin %s: %s" % (me, out), b)
    upages, kbytes = re.search(r"- +(\d+) +(\d+)", mine[0]).groups()
    check(int(upages) > 0 and int(kbytes) > 0, "ps shows no cost for itself: %s" % mine[0], b)
    check(re.match(r"1 Cabins, \d+ user pages \(\d+ KiB\), \d+ KiB of kernel memory$", out[2]),
          "ps's totals line (only ps runs then): %s" % out[2], b)


def check_cpus(lines, cores, b):
    out = said(lines, "cpus")[:cores + 2]  # the plain run; appcheck's come later
    rows = [re.match(r"cpu(\d+) +(\S+) +(\d+) +(yes|no) +(\d+) +(\d+) +(\d+) +(.*)$", s)
            for s in out[1:-1]]
    check(all(rows) and [int(m.group(1)) for m in rows] == list(range(cores)),
          "cpus should list cpu0..cpu%d: %s" % (cores - 1, out), b)
    roles = [m.group(2) for m in rows]
    want = ["K+App"] if cores == 1 else ["K-Core"] + ["App-Core"] * (cores - 1)
    check(roles == want, "cpus' roles %s, expected %s" % (roles, want), b)
    check(all(m.group(4) == "yes" and int(m.group(5)) > 0 for m in rows),
          "every CPU should be online and have taken ticks: %s" % out, b)
    # the APIC ids are the ones the kernel reported when each CPU came up
    for m in rows:
        if cores > 1:
            cpu_line = kernel_re(r"cpu%s: online as \S+ \(APIC id (\d+)\)" % m.group(1))
            hits = find(lines, cpu_line)
            check(hits and hits[0][1].group(1) == m.group(3),
                  "cpu%s's APIC id %s is not the boot log's" % (m.group(1), m.group(3)), b)
    check(out[-1] == "%d CPUs, %d of them App-Cores" % (cores, cores - 1 if cores > 1 else 1),
          "cpus' last line: %s" % out[-1], b)


def check_trace(lines, b):
    out = said(lines, "trace")
    end = [i for i, s in enumerate(out) if re.match(r"\d+ entries shown of \d+", s)]
    check(end, "trace printed no summary", b)
    entries = [re.match(r"(\d+) +\+(\d+) +(\d+) +(\w+) +(\S+) +(-?\d+) (\w+)$", s)
               for s in out[1:end[0]]]
    check(entries and all(entries), "trace's entry lines: %s" % out[:end[0]], b)
    spec = spec_ops()
    for m in entries:
        check(m.group(5) in spec and m.group(5).split(".")[0] == m.group(4),
              "trace names an op that is not in the spec, or the wrong Deck: %s" % m.group(0), b)
    seqs = [int(m.group(1)) for m in entries]
    check(seqs == sorted(seqs), "trace's entries are not oldest first: %s" % seqs, b)
    shown = int(re.match(r"(\d+)", out[end[0]]).group(1))
    check(shown == len(entries), "trace says %d entries, printed %d" % (shown, len(entries)), b)
    # memtest ran just before with every one of these ops, all OK
    names = {m.group(5) for m in entries}
    for op in ("system.proc.spawn", "system.proc.wait", "system.mem.info", "system.ipc.send"):
        check(op in names, "trace does not show memtest's %s" % op, b)


def check_display(lines, b):
    out = said(lines, "display")
    demo = [re.match(r"demo cabin (\d+) started daemon cabin (\d+)$", s) for s in out]
    demo = [m for m in demo if m]
    check(len(demo) == 1, "display --demo did not start its daemon", b)
    demo_id, daemon_id = demo[0].groups()
    client = [re.match(r"client cabin (\d+): write through daemon cabin (\d+): OK \(request 8\)$", s)
              for s in out]
    client = [m for m in client if m]
    check(len(client) == 1 and client[0].group(2) == daemon_id and
          client[0].group(1) not in (demo_id, daemon_id),
          "the client Cabin's redraw did not go through the daemon", b)
    client_id = client[0].group(1)
    # the daemon's own log of that request names the client Cabin
    check(('cabin %s: write "drawn by another client Cabin" at 2,6 fg 0x80ff80 bg 0x102040: OK'
           % client_id) in out, "the daemon did not log the client's redraw", b)
    # requests were performed in the order they were sent
    order = [s for s in out if re.match(r"cabin %s: (clear|write)" % demo_id, s)]
    check(len(order) == 5 and order[0].startswith("cabin %s: clear" % demo_id) and
          "2,2" in order[1] and "2,3" in order[2] and "2,4" in order[3] and
          order[4].endswith("ERR_BOUNDS"), "the daemon's requests out of order: %s" % order, b)
    check("demo: daemon served 9 requests and exited with 0" in out, "the daemon did not quit", b)
    idle = [re.match(r"demo: daemon idle for 500 ms: scheduled (\d+) times, state (\w+)$", s)
            for s in out]
    idle = [m for m in idle if m]
    check(len(idle) == 1 and int(idle[0].group(1)) <= 1 and idle[0].group(2) == "blocked",
          "the idle daemon was not asleep in WAIT: %s" % (idle[0].group(0) if idle else None), b)
    check("demo PASS" in out, "display --demo did not pass", b)


def apps_boot(ctx, cores):
    before = datetime.datetime.now(datetime.timezone.utc)
    with ctx.boot(cores=cores, mem="512M", cmdline=APPS_CMDLINE, timeout=300) as b:
        status = b.wait_exit()
    after = datetime.datetime.now(datetime.timezone.utc)
    lines = b.snapshot()
    forbid(lines, boot=b)
    expect_in_order(lines, [
        ("today exits 0", kernel_re(EXITED % ("today", "0"))),
        ("decks exits 0", kernel_re(EXITED % ("decks", "0"))),
        ("chain exits 0", kernel_re(EXITED % ("chain", "0"))),
        ("proca passes", kernel_re(r"proca: PASS")),
        ("proca exits 0", kernel_re(EXITED % ("proca", "0"))),
        ("memtest passes", kernel_re(r"memtest: PASS")),
        ("memtest exits 0", kernel_re(EXITED % ("memtest", "0"))),
        ("mtest passes", kernel_re(r"mtest: PASS")),
        ("mtest exits 0", kernel_re(EXITED % ("mtest", "0"))),
        ("ps exits 0", kernel_re(EXITED % ("ps", "0"))),
        ("cpus exits 0", kernel_re(EXITED % ("cpus", "0"))),
        ("trace exits 0 at utility", kernel_re(EXITED % ("trace", "0") + r" \(auth utility\)")),
        ("every appcheck case holds", kernel_re(r"appcheck: (\d+) of \1 as expected")),
        ("appcheck exits 0", kernel_re(EXITED % ("appcheck", "0") + r" \(auth system\)")),
        ("power-off", kernel_re(r"power: ACPI S5 power-off"))], b)
    wrong = [s for s in said(lines, "appcheck") if s.endswith("WRONG")]
    check(not wrong, "appcheck cases failed: %s" % wrong, b)
    memtest = [s for s in said(lines, "memtest") if "pages not back" in s]
    check(memtest and all("pages not back 0, kernel heap bytes not back 0" in s for s in memtest),
          "memtest: %s" % memtest, b)
    check_today(lines, before, after, b)
    check_decks(lines, b)
    check_chain(lines, b)
    check_proca(lines, b)
    check_ps(lines, b)
    check_cpus(lines, cores, b)
    check_trace(lines, b)
    check_display(lines, b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)


def test_apps_cores_1(ctx):
    apps_boot(ctx, 1)


def test_apps_cores_4(ctx):
    apps_boot(ctx, 4)


def test_apps_shutdown(ctx):
    # no after=: only the app can end this boot
    with ctx.boot(cores=2, mem="512M", cmdline="run=shutdown,shutdown:system") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    expect_in_order(lines, [
        ("refused at app level",
         kernel_re(r"shutdown: the machine did not power off: ERR_PERM")),
        ("exits 1 at app level", kernel_re(EXITED % ("shutdown", "1"))),
        ("says it powers off", kernel_re(r"shutdown: powering off")),
        ("ACPI S5", kernel_re(r"power: ACPI S5 power-off"))], b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)


def test_apps_reboot(ctx):
    with ctx.boot(cores=1, mem="512M", cmdline="run=reboot:system", no_reboot=True) as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    expect_in_order(lines, [
        ("says it resets", kernel_re(r"reboot: resetting")),
        ("the kernel resets", kernel_re(r"power: reboot"))], b)
    check(not find(lines, kernel_re(r"cabin \d+ \(reboot\) exited.*")),
          "reboot returned instead of resetting", b)
    check(status == 0, "QEMU exit status %s, expected 0 (reset with -no-reboot)" % status, b)
