"""test_libtest.py: boxlib inside a Cabin (apps/libtest).

libtest checks boxlib from the inside and prints one "PASS name" or
"FAIL name: why" line per check through printf (the kernel logs console
lines as "libtest: ..."); its exit status is the number of failures.  The
checks: the start page and argv, argv of a child it spawns with arguments
(which then sends it a message through the inbox and gets a reply),
snprintf formats, the heap (many blocks, free, realloc, calloc,
aligned_alloc, 8 MiB, a child's double free ending it with 134), typed op wrappers (timer.ticks, rtc.read,
operations.hash against XXH3 computed in the app, fill, cpu.info,
console.write, port.out refused), the call helper's timeout and full-ring
handling, and the inbox.

  libtest_cores_1 / libtest_cores_2
      every expected check passes exactly once and none fails; the printf
      line with every conversion is exactly what C's printf gives; a
      405-byte printf line arrives whole, split into 160-byte console
      writes; libtest exits 0 and the machine powers off.
"""

from harness import check, expect_in_order, forbid, kernel_re

CHECKS = [
    "start page", "argv", "argv writable", "heap range",
    "snprintf formats", "long printf line",
    "malloc 2000 blocks", "free half, realloc the rest", "calloc zeroes and checks overflow",
    "aligned_alloc", "8 MiB block", "heap empty again", "strdup",
    "timer.ticks", "timer.ticks again is later", "rtc.read", "operations.hash = XXH3 here",
    "operations.fill", "cpu.info", "console.write", "port.out refused",
    "box_op timeout", "call after a timeout",
    "full Pocket ring", "Results after the doorbell", "calls work again",
    "empty inbox", "inbox wait times out",
    "spawn with arguments", "inbox message from the child", "ipc.reply",
    "child saw its arguments and the reply", "double free ends the Cabin",
]

PRINTF_LINE = ("printf -1 3000000000 c0ffee C0FFEE 0x1000 str ! % [    77] [77    ] [-00077] "
               "-5000000000 4096")
LETTERS = "".join(chr(ord("a") + i % 26) for i in range(399))
CONSOLE_LINE = 160  # BOX_CONSOLE_LINE in boxlib/stdio.h


def libtest_boot(ctx, cores):
    with ctx.boot(cores=cores, mem="512M", cmdline="run=libtest after=poweroff") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    said = []  # what libtest printed, in order
    for line in lines:
        m = kernel_re(r"libtest: (.*)").match(line)
        if m:
            said.append(m.group(1))
    fails = [s for s in said if s.startswith("FAIL ")]
    check(not fails, "libtest reports failures: %s" % "; ".join(fails), b)
    passed = [s[5:] for s in said if s.startswith("PASS ")]
    for name in CHECKS:
        check(passed.count(name) == 1, "PASS %s seen %d times" % (name, passed.count(name)), b)
    unexpected = sorted(set(passed) - set(CHECKS))
    check(not unexpected, "unexpected checks: %s" % unexpected, b)
    check(PRINTF_LINE in said, "the printf line is missing or different", b)
    check("typed console.write" in said, "the typed console.write line is missing", b)
    # the long line: "long " + 399 letters, sent as 160-byte console writes
    want = "long " + LETTERS
    pieces = [want[i:i + CONSOLE_LINE] for i in range(0, len(want), CONSOLE_LINE)]
    at = [i for i, s in enumerate(said) if s == pieces[0]]
    check(len(at) == 1 and said[at[0]:at[0] + len(pieces)] == pieces,
          "the long printf line did not arrive as %d pieces" % len(pieces), b)
    expect_in_order(lines, [
        ("libtest starts", kernel_re(r"libtest: start")),
        ("the child reports its arguments",
         kernel_re(r'libtest: libtest child: argc 4, argv\[1\] "child", argv\[2\] "two words", '
                   r'argv\[3\] ""')),
        ("the child gets the reply", kernel_re(r"libtest: libtest child: ipc.send OK, reply 4 bytes")),
        ("boxlib reports the double free",
         kernel_re(r"libtest: boxlib: heap corruption: free: double free \(the block is already "
                   r"free\) \(pointer 0x[0-9a-f]+\)")),
        ("libtest counts no failures", kernel_re(r"libtest: 0 failed")),
        ("libtest exits 0", kernel_re(r"cabin \d+ \(libtest\) exited with status 0 on cpu\d+")),
    ], b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)


def test_libtest_cores_1(ctx):
    libtest_boot(ctx, 1)


def test_libtest_cores_2(ctx):
    libtest_boot(ctx, 2)
