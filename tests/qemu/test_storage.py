"""test_storage.py: the kernel side of TagFS through the storage apps.

Each test builds its disks on the host (build/tools/mktagfs for a single
volume, build/tools/mkbraid for a Braid set) with script files on them,
and boots with run=storscript:system: storscript (apps/storscript) runs the
first scriptN not yet tagged `done`, one app per line, and prints
"storscript: exit N: LINE" for each.  The apps' own lines are logged as
"APP: text".  Disks are used in place, so a second boot sees what the first
one wrote.

  storage_cores_1 / storage_cores_4  a virtio data disk (it wins over the
        boot image's own TagFS partition): storprobe's malformed calls
        (each refused with its status, nothing changed, handles private
        to their Cabin); create, tag, untag, query with
        and without negation, show, rename, the use context scoping files
        and create, the storage scope, a snapshot, delete, show as of the
        snapshot, snap delete refused at APP level, a raw block read
        (storage.dev.read) matching the host's image, df, fsck;
        then a second boot of the same disk finds everything again
  storage_crash   a write loop killed mid-way (QEMU killed at a random point
        after 16..61 acknowledged creates); the next boot:
        fsck clean, every acknowledged file reads back intact, nothing
        else but the one in flight
  storage_braid   a mirror on an AHCI and a virtio disk; one data block of
        the file is corrupted in one member image from the host; the file
        reads back intact, `braid` counts the checksum error and the heal,
        and the member image holds the good block again
  storage_corrupt a volume whose superblocks are both damaged: the mount is
        refused with the library's reason, the boot goes on, `df` says
        there is no volume
  storage_braid_degraded  a mirror booted without one member (degraded,
        writes go on), with both (the stale member resynchronised at boot),
        then with only the member that had been missing: it has the file
  storage_weave   a weave on three disks with one block damaged on two
        members: read back intact, two heals counted, all three healed
  storage_stripe_placement  a stripe on two disks: two files sharing their
        first tag land on the same member image; `braid` counts the tag
        placements
  storage_braid_split  each half of a mirror written alone, then both: the
        set is refused (split brain) and the boot partition mounted instead
"""

import ctypes
import os
import random
import re
import subprocess
import tempfile
import time

from harness import check, forbid, kernel_re

BLOCK = 4096
MOUNTED = re.compile(r"storage: mounted (.+?)(?: read-only)?: (\d+) files")
DONE = re.compile(r"storscript: done (\d+) commands, (\d+) failed")
STEP = re.compile(r"storscript: exit (-?\d+): (.*)$")


def xxh3(data):
    """XXH3-64, seed 0, from the distribution's libxxhash (as test_disks.py does)."""
    lib = ctypes.CDLL("libxxhash.so.0")
    f = lib.XXH3_64bits
    f.restype = ctypes.c_uint64
    f.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    return f(data, len(data))


def tool(ctx, name):
    path = os.path.join(os.path.dirname(os.path.abspath(ctx.image)), "tools", name)
    check(os.path.isfile(path), "%s missing (make builds it)" % path)
    return path


def pattern(word, size):
    """What `create --size` writes and `show --check` verifies (apps/storage_app.h)."""
    w = word[:40]
    out = bytearray(size)
    for i in range(size):
        line, col = divmod(i, 64)
        if col == 63:
            out[i] = 0x0A
        elif col < len(w):
            out[i] = ord(w[col])
        elif col == len(w):
            out[i] = ord(":")
        else:
            out[i] = ord("a") + (line * 7 + col) % 26
    return bytes(out)


def write_scripts(d, scripts):
    specs = []
    for k, text in enumerate(scripts, 1):
        p = os.path.join(d, "script%d" % k)
        with open(p, "w") as f:
            f.write(text.strip() + "\n")
        specs.append("%s:script=script%d" % (p, k))
    return specs


def mkvol(ctx, path, size, specs):
    r = subprocess.run([tool(ctx, "mktagfs"), path, "--size", size] + specs,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    check(r.returncode == 0, "mktagfs failed: %s" % r.stdout.decode(errors="replace"))


def boot_scripts(ctx, label, disks, cores=1, timeout=300, cmdline="run=storscript:system after=poweroff"):
    b = ctx.boot(label=label, cores=cores, mem="512M", cmdline=cmdline, disks=disks, timeout=timeout)
    with b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)
    return b, lines


def app_lines(lines, app):
    """The text of every line an app printed, in order."""
    rx = re.compile(r"^(?:\[\s*\d+\.\d+\]\s*)?%s: (.*)$" % re.escape(app))
    return [m.group(1) for m in (rx.match(l) for l in lines) if m]


def steps(lines):
    return [(int(m.group(1)), m.group(2)) for m in (STEP.search(l) for l in lines) if m]


def check_steps(b, lines, want_failed=()):
    got = steps(lines)
    done = [DONE.search(l) for l in lines if DONE.search(l)]
    check(done, "storscript never finished", b)
    for status, line in got:
        if line in want_failed:
            check(status != 0, "'%s' should have failed" % line, b)
        else:
            check(status == 0, "'%s' exited %d" % (line, status), b)
    return got


def mounted(b, lines):
    m = [MOUNTED.search(l) for l in lines if MOUNTED.search(l)]
    check(m, "no 'storage: mounted' line", b)
    return m[0].group(1)


def files_listed(text_lines):
    """files' output: {name: tags} between one command's start and its 'N files' line."""
    out = {}
    for t in text_lines:
        m = re.match(r"\s*(\d+)\s+(\d+)\s+(\S+)\s*(.*)$", t)
        if m:
            out[m.group(3)] = m.group(4).split()
    return out


def split_by_command(lines, app):
    """One list of an app's output lines per run of it (cut at the storscript step lines)."""
    runs, cur = [], []
    rx_app = re.compile(r"^(?:\[\s*\d+\.\d+\]\s*)?%s: (.*)$" % re.escape(app))
    for l in lines:
        m = rx_app.match(l)
        if m:
            cur.append(m.group(1))
            continue
        s = STEP.search(l)
        if s and s.group(2).split()[0] == app:
            runs.append(cur)
            cur = []
        elif s:
            cur = []
    return runs


SCRIPT1 = """
storprobe hello
create alpha -t kernel -t notes first line of alpha
create beta -t kernel -t draft beta body
create gamma -t big --size 20000
files kernel
files kernel -draft
show alpha
tag beta reviewed
untag beta draft
files reviewed -draft
name beta beta2
show beta2 --info
show gamma --check
use kernel
files
create delta scoped content
use -
scope notes
files
scope -
snap create before
rm alpha
files kernel
snap show 1 alpha
@app snap delete 1
snap list
devread 0 0
df
fsck
"""

SCRIPT2 = """
files --all
show beta2
show gamma --check
snap list
snap show 1 alpha
show delta --info
show alpha
fsck
"""


def storage_main(ctx, cores):
    with tempfile.TemporaryDirectory(prefix="boxos-storage-") as d:
        hello = os.path.join(d, "hello.txt")
        with open(hello, "w") as f:
            f.write("hello from the host\n")
        img = os.path.join(d, "data.img")
        mkvol(ctx, img, "16M", ["%s:sample=hello" % hello] + write_scripts(d, [SCRIPT1, SCRIPT2]))
        b, lines = boot_scripts(ctx, "storage-%d-a" % cores, [(img, "virtio")], cores=cores)
        check(mounted(b, lines) == "vblk0", "the data disk should win over the boot partition", b)
        check_steps(b, lines, want_failed=("@app snap delete 1",))
        created = dict((m.group(2), int(m.group(1))) for m in
                       (re.match(r"created (\d+) (\S+)", t) for t in app_lines(lines, "create")) if m)
        check(set(created) == {"alpha", "beta", "gamma", "delta"}, "created: %s" % created, b)
        probe = app_lines(lines, "storprobe")
        bad = [t for t in probe if t.startswith("FAIL")]
        check(not bad and "0 failed" in probe and sum(t.startswith("PASS") for t in probe) >= 40,
              "storprobe: %s" % (bad or probe[-3:]), b)
        runs = split_by_command(lines, "files")
        check(len(runs) == 6, "files ran %d times" % len(runs), b)
        kernel, kernel_nodraft, reviewed, scoped, notes, after_rm = [files_listed(r) for r in runs]
        check(set(kernel) == {"alpha", "beta"}, "files kernel: %s" % kernel, b)
        check(set(kernel_nodraft) == {"alpha"}, "files kernel -draft: %s" % kernel_nodraft, b)
        check(set(reviewed) == {"beta"} and "draft" not in reviewed["beta"] and
              "reviewed" in reviewed["beta"], "files reviewed -draft: %s" % reviewed, b)
        check(set(scoped) == {"alpha", "beta2"}, "files under `use kernel`: %s" % scoped, b)
        check(set(notes) == {"alpha"} and "scope: notes" in runs[4],
              "files under storage scope notes: %s" % runs[4], b)
        check(set(after_rm) == {"beta2", "delta"}, "files kernel after rm: %s" % after_rm, b)
        check("kernel" in after_rm["delta"], "delta should carry the scope's tag", b)
        shows = split_by_command(lines, "show")
        check(shows[0] == ["first line of alpha"], "show alpha: %s" % shows[0], b)
        info = " ".join(shows[1])
        check("name beta2 size 10" in info and re.search(r"tags .*kernel", info) and
              "reviewed" in info, "show beta2 --info: %s" % info, b)
        check(shows[2] == ["gamma: pattern ok, 20000 bytes"], "show gamma --check: %s" % shows[2], b)
        snaps = split_by_command(lines, "snap")
        check(snaps[0] and snaps[0][0].startswith("snapshot 1 before"), "snap create: %s" % snaps[0], b)
        check(snaps[1] == ["first line of alpha"], "snap show 1 alpha: %s" % snaps[1], b)
        check(any(re.match(r"\s*1\s+\d+\s+\d+ files before", t) for t in snaps[2]), "snap list: %s" % snaps[2], b)
        check(any("snap delete: ERR_PERM" in t for t in app_lines(lines, "snap")),
              "snap delete at APP level should be refused", b)
        with open(ctx.image, "rb") as f:
            want = "devread 0 0: xxh3 %016x" % xxh3(f.read(BLOCK))
        check(want in app_lines(lines, "storscript"), "raw read of the boot disk: want '%s'" % want, b)
        df = " ".join(app_lines(lines, "df"))
        check("volume vblk0 (disk)" in df and re.search(r"files \d+, tags \d+, snapshots 1", df),
              "df: %s" % df, b)
        fsck = app_lines(lines, "fsck")
        check(fsck and fsck[0].startswith("clean: 0 problems"), "fsck: %s" % fsck, b)

        # second boot, same disk: everything is still there
        b, lines = boot_scripts(ctx, "storage-%d-b" % cores, [(img, "virtio")], cores=cores)
        check_steps(b, lines, want_failed=("show alpha",))
        listed = files_listed(split_by_command(lines, "files")[0])
        for name in ("hello", "beta2", "gamma", "delta", "script1", "script2"):
            check(name in listed, "after reboot files --all lacks %s: %s" % (name, sorted(listed)), b)
        check("alpha" not in listed, "alpha was removed but is listed", b)
        check("done" in listed["script1"], "script1 should be tagged done", b)
        shows = split_by_command(lines, "show")
        check(shows[0] == ["beta body"], "show beta2 after reboot: %s" % shows[0], b)
        check(shows[1] == ["gamma: pattern ok, 20000 bytes"], "gamma after reboot: %s" % shows[1], b)
        check(re.search(r"tags .*kernel", " ".join(shows[2])), "delta's tags: %s" % shows[2], b)
        check(any("ERR_NOENT" in t for t in shows[3]), "show alpha should say NOENT: %s" % shows[3], b)
        snaps = split_by_command(lines, "snap")
        check(any("files before" in t for t in snaps[0]), "snapshot lost: %s" % snaps[0], b)
        check(snaps[1] == ["first line of alpha"], "alpha as of the snapshot: %s" % snaps[1], b)
        fsck = app_lines(lines, "fsck")
        check(fsck and fsck[0].startswith("clean: 0 problems"), "fsck after reboot: %s" % fsck, b)


def test_storage_cores_1(ctx):
    storage_main(ctx, 1)


def test_storage_cores_4(ctx):
    storage_main(ctx, 4)


LOOP_COUNT = 120


def test_storage_crash(ctx):
    """Kill QEMU in the middle of a write loop; every acknowledged file survives."""
    with tempfile.TemporaryDirectory(prefix="boxos-storage-") as d:
        img = os.path.join(d, "data.img")
        script2 = "fsck\n" + "".join("show loop-%d --check\n" % k for k in range(LOOP_COUNT))
        mkvol(ctx, img, "16M", write_scripts(d, ["create loop --count %d --size 6000" % LOOP_COUNT,
                                                 script2]))
        b = ctx.boot(label="storage-crash-a", cores=1, mem="512M",
                     cmdline="run=storscript:system after=poweroff", disks=[(img, "virtio")], timeout=300)
        with b:
            cut = random.randint(15, 60)  # a different place each run
            b.wait_for(r"create: created \d+ loop-%d$" % cut)
            time.sleep(random.uniform(0, 0.05))  # land anywhere in the next create
            b.kill()
        acked = set(int(m.group(1)) for m in
                    (re.search(r"create: created \d+ loop-(\d+)$", l) for l in b.snapshot()) if m)
        check(len(acked) >= cut + 1 and len(acked) < LOOP_COUNT,
              "acknowledged %d files before the kill" % len(acked), b)
        check(acked == set(range(len(acked))), "acks out of order: %s" % sorted(acked), b)

        b, lines = boot_scripts(ctx, "storage-crash-b", [(img, "virtio")], timeout=600)
        fsck = app_lines(lines, "fsck")
        check(fsck and fsck[0].startswith("clean: 0 problems"), "fsck after the crash: %s" % fsck, b)
        ok = set()
        for t in app_lines(lines, "show"):
            m = re.match(r"loop-(\d+): pattern ok, 6000 bytes$", t)
            if m:
                ok.add(int(m.group(1)))
                continue
            check("ERR_NOENT" in t, "a file is damaged after the crash: %s" % t, b)
        missing = acked - ok
        check(not missing, "acknowledged files lost: %s" % sorted(missing), b)
        extra = ok - acked
        check(extra <= {len(acked)}, "files that were never acknowledged: %s" % sorted(extra), b)


def test_storage_braid(ctx):
    """A mirror on an AHCI and a virtio disk heals a block corrupted on one member."""
    with tempfile.TemporaryDirectory(prefix="boxos-storage-") as d:
        data = pattern("braidfile", 40000)
        dpath = os.path.join(d, "braidfile")
        with open(dpath, "wb") as f:
            f.write(data)
        a, bimg = os.path.join(d, "a.img"), os.path.join(d, "b.img")
        specs = ["%s:braid,data=braidfile" % dpath] + write_scripts(
            d, ["show braidfile --check\nbraid\nfsck\n", "braid\nshow braidfile --check\nfsck\n"])
        r = subprocess.run([tool(ctx, "mkbraid"), "--mode", "mirror", "--size", str(16 << 20), a, bimg,
                            "--"] + specs, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        check(r.returncode == 0, "mkbraid failed: %s" % r.stdout.decode(errors="replace"))
        # find data block 3 of the file in member a and damage it there only
        target = data[3 * BLOCK:4 * BLOCK]
        with open(a, "rb") as f:
            img = f.read()
        offs = [o for o in range(0, len(img), BLOCK) if img[o:o + BLOCK] == target]
        check(len(offs) == 1, "block 3 of the file found %d times in member a" % len(offs))
        with open(bimg, "rb") as f:
            check(f.read()[offs[0]:offs[0] + BLOCK] == target, "member b lacks the block at the same place")
        with open(a, "r+b") as f:
            f.seek(offs[0] + 100)
            f.write(b"\xde\xad\xbe\xef" * 8)

        b, lines = boot_scripts(ctx, "storage-braid-a", [(a, "ahci"), (bimg, "virtio")])
        where = mounted(b, lines)
        check(where.startswith("braid"), "mounted %s, expected the Braid set" % where, b)
        check_steps(b, lines)
        shows = app_lines(lines, "show")
        check(shows == ["braidfile: pattern ok, 40000 bytes"], "show: %s" % shows, b)
        braid = " ".join(app_lines(lines, "braid"))
        m = re.search(r"checksum_errors (\d+) heals (\d+)", braid)
        check(m and int(m.group(1)) >= 1 and int(m.group(2)) >= 1,
              "braid counters should show the checksum error and the heal: %s" % braid, b)
        check("mode mirror, 2 members" in braid and "healthy" in braid, "braid: %s" % braid, b)
        fsck = app_lines(lines, "fsck")
        check(fsck and fsck[0].startswith("clean"), "fsck: %s" % fsck, b)
        with open(a, "rb") as f:
            f.seek(offs[0])
            check(f.read(BLOCK) == target, "member a still holds the damaged block after the heal", b)

        # second boot: nothing left to heal, the data still reads
        b, lines = boot_scripts(ctx, "storage-braid-b", [(a, "ahci"), (bimg, "virtio")])
        check_steps(b, lines)
        braid = " ".join(app_lines(lines, "braid"))
        m = re.search(r"checksum_errors (\d+) heals (\d+)", braid)
        check(m and m.group(1) == "0" and m.group(2) == "0", "second boot should heal nothing: %s" % braid, b)


def test_storage_corrupt(ctx):
    """Both superblocks damaged: the mount is refused with a reason, the boot goes on."""
    with tempfile.TemporaryDirectory(prefix="boxos-storage-") as d:
        img = os.path.join(d, "bad.img")
        mkvol(ctx, img, "8M", [])
        size = os.path.getsize(img)
        with open(img, "r+b") as f:
            for off in (200, size - BLOCK + 200):
                f.seek(off)
                f.write(b"\x00\xff" * 32)
        b, lines = boot_scripts(ctx, "storage-corrupt", [(img, "virtio")],
                                cmdline="storage=vblk0 run=df after=poweroff")
        refused = [l for l in lines if re.search(r"storage: no volume \(vblk0 refused: .+\)", l)]
        check(refused, "no refusal line for the corrupt volume", b)
        df = app_lines(lines, "df")
        check(df and "ERR_NOENT" in df[0] and "no volume mounted" in df[0], "df: %s" % df, b)
        check(any(kernel_re(r"boot: ready: .*").match(l) for l in lines), "the boot did not go on", b)


def mkbraid(ctx, mode, imgs, specs, size=16 << 20):
    r = subprocess.run([tool(ctx, "mkbraid"), "--mode", mode, "--size", str(size)] + imgs + ["--"] + specs,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    check(r.returncode == 0, "mkbraid failed: %s" % r.stdout.decode(errors="replace"))


def braid_counters(b, lines):
    text = " ".join(app_lines(lines, "braid"))
    m = re.search(r"checksum_errors (\d+) heals (\d+)", text)
    check(m, "no braid counters: %s" % text, b)
    return text, int(m.group(1)), int(m.group(2))


def test_storage_braid_degraded(ctx):
    """A mirror boots with one disk missing (degraded, writes go on), then with
    both (the stale member is resynchronised at boot), then with only the
    member that was missing: it holds what was written without it."""
    with tempfile.TemporaryDirectory(prefix="boxos-storage-") as d:
        a, bimg = os.path.join(d, "a.img"), os.path.join(d, "b.img")
        mkbraid(ctx, "mirror", [a, bimg], write_scripts(d, [
            "braid\ncreate late -t degraded written while degraded\n",
            "braid\nshow late\n",
            "braid\nshow late\nfsck\n"]))
        b, lines = boot_scripts(ctx, "storage-degraded-a", [(a, "ahci")])
        check(mounted(b, lines).startswith("braid mirror"), "not mounted as a Braid set", b)
        check_steps(b, lines)
        text, _, _ = braid_counters(b, lines)
        check("DEGRADED" in text and re.search(r"member 1 - absent", text), "braid with b missing: %s" % text, b)
        check(any("storage: Braid member 1 is missing; the set runs degraded" in l for l in lines),
              "no log line for the missing member", b)

        b, lines = boot_scripts(ctx, "storage-degraded-b", [(a, "ahci"), (bimg, "virtio")])
        check(any(re.search(r"storage: Braid resync ok: [1-9]\d* blocks copied, 0 extents left", l) for l in lines),
              "no resync at boot", b)
        check_steps(b, lines)
        text, _, _ = braid_counters(b, lines)
        check("healthy" in text, "after resync: %s" % text, b)
        m = re.search(r"resync_blocks (\d+)", text)
        check(m and int(m.group(1)) > 0, "resync copied nothing: %s" % text, b)
        check(app_lines(lines, "show") == ["written while degraded"], "show late: %s" % app_lines(lines, "show"), b)

        b, lines = boot_scripts(ctx, "storage-degraded-c", [(bimg, "virtio")])
        check_steps(b, lines)
        check(app_lines(lines, "show") == ["written while degraded"],
              "the resynced member lacks the file: %s" % app_lines(lines, "show"), b)
        fsck = app_lines(lines, "fsck")
        check(fsck and fsck[0].startswith("clean"), "fsck on the resynced member: %s" % fsck, b)


def test_storage_weave(ctx):
    """A weave on three disks: the same block damaged on two members is
    healed from the third (the read's BoxHash check picks the good copy)."""
    with tempfile.TemporaryDirectory(prefix="boxos-storage-") as d:
        data = pattern("weavefile", 30000)
        dpath = os.path.join(d, "weavefile")
        with open(dpath, "wb") as f:
            f.write(data)
        imgs = [os.path.join(d, n) for n in ("a.img", "b.img", "c.img")]
        mkbraid(ctx, "weave", imgs, ["%s:weave=weavefile" % dpath] +
                write_scripts(d, ["show weavefile --check\nbraid\nfsck\n"]))
        target = data[2 * BLOCK:3 * BLOCK]
        with open(imgs[0], "rb") as f:
            img = f.read()
        offs = [o for o in range(0, len(img), BLOCK) if img[o:o + BLOCK] == target]
        check(len(offs) == 1, "block 2 of the file found %d times" % len(offs))
        for p in imgs[:2]:
            with open(p, "r+b") as f:
                f.seek(offs[0] + 1000)
                f.write(bytes(random.getrandbits(8) for _ in range(64)))
        b, lines = boot_scripts(ctx, "storage-weave", [(imgs[0], "ahci"), (imgs[1], "virtio"), (imgs[2], "virtio")])
        check(mounted(b, lines).startswith("braid weave"), "not mounted as a weave", b)
        check_steps(b, lines)
        check(app_lines(lines, "show") == ["weavefile: pattern ok, 30000 bytes"], "show: %s" % app_lines(lines, "show"), b)
        text, errors, heals = braid_counters(b, lines)
        check(errors >= 2 and heals >= 2, "two bad copies should be counted and healed: %s" % text, b)
        for p in imgs:
            with open(p, "rb") as f:
                f.seek(offs[0])
                check(f.read(BLOCK) == target, "%s not healed" % os.path.basename(p), b)


def test_storage_stripe_placement(ctx):
    """A stripe on two disks: files sharing their first tag are placed on
    the same member, and `braid` counts the tag-driven placements."""
    with tempfile.TemporaryDirectory(prefix="boxos-storage-") as d:
        imgs = [os.path.join(d, "a.img"), os.path.join(d, "b.img")]
        mkbraid(ctx, "stripe", imgs, write_scripts(d, [
            "create p1 -t proj --size 20000\ncreate p2 -t proj --size 24000\nbraid\n"
            "show p1 --check\nshow p2 --check\nfsck\n"]))
        b, lines = boot_scripts(ctx, "storage-stripe", [(imgs[0], "virtio"), (imgs[1], "virtio")])
        check(mounted(b, lines).startswith("braid stripe"), "not mounted as a stripe", b)
        check_steps(b, lines)
        text = " ".join(app_lines(lines, "braid"))
        m = re.search(r"tag_placements (\d+)", text)
        check(m and int(m.group(1)) >= 10, "tag placements not counted: %s" % text, b)
        check(app_lines(lines, "show") == ["p1: pattern ok, 20000 bytes", "p2: pattern ok, 24000 bytes"],
              "show: %s" % app_lines(lines, "show"), b)
        where = {}
        for k, p in enumerate(imgs):
            with open(p, "rb") as f:
                img = f.read()
            for word, size in (("p1", 20000), ("p2", 24000)):
                data = pattern(word, size)
                for blk in range(size // BLOCK):
                    if data[blk * BLOCK:(blk + 1) * BLOCK] in img:
                        where.setdefault(word, set()).add(k)
        check(where.get("p1") and where.get("p2") and len(where["p1"] | where["p2"]) == 1,
              "files sharing tag proj are spread over members: %s" % where, b)


def test_storage_braid_split(ctx):
    """Each half of a mirror written alone (split brain): together they are
    refused with the Braid reason, and the boot falls back to the boot
    image's own TagFS partition."""
    with tempfile.TemporaryDirectory(prefix="boxos-storage-") as d:
        a, bimg = os.path.join(d, "a.img"), os.path.join(d, "b.img")
        mkbraid(ctx, "mirror", [a, bimg], write_scripts(d, ["create only-a x\n", "create only-b y\n"]))
        for label, disks in (("a", [(a, "virtio")]), ("b", [(bimg, "virtio")])):
            b, lines = boot_scripts(ctx, "storage-split-" + label, disks)
            check_steps(b, lines)
        b, lines = boot_scripts(ctx, "storage-split-both", [(a, "virtio"), (bimg, "virtio")],
                                cmdline="run=df after=poweroff")
        check(any(re.search(r"storage: Braid set refused: .*written separately.*; trying the other volumes", l)
                  for l in lines), "no split-brain refusal line", b)
        check(mounted(b, lines) == "ahci0p2", "should fall back to the boot partition", b)
        df = app_lines(lines, "df")
        check(df and df[0] == "volume ahci0p2 (partition)", "df: %s" % df, b)
