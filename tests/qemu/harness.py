"""harness.py: what the QEMU tests in tests/qemu/ share.

tests/run.py calls each `test_*` function of each tests/qemu/test_*.py with a
Context.  ctx.boot(...) starts a tools/qemu.py Boot of the image under test
(every boot's serial log is appended to build/test-logs/NAME.log); when the
test ends, the runner closes every boot and checks that no QEMU process of
the test is left.  A test fails by raising (TestFailure via check(), or a
BootError from a wait).

Serial lines are matched one at a time with re.search, never across lines.
kernel_re() builds an exact line pattern that allows the kernel's optional
"[    0.012345] " timestamp and "ERROR: "-style level prefixes.
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import qemu  # noqa: E402  (tools/qemu.py)
from qemu import Boot, BootError, EXIT_PASS, EXIT_FAIL  # noqa: E402,F401

BOOT_TIMEOUT = 120  # seconds per boot: TCG with 4 vCPUs on 2 host cores is slow

# Lines that must never appear, except in a test that provokes a fault.
FORBIDDEN = re.compile(r"KERNEL FAULT|panic|PANIC")

TIMESTAMP = r"(?:\[\s*\d+\.\d+\]\s*)?"
LEVEL = r"(?:[A-Z]+: )?"  # the kernel marks warnings and errors: "ERROR: ..."


def kernel_re(body):
    """A whole kernel log line: optional timestamp and level, body, the end."""
    return re.compile(r"^" + TIMESTAMP + LEVEL + body + r"$")


class TestFailure(Exception):
    def __init__(self, reason, boot=None):
        super().__init__(reason)
        self.reason = reason
        self.boot = boot


def check(cond, reason, boot=None):
    if not cond:
        raise TestFailure(reason, boot)


class Context:
    """What a test function gets: the image, and boots that are cleaned up."""

    def __init__(self, name, image, log_dir):
        self.name = name
        self.image = image
        self.log_path = os.path.join(log_dir, name + ".log")
        self.boots = []
        os.makedirs(log_dir, exist_ok=True)
        if os.path.exists(self.log_path):
            os.unlink(self.log_path)

    def boot(self, label=None, **kw):
        kw.setdefault("timeout", BOOT_TIMEOUT)
        kw.setdefault("log_path", self.log_path)
        kw.setdefault("name", label or self.name)
        # TCG unless ACCEL says otherwise (e.g. ACCEL=kvm on a developer machine).
        kw.setdefault("accel", os.environ.get("ACCEL") or "tcg")
        b = Boot(self.image, **kw)
        self.boots.append(b)
        return b

    def last_boot(self):
        return self.boots[-1] if self.boots else None

    def finish(self):
        """Closes every boot; returns a reason if a QEMU process survived."""
        for b in self.boots:
            b.close()
        left = []
        for b in self.boots:
            left += b.leftover_pids()
            if b.proc is not None and b.proc.poll() is None:
                left.append(b.proc.pid)
        if left:
            return "QEMU processes left running: %s" % sorted(set(left))
        return None


# --------------------------------------------------------------------------
# Matching helpers: all take the list of serial lines.

def find(lines, rx):
    """[(index, match)] for every line matching rx."""
    rx = re.compile(rx) if isinstance(rx, str) else rx
    out = []
    for i, line in enumerate(lines):
        m = rx.search(line)
        if m:
            out.append((i, m))
    return out


def expect_once(lines, rx, what, boot=None):
    """The one line matching rx: fails when there is none or more than one."""
    hits = find(lines, rx)
    check(len(hits) == 1, "expected exactly one %s line, found %d" % (what, len(hits)), boot)
    return hits[0]


def expect_in_order(lines, patterns, boot=None, start=0):
    """Each pattern matches a line after the previous one's; returns the matches."""
    out = []
    pos = start
    for what, rx in patterns:
        rx = re.compile(rx) if isinstance(rx, str) else rx
        for i in range(pos, len(lines)):
            m = rx.search(lines[i])
            if m:
                out.append((i, m))
                pos = i + 1
                break
        else:
            raise TestFailure("missing (in order): %s /%s/" % (what, rx.pattern), boot)
    return out


def forbid(lines, rx=FORBIDDEN, boot=None):
    hits = find(lines, rx)
    if hits:
        i, _ = hits[0]
        raise TestFailure("forbidden line %d: %r" % (i + 1, lines[i]), boot)
