#!/usr/bin/env python3
"""qemu.py: the one place BoxOS builds QEMU command lines.

As a command (what `make run` and `make debug` use):

    python3 tools/qemu.py run --image build/boxos.img [--gdb] [--no-reboot] [-- EXTRA QEMU ARGS]
    python3 tools/qemu.py print --image build/boxos.img     (show the command, run nothing)

runs QEMU in the foreground with the serial port (and the QEMU monitor,
Ctrl-A C; quit with Ctrl-A X) on the terminal, and passes QEMU's exit status
through.  Settings come from the environment: CORES (4), MEM (2G), ACCEL
(tcg; kvm uses -cpu host), HEADLESS (1 when neither DISPLAY nor
WAYLAND_DISPLAY is set), DISKS (extra raw disk images, used in place:
"PATH:ahci,PATH:virtio", e.g. `make run DISKS=/tmp/a.img:virtio`).

As a module (what the QEMU tests use):

    with Boot("build/boxos.img", cores=1, mem="512M", cmdline="selftest") as b:
        b.wait_for(r"boot: ready: (\\d+) CPUs")
        status = b.wait_exit()

    Boot(..., disks=[("a.img", "ahci"), ("b.img", "virtio")]) attaches extra
    raw images (used in place, not copied, so a test can inspect them after).

Boot copies the image (sparse) into a temporary directory, optionally
replaces files on its EFI partition with mtools, and starts QEMU in a new
session with the serial port on a pipe.  With serial_input=True the guest's
serial input is a pipe too (b.send_serial(b"text\r")); with monitor=True the
QEMU monitor listens on a Unix socket in the temporary directory
(b.monitor("sendkey a") returns the monitor's answer).  A reader thread collects the serial
output as lines, with ANSI escape sequences and carriage returns removed (the
firmware console writes both).  A hard timeout kills QEMU; leaving the
`with` block, or close(), always kills the whole process group (SIGTERM, then
SIGKILL) and deletes the temporary directory.
"""

import argparse
import atexit
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# isa-debug-exit: QEMU exits with (value << 1) | 1.
EXIT_PASS = 33  # the kernel wrote 0x10
EXIT_FAIL = 35  # the kernel wrote 0x11

DEBUG_EXIT_ARGS = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]

OVMF_CANDIDATES = [
    ("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"),
    ("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"),
]
OVMF_SINGLE = "/usr/share/ovmf/OVMF.fd"


class QemuError(Exception):
    """Something went wrong setting up or running QEMU."""


def find_ovmf():
    """Returns (code, vars_template) or (single_image, None)."""
    for code, vars_ in OVMF_CANDIDATES:
        if os.path.isfile(code) and os.path.isfile(vars_):
            return code, vars_
    if os.path.isfile(OVMF_SINGLE):
        return OVMF_SINGLE, None
    raise QemuError("no OVMF firmware found (install the Debian package ovmf)")


def env_settings(env=None):
    """CORES, MEM, ACCEL, HEADLESS from the environment, with the defaults."""
    env = os.environ if env is None else env
    headless_default = "0" if (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")) else "1"
    return {
        "cores": int(env.get("CORES") or 4),
        "mem": env.get("MEM") or "2G",
        "accel": env.get("ACCEL") or "tcg",
        "headless": (env.get("HEADLESS") or headless_default) not in ("0", "no", "false", ""),
    }


DISK_KINDS = ("ahci", "virtio")
AHCI_PORTS = 6  # q35's ICH9 AHCI controller: buses ide.0 .. ide.5


def disk_args(disks):
    """QEMU arguments attaching [(path, kind), ...] as raw disks.

    ahci: a SATA disk on q35's built-in AHCI controller; port 0 (ide.0)
    holds the boot image, so extra disks take ports 1..5 in order.
    virtio: a virtio-blk PCI device with the legacy interface disabled."""
    args = []
    next_port = 1
    for i, (path, kind) in enumerate(disks):
        if kind not in DISK_KINDS:
            raise QemuError("disk %s: kind %r is not one of %s" % (path, kind, ", ".join(DISK_KINDS)))
        if "," in path:
            raise QemuError("disk %s: a comma in the path cannot be passed to QEMU" % path)
        if not os.path.isfile(path):
            raise QemuError("disk %s: no such file" % path)
        drive = "xdisk%d" % i
        args += ["-drive", "if=none,id=%s,file=%s,format=raw" % (drive, path)]
        if kind == "ahci":
            if next_port >= AHCI_PORTS:
                raise QemuError("more than %d extra AHCI disks" % (AHCI_PORTS - 1))
            args += ["-device", "ide-hd,drive=%s,bus=ide.%d" % (drive, next_port)]
            next_port += 1
        else:
            args += ["-device", "virtio-blk-pci,drive=%s,disable-legacy=on" % drive]
    return args


def parse_disks(text):
    """DISKS="PATH:KIND,PATH:KIND" -> [(path, kind), ...]; KIND defaults to ahci."""
    out = []
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        path, sep, kind = item.rpartition(":")
        if not sep or kind not in DISK_KINDS:
            path, kind = item, "ahci"
        out.append((path, kind))
    return out


def firmware_args(vars_dir, copy=True):
    """The -drive/-bios arguments for OVMF; the writable vars store is a
    fresh copy in vars_dir (made unless copy is False)."""
    code, vars_template = find_ovmf()
    if vars_template is None:
        return ["-bios", code]
    vars_copy = os.path.join(vars_dir, "OVMF_VARS.fd")
    if copy:
        shutil.copyfile(vars_template, vars_copy)
    return [
        "-drive", "if=pflash,format=raw,readonly=on,file=" + code,
        "-drive", "if=pflash,format=raw,file=" + vars_copy,
    ]


def qemu_command(image, fw_args, cores=4, mem="2G", accel="tcg", headless=True,
                 serial="stdio", gdb=False, no_reboot=False, extra=(), disks=(),
                 boot_disk="ahci", monitor=None):
    """The full QEMU argument list.  boot_disk: where the image sits, "ahci"
    (q35's SATA port 0) or "usb" (a USB stick on an xHCI controller, so the
    guest sees no SATA disk at all).  monitor: a -monitor value (e.g.
    "unix:/path,server,nowait"); by default none unless on the serial line."""
    if accel == "kvm":
        accel_args = ["-accel", "kvm", "-cpu", "host"]
    else:
        accel_args = ["-accel", accel, "-cpu", "max"]
    # The image on its own drive: q35 attaches it to its AHCI controller.
    if boot_disk == "ahci":
        boot_args = ["-drive", "format=raw,file=" + image]
    elif boot_disk == "usb":
        boot_args = ["-drive", "if=none,id=bootdisk,format=raw,file=" + image,
                     "-device", "qemu-xhci", "-device", "usb-storage,drive=bootdisk,bootindex=0"]
    else:
        raise QemuError("boot_disk %r is not ahci or usb" % boot_disk)
    cmd = ["qemu-system-x86_64", "-machine", "q35"] + accel_args + [
        "-smp", str(cores), "-m", str(mem),
    ] + list(fw_args) + boot_args + [
        "-serial", serial,
    ] + DEBUG_EXIT_ARGS + disk_args(disks)
    if monitor is not None:
        cmd += ["-monitor", monitor]
    elif serial != "mon:stdio":
        cmd += ["-monitor", "none"]
    if headless:
        cmd += ["-display", "none"]
    if no_reboot:
        cmd += ["-no-reboot"]
    if gdb:
        cmd += ["-s", "-S"]
    return cmd + list(extra)


# --------------------------------------------------------------------------
# Serial capture

# CSI sequences (ESC [ params intermediates final), other two-byte escapes,
# and carriage returns.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[@-_]|\r")


def clean_line(text):
    """A serial line without escape sequences, CRs and trailing blanks."""
    return _ANSI.sub("", text).rstrip()


class BootError(Exception):
    """A boot did not do what a test waited for; carries the log tail."""

    def __init__(self, message, boot=None):
        self.boot = boot
        tail = boot.tail(40) if boot is not None else ""
        super().__init__(message + ("\n--- last serial lines ---\n" + tail if tail else ""))
        self.reason = message


_live_boots = set()
_live_lock = threading.Lock()


def _kill_live_boots():
    with _live_lock:
        boots = list(_live_boots)
    for b in boots:
        b.close()


atexit.register(_kill_live_boots)


def mtools_env():
    env = dict(os.environ)
    env["MTOOLS_SKIP_CHECK"] = "1"
    return env


def image_put(image, dest, data):
    """Writes bytes `data` to `dest` (e.g. ::/boxos/cmdline.txt) on the image's ESP."""
    with tempfile.NamedTemporaryFile(prefix="boxos-file-") as f:
        f.write(data)
        f.flush()
        r = subprocess.run(["mcopy", "-o", "-i", image + "@@1M", f.name, dest],
                           env=mtools_env(), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise QemuError("mcopy to %s failed: %s" % (dest, r.stdout.decode(errors="replace").strip()))


def image_get(image, src):
    """Returns the bytes of `src` (e.g. ::/boxos/kernel.elf) on the image's ESP."""
    with tempfile.TemporaryDirectory(prefix="boxos-get-") as d:
        out = os.path.join(d, "file")
        r = subprocess.run(["mcopy", "-i", image + "@@1M", src, out],
                           env=mtools_env(), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise QemuError("mcopy from %s failed: %s" % (src, r.stdout.decode(errors="replace").strip()))
        with open(out, "rb") as f:
            return f.read()


class Boot:
    """One QEMU boot of a private copy of a BoxOS image, serial on a pipe.

    image      the disk image (never modified; a sparse copy is booted)
    cores, mem -smp and -m
    cmdline    replaces ::/boxos/cmdline.txt when not None
    files      {"::/boxos/kernel.elf": b"bytes", ...} replaced on the copy
    extra      more QEMU arguments
    no_reboot  pass -no-reboot (a guest reset then exits QEMU with status 0)
    timeout    hard limit in seconds from the start; QEMU is killed then
    stop_on    regex: the boot is finished when a line matches (QEMU is killed);
               for a guest that halts forever, e.g. after a fault report
    log_path   where close() writes the cleaned serial log (appended)
    name       a label for the log
    accel      tcg (default) or kvm; the ACCEL variable is not consulted
    disks      [(path, "ahci"|"virtio"), ...] extra raw disks, used in place
    boot_disk  "ahci" (default) or "usb": how the image itself is attached
    serial_input  give the guest's serial port a pipe to read (send_serial)
    monitor    start the QEMU monitor on a Unix socket (monitor())
    """

    def __init__(self, image, cores=1, mem="512M", cmdline=None, files=None,
                 extra=(), no_reboot=False, timeout=120, stop_on=None,
                 log_path=None, name=None, accel="tcg", disks=(), boot_disk="ahci",
                 serial_input=False, monitor=False):
        self.image = image
        self.cores = cores
        self.mem = mem
        self.timeout = timeout
        self.stop_on = re.compile(stop_on) if isinstance(stop_on, str) else stop_on
        self.log_path = log_path
        self.name = name or os.path.basename(image)
        self.disks = list(disks)
        self.boot_disk = boot_disk
        self.lines = []         # complete, cleaned serial lines
        self.partial = ""       # the line being received
        self.raw = bytearray()  # everything as received
        self.exit_status = None  # QEMU's exit status once it exited by itself
        self.stopped_by = None   # the line that matched stop_on
        self.timed_out = False
        self.killed = False
        self.proc = None
        self.started = None
        self.elapsed = None
        self._cond = threading.Condition()
        self._eof = False
        self._closed = False
        self._reader = None
        self.tmpdir = tempfile.mkdtemp(prefix="boxos-boot-")
        self.serial_input = serial_input
        self.monitor_path = os.path.join(self.tmpdir, "monitor.sock") if monitor else None
        self._monitor_sock = None
        try:
            self._start(cmdline, files or {}, extra, no_reboot, accel)
        except BaseException:
            self.close()
            raise

    # -- setup ------------------------------------------------------------
    def _start(self, cmdline, files, extra, no_reboot, accel):
        if not os.path.isfile(self.image):
            raise QemuError("no image %s (make image builds it)" % self.image)
        copy = os.path.join(self.tmpdir, "disk.img")
        r = subprocess.run(["cp", "--sparse=always", self.image, copy],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise QemuError("cannot copy %s: %s" % (self.image, r.stdout.decode(errors="replace")))
        if cmdline is not None:
            files = dict(files)
            files["::/boxos/cmdline.txt"] = (cmdline + "\n").encode()
        for dest, data in files.items():
            image_put(copy, dest, data)
        fw = firmware_args(self.tmpdir)
        self.command = qemu_command(copy, fw, cores=self.cores, mem=self.mem,
                                    accel=accel, headless=True, serial="stdio",
                                    no_reboot=no_reboot, extra=extra, disks=self.disks,
                                    boot_disk=self.boot_disk,
                                    monitor=("unix:%s,server=on,wait=off" % self.monitor_path
                                             if self.monitor_path else None))
        with _live_lock:
            _live_boots.add(self)
        self.started = time.monotonic()
        # QEMU's own messages go to a file, not into the serial stream: a
        # "terminating on signal" written while a serial line is half done
        # would otherwise land in the middle of that line.
        self.stderr_path = os.path.join(self.tmpdir, "qemu-stderr.txt")
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.command,
                                         stdin=subprocess.PIPE if self.serial_input else subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=err,
                                         start_new_session=True, cwd=self.tmpdir)
        self._reader = threading.Thread(target=self._read, name="serial-" + self.name, daemon=True)
        self._reader.start()

    # -- the reader thread --------------------------------------------------
    def _read(self):
        fd = self.proc.stdout.fileno()
        deadline = self.started + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if self.timed_out:
                    break  # killed 5 s ago and the pipe is still open
                self.timed_out = True
                self._kill_group()
                left = 5  # drain what is left after the kill
                deadline = time.monotonic() + left
            ready, _, _ = select.select([fd], [], [], min(left, 0.25))
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            self._feed(chunk)
        with self._cond:
            if self.partial:
                self.lines.append(clean_line(self.partial))
                self.partial = ""
        try:
            status = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._kill_group()
            status = self.proc.wait()
        try:
            with open(self.stderr_path, "rb") as err:
                extra = err.read().decode(errors="replace").splitlines()
        except OSError:
            extra = []
        with self._cond:
            self.lines.extend("[qemu stderr] " + l for l in extra if l.strip())
        with self._cond:
            if not self.killed:
                self.exit_status = status
            self.elapsed = time.monotonic() - self.started
            self._eof = True
            self._cond.notify_all()

    def _feed(self, chunk):
        stop = False
        with self._cond:
            self.raw += chunk
            text = self.partial + chunk.decode("utf-8", errors="replace")
            parts = text.split("\n")
            self.partial = parts.pop()
            for p in parts:
                line = clean_line(p)
                self.lines.append(line)
                if self.stop_on is not None and self.stopped_by is None and self.stop_on.search(line):
                    self.stopped_by = line
                    stop = True
            # A halted guest may never end its last line.
            if (self.stop_on is not None and self.stopped_by is None and self.partial
                    and self.stop_on.search(clean_line(self.partial))):
                self.stopped_by = clean_line(self.partial)
                stop = True
            self._cond.notify_all()
        if stop:
            self._kill_group()

    # -- process control ----------------------------------------------------
    def _kill_group(self):
        """SIGTERM, then SIGKILL, to QEMU's whole process group."""
        p = self.proc
        if p is None or p.poll() is not None:
            return
        self.killed = True
        pgid = p.pid  # start_new_session: QEMU leads its own group
        for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                return
            end = time.monotonic() + grace
            while time.monotonic() < end:
                if p.poll() is not None:
                    break
                time.sleep(0.05)
            if p.poll() is not None:
                # Leader gone; make sure nothing else is left in the group.
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return

    def kill(self):
        self._kill_group()

    def close(self):
        """Kills QEMU (if still running), writes the log, deletes the temp dir."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._monitor_sock is not None:
                self._monitor_sock.close()
                self._monitor_sock = None
            self._kill_group()
            if self.serial_input and self.proc is not None and self.proc.stdin:
                try:
                    self.proc.stdin.close()
                except OSError:
                    pass
            if self._reader is not None:
                self._reader.join(timeout=20)
            if self.log_path:
                self._write_log()
        finally:
            with _live_lock:
                _live_boots.discard(self)
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _write_log(self):
        os.makedirs(os.path.dirname(os.path.abspath(self.log_path)), exist_ok=True)
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write("=== %s: %s\n" % (self.name, " ".join(self.command)))
            for line in self.snapshot():
                f.write(line + "\n")
            f.write("=== %s\n" % self.outcome())

    def leftover_pids(self):
        """Processes still alive in QEMU's session (should be none after close)."""
        if self.proc is None:
            return []
        sid = self.proc.pid
        left = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2:].split()
            # fields[0] is the state, [2] the process group, [3] the session
            if len(fields) > 3 and fields[0] != "Z" and (int(fields[2]) == sid or int(fields[3]) == sid):
                left.append(int(entry))
        return left

    # -- input ----------------------------------------------------------------
    def send_serial(self, data):
        """Writes bytes to the guest's serial port (needs serial_input=True)."""
        if not self.serial_input:
            raise QemuError("send_serial needs Boot(serial_input=True)")
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def monitor(self, command, timeout=10):
        """Runs one QEMU monitor command (needs monitor=True); returns its answer."""
        if self.monitor_path is None:
            raise QemuError("monitor needs Boot(monitor=True)")
        import socket
        if self._monitor_sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            end = time.monotonic() + timeout
            while True:
                try:
                    sock.connect(self.monitor_path)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.monotonic() > end:
                        raise QemuError("the QEMU monitor socket never opened")
                    time.sleep(0.1)
            self._monitor_sock = sock
            self._monitor_read(timeout)  # the greeting, up to the first prompt
        self._monitor_sock.sendall(command.encode() + b"\n")
        text = self._monitor_read(timeout)
        # the monitor echoes the command line first
        lines = [clean_line(l) for l in text.split("\n")]
        return "\n".join(l for l in lines[1:] if l)

    def _monitor_read(self, timeout):
        data = b""
        end = time.monotonic() + timeout
        while not data.endswith(b"(qemu) "):
            if time.monotonic() > end:
                raise QemuError("no QEMU monitor prompt within %d s" % timeout)
            chunk = self._monitor_sock.recv(65536)
            if not chunk:
                raise QemuError("the QEMU monitor closed its socket")
            data += chunk
        return data[:-len(b"(qemu) ")].decode(errors="replace")

    # -- queries --------------------------------------------------------------
    def snapshot(self):
        """The complete lines so far (plus the unfinished one, if any)."""
        with self._cond:
            lines = list(self.lines)
            if self.partial:
                lines.append(clean_line(self.partial))
            return lines

    def tail(self, n=40):
        return "\n".join(self.snapshot()[-n:])

    def outcome(self):
        if self.timed_out:
            return "killed after the %d s timeout" % self.timeout
        if self.stopped_by is not None:
            return "stopped on %r" % self.stopped_by
        if self.exit_status is not None:
            return "QEMU exited with status %d" % self.exit_status
        if self.killed:
            return "killed"
        return "running"

    def finished(self):
        with self._cond:
            return self._eof

    def _time_left(self, timeout):
        end = self.started + self.timeout
        if timeout is not None:
            end = min(end, time.monotonic() + timeout)
        return end

    def wait_for(self, regex, timeout=None):
        """Waits for a line matching regex (re.search on each line); returns the match.

        Raises BootError when QEMU ends, or the time is up, first."""
        rx = re.compile(regex) if isinstance(regex, str) else regex
        end = self._time_left(timeout)
        seen = 0
        with self._cond:
            while True:
                while seen < len(self.lines):
                    m = rx.search(self.lines[seen])
                    seen += 1
                    if m:
                        return m
                if self._eof:
                    raise BootError("no line matching /%s/ (%s)" % (rx.pattern, self.outcome()), self)
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 1.0))
        raise BootError("no line matching /%s/ within %.0f s" % (rx.pattern, time.monotonic() - self.started), self)

    def wait_exit(self, timeout=None):
        """Waits until the boot is over.  Returns QEMU's exit status, or None
        when the boot was stopped by stop_on.  Raises BootError on a timeout
        (QEMU is then killed)."""
        end = self._time_left(timeout)
        with self._cond:
            while not self._eof:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 1.0))
            done = self._eof
        if not done:
            self._kill_group()
            self._reader.join(timeout=20)
            raise BootError("QEMU still running after %.0f s (killed)" % (time.monotonic() - self.started), self)
        if self.timed_out:
            raise BootError("QEMU killed after the %d s timeout" % self.timeout, self)
        if self.stopped_by is not None:
            return None
        if self.exit_status is None:
            raise BootError("QEMU was killed", self)
        return self.exit_status


# --------------------------------------------------------------------------
# Command line

def main(argv=None):
    ap = argparse.ArgumentParser(description="Run BoxOS in QEMU (settings: CORES, MEM, ACCEL, HEADLESS, DISKS).")
    ap.add_argument("action", choices=["run", "print"], help="run QEMU, or print its command line")
    ap.add_argument("--image", default="build/boxos.img")
    ap.add_argument("--gdb", action="store_true", help="start halted with a gdb stub on :1234 (-s -S)")
    ap.add_argument("--no-reboot", action="store_true", help="exit instead of rebooting")
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if "--" in argv:  # everything after -- goes to QEMU as is
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    args = ap.parse_args(argv)

    s = env_settings()
    if not os.path.isfile(args.image):
        print("qemu.py: no image %s (run make image)" % args.image, file=sys.stderr)
        return 1
    try:
        vars_dir = os.path.dirname(os.path.abspath(args.image))
        fw = firmware_args(vars_dir, copy=(args.action == "run"))
    except (QemuError, OSError) as e:
        print("qemu.py: %s" % e, file=sys.stderr)
        return 1
    try:
        cmd = qemu_command(args.image, fw, cores=s["cores"], mem=s["mem"], accel=s["accel"],
                           headless=s["headless"], serial="mon:stdio", gdb=args.gdb,
                           no_reboot=args.no_reboot, extra=extra,
                           disks=parse_disks(os.environ.get("DISKS")))
    except QemuError as e:
        print("qemu.py: %s" % e, file=sys.stderr)
        return 1
    if args.action == "print":
        print(" ".join(cmd))
        return 0
    if s["headless"]:
        print("qemu.py: serial console here; Ctrl-A X quits, Ctrl-A C switches to the monitor",
              file=sys.stderr)
    sys.stdout.flush()
    try:
        os.execvp(cmd[0], cmd)
    except OSError as e:
        print("qemu.py: cannot run %s: %s" % (cmd[0], e), file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main())
