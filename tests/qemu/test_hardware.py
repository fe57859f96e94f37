"""test_hardware.py: QEMU tests of the Hardware Deck's devices.

  hardware_input
      2 CPUs, `run=kbdtest`.  kbdtest (an APP Cabin) echoes what
      hardware.console.read and hardware.kbd.read return.  The test types
      "ab\\r\\ncd\\rx\\n" on the serial line: the echoed console bytes are
      exactly those (CR, LF and CRLF as sent).  Then it types through the
      QEMU monitor's sendkey: shift-a, b, ret, up, ctrl-c, kp_enter; the key
      events are exactly the expected press/release pairs (set-1 scancodes,
      0xE0 for the extended Up and keypad Enter, HID key codes, characters,
      Shift/Ctrl modifier bits) and the bytes they type ("Ab\\r", Up as
      ESC [ A, Ctrl-C = 0x03, "\\r") arrive as console input too, after the serial
      bytes.  A final serial "Q" ends kbdtest, which logs hardware.irq.info:
      ISA IRQ 1 (keyboard) and 4 (COM1) are routed to cpu0, and their counts
      are at least the key bytes / serial bytes sent.  kbdtest exits 0.
  hardware_no_8042
      1 CPU, the machine without its 8042 (`-machine i8042=off`),
      `run=kbdtest`.  The kernel logs that there is no controller and goes
      on at once (the warning comes within 50 ms of the line before it);
      serial input still reaches kbdtest, and irq.info lists COM1's route
      only.  kbdtest exits 0.
  hardware_fb
      1 CPU, `run=fbtest`.  hardware.fb.info equals the GOP mode TagBoot
      printed and the text grid the kernel printed at boot; fbtest clears the screen to navy, has
      bad fb.write calls (in red) refused, cpu.halt and a short irq.info
      refused, and draws "BOXOS-FB-TEST-OK" yellow on green in the last
      cells of the last row.  A monitor screendump then shows: those cells
      hold only yellow and green pixels (both), the rest of the last row is
      navy, and no pure red pixel is anywhere.  fbtest exits 0.
  hardware_fb_none
      1 CPU without a display adapter (`-vga none`): TagBoot finds no
      framebuffer, and fbtest's fb.info, fb.write and fb.clear all answer
      BOX_ERR_NOENT (fbtest exits 0).
  hardware_repeat
      1 CPU, `run=kbdrepeat:system`.  QEMU's keyboard sends no typematic
      repeats, so kbdrepeat has the 8042 play keyboard (command 0xD2, then
      the byte at port 0x60, one byte per Pocket; each arrives with IRQ 1):
      a held, Up held, Shift held while Q is typed.  The logged events are
      exactly PRESS, REPEAT, REPEAT, RELEASE / PRESS, REPEAT, RELEASE /
      Shift PRESS, REPEAT, Q with Shift, Shift RELEASE, the console gets
      "aaa", ESC [ A twice, "Q" (repeats type, releases do not; Up types
      the terminal's sequence), and kbdrepeat exits 0 (it
      checks the same itself).
  hardware_halt
      4 CPUs, `run=halttest:system`.  hardware.cpu.halt logs its one line;
      afterwards the serial line stays silent, QEMU keeps running, and the
      monitor's `info registers -a` shows all four CPUs halted (HLT=1) with
      interrupts off (RFLAGS.IF clear).  The harness kills QEMU.
"""

import os
import re
import time

from harness import check, expect_in_order, forbid, kernel_re

EXITED = r"cabin \d+ \(%s\) exited with status %s on cpu(\d+)"
CONSOLE = re.compile(r"kbdtest: console (\d+)((?: [0-9a-f]{2})*)$")
KEY = re.compile(r"kbdtest: key ([0-9a-f]{4}) ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2}) (press|release|repeat)$")
IRQ = re.compile(r"kbdtest: irq isa (\d+) gsi (\d+) vector ([0-9a-f]{2}) cpu (\d+) count (\d+)$")

SERIAL_TEXT = b"ab\r\ncd\rx\n"
SENDKEYS = ["shift-a", "b", "ret", "up", "ctrl-c", "kp_enter"]
# (scancode, HID key code, character, modifiers, action) for each sendkey above:
# QEMU presses the keys of a combination in order and releases them in reverse.
SHIFT, CTRL = 0x01, 0x02
EXPECTED_KEYS = [
    (0x002A, 0xE1, 0x00, SHIFT, "press"), (0x001E, 0x04, ord("A"), SHIFT, "press"),
    (0x001E, 0x04, ord("A"), SHIFT, "release"), (0x002A, 0xE1, 0x00, 0, "release"),
    (0x0030, 0x05, ord("b"), 0, "press"), (0x0030, 0x05, ord("b"), 0, "release"),
    (0x001C, 0x28, 0x0D, 0, "press"), (0x001C, 0x28, 0x0D, 0, "release"),
    (0xE048, 0x52, 0x00, 0, "press"), (0xE048, 0x52, 0x00, 0, "release"),
    (0x001D, 0xE0, 0x00, CTRL, "press"), (0x002E, 0x06, 0x03, CTRL, "press"),
    (0x002E, 0x06, 0x03, CTRL, "release"), (0x001D, 0xE0, 0x00, 0, "release"),
    (0xE01C, 0x58, 0x0D, 0, "press"), (0xE01C, 0x58, 0x0D, 0, "release"),
]
KEY_TEXT = b"Ab\r\x1b[A\x03\r"  # Up types the terminal's ESC [ A


def console_bytes(lines):
    out = b""
    for line in lines:
        m = CONSOLE.search(line)
        if m:
            data = bytes(int(h, 16) for h in m.group(2).split())
            if len(data) != int(m.group(1)):
                raise AssertionError("console line with a wrong count: %r" % line)
            out += data
    return out


def key_events(lines):
    out = []
    for line in lines:
        m = KEY.search(line)
        if m:
            sc, key, ch, mods, action = m.groups()
            out.append((int(sc, 16), int(key, 16), int(ch, 16), int(mods, 16), action))
    return out


def wait_until(b, cond, what, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond(b.snapshot()):
            return
        if b.finished():
            break
        time.sleep(0.1)
    check(False, "timed out waiting for %s" % what, b)


def test_hardware_input(ctx):
    with ctx.boot(cores=2, mem="512M", cmdline="run=kbdtest after=poweroff",
                  serial_input=True, monitor=True) as b:
        b.wait_for(kernel_re(r"kbdtest: ready"))
        b.send_serial(SERIAL_TEXT)
        wait_until(b, lambda l: len(console_bytes(l)) >= len(SERIAL_TEXT), "the serial echo")
        for k in SENDKEYS:
            answer = b.monitor("sendkey " + k)
            check(answer == "", "sendkey %s: monitor said %r" % (k, answer), b)
        wait_until(b, lambda l: len(key_events(l)) >= len(EXPECTED_KEYS)
                   and len(console_bytes(l)) >= len(SERIAL_TEXT) + len(KEY_TEXT), "the key echo")
        b.send_serial(b"Q")
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    expect_in_order(lines, [
        ("the serial input is taken on IRQ 4", kernel_re(r"serial: COM1 input on IRQ 4, vector 0x34, cpu0")),
        ("the 8042 is found", kernel_re(r"ps2kbd: 8042 ready, keyboard on IRQ 1, vector 0x31, cpu0 \(set 1 by translation\)")),
        ("kbdtest is ready", kernel_re(r"kbdtest: ready")),
        ("kbdtest exits 0", kernel_re(EXITED % ("kbdtest", "0"))),
        ("power-off", kernel_re(r"power: ACPI S5 power-off"))], b)
    got = console_bytes(lines)
    want = SERIAL_TEXT + KEY_TEXT + b"Q"
    check(got == want, "console input %r, expected %r" % (got, want), b)
    keys = key_events(lines)
    check(keys == EXPECTED_KEYS, "key events %s, expected %s" % (keys, EXPECTED_KEYS), b)

    irqs = {}
    for line in lines:
        m = IRQ.search(line)
        if m:
            isa, gsi, vector, cpu, count = m.groups()
            irqs[int(isa)] = (int(gsi), int(vector, 16), int(cpu), int(count))
    check(set(irqs) >= {1, 4}, "irq.info lists ISA IRQs %s, expected 1 and 4" % sorted(irqs), b)
    # every key event is at least one keyboard byte, every serial byte at most one interrupt each
    # (the UART may take several bytes per interrupt, so only "some" for COM1)
    check(irqs[1][1] == 0x31 and irqs[1][2] == 0 and irqs[1][3] >= len(EXPECTED_KEYS),
          "keyboard IRQ entry %s: want vector 0x31, cpu 0, count >= %d" % (irqs[1], len(EXPECTED_KEYS)), b)
    check(irqs[4][1] == 0x34 and irqs[4][2] == 0 and irqs[4][3] >= 2,
          "COM1 IRQ entry %s: want vector 0x34, cpu 0, count >= 2" % (irqs[4],), b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)


STAMP = re.compile(r"^\[\s*(\d+\.\d+)\]")


def test_hardware_no_8042(ctx):
    with ctx.boot(cores=1, mem="512M", cmdline="run=kbdtest after=poweroff",
                  extra=["-machine", "i8042=off"], serial_input=True) as b:
        b.wait_for(kernel_re(r"kbdtest: ready"))
        b.send_serial(b"zQ")
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    hits = expect_in_order(lines, [
        ("serial input is set up", kernel_re(r"serial: COM1 input on IRQ 4, vector 0x34, cpu0")),
        ("the missing 8042 is reported",
         kernel_re(r"ps2kbd: no 8042 controller \(status port reads 0xFF\); no PS/2 keyboard")),
        ("the serial bytes arrive", kernel_re(r"kbdtest: console 2 7a 51")),
        ("irq.info lists COM1", kernel_re(r"kbdtest: irq isa 4 gsi 4 vector 34 cpu 0 count \d+")),
        ("kbdtest exits 0", kernel_re(EXITED % ("kbdtest", "0")))], b)
    t0 = float(STAMP.match(lines[hits[0][0]]).group(1))
    t1 = float(STAMP.match(lines[hits[1][0]]).group(1))
    check(t1 - t0 < 0.05, "the 8042 probe took %.3f s" % (t1 - t0), b)
    check(not any(IRQ.search(l) and " isa 1 " in l for l in lines), "irq.info lists IRQ 1 without an 8042", b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m or m.group(3) != b"255":
        raise AssertionError("screendump is not an 8-bit PPM")
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():m.end() + w * h * 3]


def test_hardware_fb(ctx):
    with ctx.boot(cores=1, mem="512M", cmdline="run=fbtest after=poweroff",
                  serial_input=True, monitor=True) as b:
        gop = b.wait_for(r"^TagBoot \d+: framebuffer (\d+)x(\d+) (\w+) at 0x[0-9A-Fa-f]+$")
        boot_fb = b.wait_for(kernel_re(r"fbcon: (\d+)x(\d+) framebuffer, (\d+)x(\d+) text"))
        info = b.wait_for(kernel_re(r"fbtest: fb (\d+)x(\d+) pitch (\d+) bpp (\d+) text (\d+)x(\d+) glyph (\d+)x(\d+)"))
        drawn = b.wait_for(kernel_re(r"fbtest: drawn at col (\d+) row (\d+)"))
        shot = os.path.join(b.tmpdir, "screen.ppm")
        answer = b.monitor("screendump " + shot)
        check(answer == "", "screendump: monitor said %r" % answer, b)
        width, height, pixels = read_ppm(shot)
        b.send_serial(b"g")
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    expect_in_order(lines, [("fbtest exits 0", kernel_re(EXITED % ("fbtest", "0"))),
                            ("power-off", kernel_re(r"power: ACPI S5 power-off"))], b)
    w, h, pitch, bpp, cols, rows, gw, gh = (int(x) for x in info.groups())
    bw, bh, bcols, brows = (int(x) for x in boot_fb.groups())
    gw_, gh_ = int(gop.group(1)), int(gop.group(2))
    check((w, h) == (gw_, gh_), "fb.info %dx%d, TagBoot's GOP mode %dx%d" % (w, h, gw_, gh_), b)
    check((w, h, cols, rows) == (bw, bh, bcols, brows),
          "fb.info %dx%d, %dx%d text; boot said %dx%d, %dx%d" % (w, h, cols, rows, bw, bh, bcols, brows), b)
    check(bpp == 32 and pitch >= w * 4 and cols == w // gw and rows == h // gh,
          "fb.info pitch %d bpp %d glyph %dx%d do not fit %dx%d" % (pitch, bpp, gw, gh, w, h), b)
    check((width, height) == (w, h), "screendump is %dx%d, fb.info %dx%d" % (width, height, w, h), b)
    col, row = (int(x) for x in drawn.groups())
    check((col, row) == (cols - 16, rows - 1), "drawn at %d,%d" % (col, row), b)

    def px(x, y):
        i = (y * width + x) * 3
        return tuple(pixels[i:i + 3])

    yellow, green, navy = (255, 255, 0), (0, 128, 0), (0, 0, 128)
    seen = {}
    for y in range(row * gh, (row + 1) * gh):
        for x in range(col * gw, (col + 16) * gw):
            p = px(x, y)
            seen[p] = seen.get(p, 0) + 1
    check(set(seen) == {yellow, green}, "the text cells hold colours %s" % sorted(seen), b)
    bad = [(x, y) for y in range(row * gh, (row + 1) * gh) for x in range(0, col * gw)
           if px(x, y) != navy]
    check(not bad, "%d pixels of the last row left of the text are not navy (first %s)"
          % (len(bad), bad[:1]), b)
    red = pixels.find(bytes((255, 0, 0)))
    while red >= 0 and red % 3:
        red = pixels.find(bytes((255, 0, 0)), red + 1)
    check(red < 0, "a red pixel at %d,%d: a refused fb.write drew" % ((red // 3) % width, (red // 3) // width), b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)


def test_hardware_fb_none(ctx):
    with ctx.boot(cores=1, mem="512M", cmdline="run=fbtest after=poweroff", extra=["-vga", "none"]) as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    expect_in_order(lines, [
        ("TagBoot finds no framebuffer", r"^TagBoot \d+: no framebuffer$"),
        ("every fb op answers NOENT",
         kernel_re(r"fbtest: no framebuffer: fb\.info, fb\.write and fb\.clear answer BOX_ERR_NOENT")),
        ("fbtest exits 0", kernel_re(EXITED % ("fbtest", "0"))),
        ("power-off", kernel_re(r"power: ACPI S5 power-off"))], b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)


REPEAT_KEY = re.compile(r"kbdrepeat: key ([0-9a-f]{4}) ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2}) (press|release|repeat)$")
EXPECTED_REPEATS = [
    (0x001E, 0x04, ord("a"), 0, "press"), (0x001E, 0x04, ord("a"), 0, "repeat"),
    (0x001E, 0x04, ord("a"), 0, "repeat"), (0x001E, 0x04, ord("a"), 0, "release"),
    (0xE048, 0x52, 0, 0, "press"), (0xE048, 0x52, 0, 0, "repeat"), (0xE048, 0x52, 0, 0, "release"),
    (0x002A, 0xE1, 0, SHIFT, "press"), (0x002A, 0xE1, 0, SHIFT, "repeat"),
    (0x0010, 0x14, ord("Q"), SHIFT, "press"), (0x0010, 0x14, ord("Q"), SHIFT, "release"),
    (0x002A, 0xE1, 0, 0, "release"),
]


def test_hardware_repeat(ctx):
    with ctx.boot(cores=1, mem="512M", cmdline="run=kbdrepeat:system after=poweroff") as b:
        status = b.wait_exit()
    lines = b.snapshot()
    forbid(lines, boot=b)
    events = []
    for line in lines:
        m = REPEAT_KEY.search(line)
        if m:
            sc, key, ch, mods, action = m.groups()
            events.append((int(sc, 16), int(key, 16), int(ch, 16), int(mods, 16), action))
    check(events == EXPECTED_REPEATS, "key events %s, expected %s" % (events, EXPECTED_REPEATS), b)
    expect_in_order(lines, [
        ("the repeats typed 'a' three times, Up's ESC [ A twice, then Q",
         kernel_re(r"kbdrepeat: console 61 61 61 1b 5b 41 1b 5b 41 51")),
        ("kbdrepeat exits 0", kernel_re(EXITED % ("kbdrepeat", "0") + r" \(auth system\)")),
        ("power-off", kernel_re(r"power: ACPI S5 power-off"))], b)
    check(status == 0, "QEMU exit status %s, expected 0 (power-off)" % status, b)


def test_hardware_halt(ctx):
    with ctx.boot(cores=4, mem="512M", cmdline="run=halttest:system", monitor=True) as b:
        b.wait_for(kernel_re(r"hardware: cpu\.halt by halttest: stopping 4 CPUs, interrupts off, until reset"))
        count = len(b.snapshot())
        time.sleep(2)
        after = b.snapshot()
        check(not b.finished(), "QEMU ended after cpu.halt (%s)" % b.outcome(), b)
        regs = b.monitor("info registers -a")
    lines = b.snapshot()
    forbid(lines, boot=b)
    check(len(after) == count, "serial output after the halt line: %r" % after[count:], b)
    check(not any("cpu.halt returned" in l for l in lines), "cpu.halt returned to the Cabin", b)
    states = re.findall(r"RFL=([0-9a-f]+) .*HLT=(\d)", regs)
    check(len(states) == 4, "info registers -a shows %d CPUs:\n%s" % (len(states), regs), b)
    for n, (rflags, hlt) in enumerate(states):
        check(hlt == "1", "CPU %d is not halted (HLT=%s)" % (n, hlt), b)
        check(int(rflags, 16) & 0x200 == 0, "CPU %d halted with interrupts on (RFL=%s)" % (n, rflags), b)
