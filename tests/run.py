#!/usr/bin/env python3
"""run.py: runs every BoxOS test; what `make test` runs.

    python3 tests/run.py [--build build] [-k PATTERN]... [--no-qemu] [--list]

1. Host unit tests: every BUILD/host/test_* binary.  Each prints FAIL lines
   and ends with "N passed, N failed"; those numbers are added up.  A binary
   that crashes, times out or lacks that line counts as 1 failed check.
   Then every BUILD/fuzz/fuzz_* libFuzzer binary runs -runs=50000 -seed=1
   (named fuzz/<binary>); each one passes (exit 0) or fails as a whole.
2. QEMU tests: every test_* function in tests/qemu/test_*.py, one at a time
   (named qemu/<function name without test_>), each given a harness Context;
   each one passes or fails as a whole.  Serial logs go to
   BUILD/test-logs/<name>.log.

One line per host binary or QEMU test; the last line is exactly
"N passed, N failed" (host checks + QEMU tests), and the exit status is 1 if
anything failed.  -k selects tests whose name contains PATTERN.
"""

import argparse
import glob
import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in tests/ and tools/

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU_DIR = os.path.join(ROOT, "tests", "qemu")
HOST_TIMEOUT = 600
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")


def selected(name, patterns):
    return not patterns or any(p in name for p in patterns)


def host_tests(build):
    out = []
    for path in sorted(glob.glob(os.path.join(build, "host", "test_*"))):
        if os.path.isfile(path) and os.access(path, os.X_OK):
            out.append(("host/" + os.path.basename(path), path))
    return out


def fuzz_tests(build):
    return [("fuzz/" + os.path.basename(p), p)
            for p in sorted(glob.glob(os.path.join(build, "fuzz", "fuzz_*")))
            if os.path.isfile(p) and os.access(p, os.X_OK)]


def qemu_tests():
    """[(name, function)] from tests/qemu/test_*.py, in file order."""
    if QEMU_DIR not in sys.path:
        sys.path.insert(0, QEMU_DIR)
    out = []
    for path in sorted(glob.glob(os.path.join(QEMU_DIR, "test_*.py"))):
        modname = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(modname, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        funcs = [(getattr(mod, n).__code__.co_firstlineno, n) for n in dir(mod)
                 if n.startswith("test_") and callable(getattr(mod, n))]
        for _, n in sorted(funcs):
            out.append(("qemu/" + n[len("test_"):], getattr(mod, n)))
    return out


def shown(path):
    """path relative to the current directory when it is inside it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def indent(text, n=40):
    lines = text.rstrip("\n").splitlines()[-n:]
    return "\n".join("    " + l for l in lines)


def run_host(name, path):
    """Returns (passed checks, failed checks)."""
    try:
        r = subprocess.run([path], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=HOST_TIMEOUT, cwd=ROOT)
        output = r.stdout.decode("utf-8", errors="replace")
        status = r.returncode
    except subprocess.TimeoutExpired as e:
        output = (e.stdout or b"").decode("utf-8", errors="replace")
        print("FAIL %s : timed out after %d s" % (name, HOST_TIMEOUT))
        print(indent(output))
        return 0, 1
    lines = [l for l in output.splitlines() if l.strip()]
    m = SUMMARY.match(lines[-1].strip()) if lines else None
    if m is None:
        why = "killed by signal %d" % -status if status < 0 else "exit status %d" % status
        print("FAIL %s : no \"N passed, N failed\" line (%s)" % (name, why))
        print(indent(output))
        return 0, 1
    passed, failed = int(m.group(1)), int(m.group(2))
    if failed == 0 and status != 0:
        print("FAIL %s : %d checks passed but exit status %d" % (name, passed, status))
        print(indent(output))
        return passed, 1
    if failed:
        print("FAIL %s (%d of %d checks failed)" % (name, failed, passed + failed))
        print(indent("\n".join(l for l in lines[:-1]), 60))
    else:
        print("PASS %s (%d checks)" % (name, passed))
    return passed, failed


def run_fuzz(name, path, build):
    """A short fixed-seed libFuzzer run; returns True when it exited 0."""
    start = time.monotonic()
    try:
        r = subprocess.run([path, "-runs=50000", "-seed=1",
                            "-artifact_prefix=" + os.path.join(build, "fuzz") + os.sep],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=HOST_TIMEOUT, cwd=ROOT)
    except subprocess.TimeoutExpired:
        print("FAIL %s : timed out after %d s" % (name, HOST_TIMEOUT))
        return False
    if r.returncode == 0:
        print("PASS %s (%.1f s)" % (name, time.monotonic() - start))
        return True
    print("FAIL %s : exit status %d" % (name, r.returncode))
    print(indent(r.stdout.decode("utf-8", errors="replace")))
    return False


def run_qemu(name, func, image, log_dir):
    """Returns True when the test passed."""
    import harness
    short = name.split("/", 1)[1]
    ctx = harness.Context(short, image, log_dir)
    start = time.monotonic()
    reason = None
    boot = None
    try:
        func(ctx)
    except (harness.TestFailure, harness.BootError) as e:
        reason = e.reason
        boot = e.boot
    except KeyboardInterrupt:
        ctx.finish()
        raise
    except Exception:
        reason = "exception:\n" + indent(traceback.format_exc(), 20)
    finally:
        left = ctx.finish()
    if left and reason is None:
        reason = left
    elapsed = time.monotonic() - start
    if reason is None:
        print("PASS %s (%.1f s)" % (name, elapsed))
        return True
    print("FAIL %s : %s (%.1f s)" % (name, reason, elapsed))
    boot = boot or ctx.last_boot()
    if boot is not None:
        print("    --- last serial lines (%s; full log %s) ---" % (boot.outcome(), shown(ctx.log_path)))
        print(indent(boot.tail(40)))
    return False


def main():
    ap = argparse.ArgumentParser(description="Run the BoxOS host and QEMU tests.")
    ap.add_argument("--build", default="build", help="build directory (default build)")
    ap.add_argument("-k", action="append", default=[], metavar="PATTERN",
                    help="only tests whose name contains PATTERN (repeatable)")
    ap.add_argument("--no-qemu", action="store_true", help="host tests only")
    ap.add_argument("--list", action="store_true", help="list the tests and exit")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    image = os.path.join(build, "boxos.img")
    log_dir = os.path.join(build, "test-logs")

    # A SIGTERM (e.g. from a CI time limit) unwinds like Ctrl-C, so every
    # QEMU is killed on the way out.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    hosts = [(n, p) for n, p in host_tests(build) if selected(n, args.k)]
    fuzzes = [(n, p) for n, p in fuzz_tests(build) if selected(n, args.k)]
    qemus = [] if args.no_qemu else [(n, f) for n, f in qemu_tests() if selected(n, args.k)]

    if args.list:
        for n, _ in hosts + fuzzes + qemus:
            print(n)
        return 0

    if not hosts and not fuzzes and not qemus:
        print("no tests selected (are the host tests built? make host-tests)")
        print("0 passed, 0 failed")
        return 1

    passed = failed = 0
    start = time.monotonic()
    try:
        for name, path in hosts:
            p, f = run_host(name, path)
            passed += p
            failed += f
            sys.stdout.flush()
        for name, path in fuzzes:
            if run_fuzz(name, path, build):
                passed += 1
            else:
                failed += 1
            sys.stdout.flush()
        for name, func in qemus:
            if run_qemu(name, func, image, log_dir):
                passed += 1
            else:
                failed += 1
            sys.stdout.flush()
    except KeyboardInterrupt:
        print("interrupted")
        print("%d passed, %d failed" % (passed, failed + 1))
        return 130
    print("(%.0f s; QEMU serial logs in %s)" % (time.monotonic() - start, shown(log_dir))
          if qemus else "(%.0f s)" % (time.monotonic() - start))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
