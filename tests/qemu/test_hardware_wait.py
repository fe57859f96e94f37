"""test_hardware_wait.py: the Hardware Deck's waiting ops (OP_PENDING) in QEMU.

  hardware_wait_cores_1 / hardware_wait_cores_2
      `run=waittest`.  waittest (an APP Cabin) sends timer.ticks,
      timer.sleep 200 ms, timer.ticks in one Pocket: the chain waits, the
      ticks are at least 200 000 us apart (and, so the Guide is not just
      spinning late, at most 5 s).  Then ticks, console.read with a 300 ms
      timeout and no input (policy optional), ticks: the read answers
      BOX_ERR_TIMEOUT after at least 300 ms and the chain goes on.  Then a
      console.read with a 30 s timeout: the test sends "hi\\r" on the serial
      line about a second after waittest says it waits, and the read returns
      those bytes long before its timeout.  Then a kbd.read with a 30 s
      timeout: the monitor's `sendkey x` ends it with the x press event.
      waittest exits 0 (it checks each step itself too).
"""

import time

from harness import check, expect_in_order, forbid, kernel_re

EXITED = r"cabin \d+ \(%s\) exited with status %s on cpu(\d+)"


def wait_boot(ctx, cores):
    with ctx.boot(cores=cores, mem="512M", cmdline="run=waittest after=poweroff",
                  serial_input=True, monitor=True) as b:
        b.wait_for(kernel_re(r"waittest: waiting for console input"))
        time.sleep(1)
        b.send_serial(b"hi\r")
        b.wait_for(kernel_re(r"waittest: waiting for a key"))
        time.sleep(1)
        answer = b.monitor("sendkey x")
        check(answer == "", "sendkey x: monitor said %r" % answer, b)
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    hits = expect_in_order(lines, [
        ("the sleep chain waited", kernel_re(r"waittest: slept (\d+) us")),
        ("the read timed out", kernel_re(r"waittest: read timed out after (\d+) us")),
        ("the read got the serial bytes", kernel_re(r"waittest: console 68 69 0d")),
        ("the first input came before the timeout", kernel_re(r"waittest: first input after (\d+) us")),
        ("the key read got x", kernel_re(r"waittest: key 002d 1b 78 00 01")),
        ("waittest exits 0", kernel_re(EXITED % ("waittest", "0"))),
        ("power-off", kernel_re(r"power: ACPI S5 power-off"))], b)
    slept = int(hits[0][1].group(1))
    timed_out = int(hits[1][1].group(1))
    first = int(hits[3][1].group(1))
    check(200000 <= slept <= 5000000, "slept %d us for a 200 ms sleep" % slept, b)
    check(300000 <= timed_out <= 5000000, "a 300 ms read timed out after %d us" % timed_out, b)
    check(500000 <= first <= 20000000, "the 30 s read returned after %d us (input came after ~1 s)" % first, b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)


def test_hardware_wait_cores_1(ctx):
    wait_boot(ctx, 1)


def test_hardware_wait_cores_2(ctx):
    wait_boot(ctx, 2)
