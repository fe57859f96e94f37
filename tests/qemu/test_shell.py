"""test_shell.py: the shell, driven over the serial line like a program would.

Each boot has no after=, so the kernel starts init=shell:system and keeps it
running.  The test writes bytes to the serial port and reads the raw serial
output (escape sequences and all); a command is done when the output ends
with a new prompt.  The last line of the output before any input is the
prompt itself, so "exactly `~ `" is checked on the bytes.

  shell_cores_1, shell_cores_4 (1 and 4 CPUs, 512 MiB):
      the first prompt is exactly "~ " after the greeting; `use kernel
      notify` makes the next prompt "[kernel,notify] ~ ", bare `use` brings
      back "~ ", a bad tag name and nine tags are refused with one line;
      `help` lists the four builtins and every app of the bundle with the
      description from its apps/NAME/about; `nosuch a b`
      prints exactly "unknown command: nosuch"; quoting: echo "a  b" c
      'd e' prints "a  b c d e"; `echo in-the-background &` says it runs in
      the background as cabin N and its output comes, `echo "&" \\&` prints
      "& &"; one write with CR, LF and CR LF endings
      runs exactly three commands (three outputs, three prompts); Backspace
      (0x08 and 0x7f) and Left/Right edit a line; Ctrl-C drops a line (its
      command never runs); Up re-runs the last command, Up Up Down the
      one Down leads back to; a non-zero exit status is reported ("echo: exit status
      3"); the crash app's page fault is one line "crash: killed: #PF page
      fault at 0x0 ...", `crash ud` one line "crash: killed: #UD invalid
      opcode (rip 0x...)", and the next command still runs; `shell` starts a
      nested shell whose editing echo (escape sequences) arrives unfiltered
      and whose `exit` returns to the first one; `exit` with a
      context set: the kernel starts the shell again and its prompt shows
      "[kernel,notify] ~ " again; keys typed through the QEMU monitor's
      sendkey (letters, space, Left, Up, Enter) reach the shell too.
  shell_framebuffer (1 CPU): the framebuffer console follows the line
      editor: after `clear` the prompt is on the top row and every other
      row is black, and a line typed straight ("echo abc") and one typed
      with mistakes fixed by Backspace, Left, Right and Delete give the very
      same pixels (so no escape byte is drawn as a glyph and the edits are
      rendered), and they are not blank.
"""

import glob
import os
import re
import time

from harness import check, forbid, kernel_re

PROMPT = b"~ "
CTX_PROMPT = b"[kernel,notify] ~ "
KERNEL_LINE = re.compile(r"^\[\s*\d+\.\d+\] ")
WAIT = 60  # seconds for one command under TCG with 4 vCPUs on a busy host


class Shell:
    """The serial side of one boot running the shell."""

    def __init__(self, boot):
        self.b = boot

    def mark(self):
        with self.b._cond:
            return len(self.b.raw)

    def since(self, mark):
        with self.b._cond:
            return bytes(self.b.raw[mark:])

    def wait_prompt(self, mark, prompt=PROMPT, count=1, timeout=WAIT, lead=b"\r\n"):
        """Waits until the output after mark ends with count prompts on
        lines of their own (after lead: a new line, or the cursor going
        home after `clear`) and nothing after the last; returns that output."""
        end = time.monotonic() + timeout
        want = lead + prompt
        while time.monotonic() < end:
            out = self.since(mark)
            if out.endswith(want) and out.count(want) >= count:
                time.sleep(0.2)  # nothing more may follow a prompt
                again = self.since(mark)
                if again == out:
                    return out
                continue
            if self.b.finished():
                break
            time.sleep(0.05)
        check(False, "no %r prompt (x%d) within %d s; output was %r%s"
              % (prompt, count, timeout, self.since(mark)[-400:], self.probe()), self.b)

    def probe(self):
        """After a timeout: does an extra Enter get a prompt?  Tells input
        that never reached the shell from a shell that is stuck."""
        if self.b.finished():
            return "; QEMU has ended"
        mark = self.mark()
        self.b.send_serial(b"\r")
        end = time.monotonic() + 15
        while time.monotonic() < end:
            if self.since(mark).endswith(b"~ "):
                return "; an extra Enter then gave %r" % self.since(mark)[-200:]
            time.sleep(0.1)
        return "; an extra Enter gave nothing within 15 s either (%r)" % self.since(mark)[-200:]

    def run(self, data, prompt=PROMPT, count=1, lead=b"\r\n"):
        """Sends data and waits for the prompt; returns the output lines
        between the echoed command line and the prompt (kernel log lines
        left out)."""
        mark = self.mark()
        self.b.send_serial(data)
        out = self.wait_prompt(mark, prompt, count, lead=lead)
        return output_lines(out)


def output_lines(out):
    """The lines of raw shell output, without the first (the echo of what
    was typed) and the last (the new prompt), and without kernel log lines."""
    lines = out.decode(errors="replace").split("\r\n")[1:-1]
    return [l for l in lines if not KERNEL_LINE.search(l)]


def bundle_apps():
    """{name: description} of every app with an about file that the bundle holds."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    with open(os.path.join(root, "apps", "apps.mk")) as f:
        mk = f.read()
    m = re.search(r"^APPS\s*:=((?:.*\\\n)*.*)$", mk, re.M)
    listed = set(m.group(1).replace("\\\n", " ").split())
    out = {}
    for path in glob.glob(os.path.join(root, "apps", "*", "about")):
        name = os.path.basename(os.path.dirname(path))
        if name in listed:
            with open(path) as f:
                out[name] = f.readline().strip().split(" ", 1)[1]
    return out


def first_prompt(sh):
    """The boot's first prompt: exactly "~ " on its own line after the greeting."""
    out = sh.wait_prompt(0, timeout=90)
    last = out.rsplit(b"\n", 1)[1]
    check(last == PROMPT, "the first prompt is %r, not exactly %r" % (last, PROMPT), sh.b)
    check(b"BoxOS shell: `help` lists the commands\r\n~ " in out, "no greeting before the prompt", sh.b)


def shell_session(ctx, cores):
    with ctx.boot(cores=cores, mem="512M", cmdline="loglevel=info", serial_input=True,
                  monitor=True, timeout=400) as b:
        sh = Shell(b)
        first_prompt(sh)

        # the use context and the prompt
        got = sh.run(b"use kernel notify\r", prompt=CTX_PROMPT)
        check(got == [], "use printed %r" % got, b)
        check(sh.since(0).endswith(b"\r\n" + CTX_PROMPT), "no context prompt", b)
        got = sh.run(b"use\r")
        check(got == [], "bare use printed %r" % got, b)
        got = sh.run(b"use Bad!\r")
        check(got == ["use: a tag is 1 to 31 characters of a-z 0-9 _ . -"], "a bad tag gave %r" % got, b)
        got = sh.run(b"use a b c d e f g h i\r")
        check(got == ["use: at most 8 tags"], "nine tags gave %r" % got, b)

        # help: the builtins and every app with its description
        got = sh.run(b"help\r")
        text = "\n".join(got)
        for builtin in ("help", "use [tag ...]", "clear", "exit"):
            check(any(l.startswith("  " + builtin + " ") for l in got), "help lacks the builtin %r:\n%s"
                  % (builtin, text), b)
        apps = bundle_apps()
        check({"crash", "echo", "shell"} <= set(apps), "the bundle's apps with about files: %s" % apps, b)
        for name, about in apps.items():
            check(any(re.match(r"^  %s +%s$" % (re.escape(name), re.escape(about)), l) for l in got),
                  "help lacks the app %s (%r):\n%s" % (name, about, text), b)

        # an unknown command, exactly
        got = sh.run(b"nosuch a b\r")
        check(got == ["unknown command: nosuch"], "unknown command printed %r" % got, b)

        # quoting and arguments
        got = sh.run(b"echo \"a  b\" c 'd e'\r")
        check(got == ["a  b c d e"], "echo with quotes printed %r" % got, b)

        # a trailing & runs the app detached; a quoted or escaped & is an argument
        # (its output may come before or after the next prompt, so no prompt is waited for)
        mark = sh.mark()
        b.send_serial(b"echo in-the-background &\r")
        started = re.compile(rb"\r\necho: running in the background as cabin \d+\r\n")
        printed = re.compile(rb"(\r\n|~ )in-the-background\r\n")
        end = time.monotonic() + WAIT
        while not (started.search(sh.since(mark)) and printed.search(sh.since(mark))) \
                and time.monotonic() < end:
            time.sleep(0.1)
        text = sh.since(mark)
        check(started.search(text), "no background line in %r" % text, b)
        check(printed.search(text), "the background echo printed nothing: %r" % text, b)
        time.sleep(0.5)
        sh.run(b"\r")  # a fresh prompt on a line of its own
        got = sh.run(b"echo \"&\" \\&\r")
        check(got == ["& &"], "quoted and escaped & gave %r" % got, b)

        # CR, LF and CR LF: one command each, in one write
        mark = sh.mark()
        b.send_serial(b"echo one\recho two\necho three\r\n")
        out = sh.wait_prompt(mark, count=3)
        lines = [l for l in out.decode(errors="replace").split("\r\n") if not KERNEL_LINE.search(l)]
        outputs = [l for l in lines if l in ("one", "two", "three")]
        check(outputs == ["one", "two", "three"], "CR/LF/CRLF outputs %r" % lines, b)
        time.sleep(1.0)
        prompts = sh.since(mark).count(b"\r\n" + PROMPT)
        check(prompts == 3, "CR, LF and CR LF gave %d prompts, not 3: %r" % (prompts, sh.since(mark)), b)

        # Backspace (both codes) and Left/Right
        got = sh.run(b"ecX\x08ho ab\x7f\x7fok\r")
        check(got == ["ok"], "backspace editing ran %r" % got, b)
        got = sh.run(b"echo wrld\x1b[D\x1b[D\x1b[Do\x1b[C\x1b[C\x1b[C!\r")
        check(got == ["world!"], "left/right editing ran %r" % got, b)

        # Ctrl-C drops the line
        mark = sh.mark()
        b.send_serial(b"echo dropped\x03")
        out = sh.wait_prompt(mark)
        check(b"^C\r\n" + PROMPT in out, "Ctrl-C gave %r" % out, b)
        got = sh.run(b"echo kept\r")
        check(got == ["kept"], "after Ctrl-C ran %r" % got, b)
        check(b"\r\ndropped\r\n" not in sh.since(0), "the dropped line ran", b)

        # history: Up, Up Up Down
        got = sh.run(b"\x1b[A\r")
        check(got == ["kept"], "Up re-ran %r" % got, b)
        got = sh.run(b"\x1b[A\x1b[A\r")
        check(got == ["world!"], "Up Up ran %r" % got, b)
        # the history is now ... "echo world!", "echo kept", "echo world!"
        got = sh.run(b"\x1b[A\x1b[A\x1b[B\r")
        check(got == ["world!"], "Up Up Down ran %r" % got, b)

        # exit status and a crash
        got = sh.run(b"echo x --status=3\r")
        check(got == ["x", "echo: exit status 3"], "a failing app gave %r" % got, b)
        got = sh.run(b"crash\r")
        check(len(got) == 1 and re.match(r"^crash: killed: #PF page fault at 0x0\b.*$", got[0]),
              "the crash report is %r" % got, b)
        got = sh.run(b"crash ud\r")
        check(len(got) == 1 and re.match(r"^crash: killed: #UD invalid opcode \(rip 0x[0-9a-f]+\)$", got[0]),
              "the invalid-opcode report is %r" % got, b)
        got = sh.run(b"echo alive\r")
        check(got == ["alive"], "after the crash ran %r" % got, b)

        # a nested shell has the terminal too: its editing echo arrives intact
        mark = sh.mark()
        b.send_serial(b"shell\r")
        out = sh.wait_prompt(mark)
        check(b"\r\nBoxOS shell: `help` lists the commands\r\n~ " in out, "no nested shell: %r" % out, b)
        mark = sh.mark()
        b.send_serial(b"echo ned\x1b[D\x1b[Dest\r")  # n|ed + est
        out = sh.wait_prompt(mark)
        check(output_lines(out) == ["nested"], "the nested shell ran %r" % out, b)
        check(b"\x1b[" in out and b"?" not in out, "the nested shell's echo was filtered: %r" % out, b)
        mark = sh.mark()
        b.send_serial(b"exit\r")
        out = sh.wait_prompt(mark)
        check(b"starting it again" not in out, "exit in the nested shell ended the first one", b)
        got = sh.run(b"echo outer\r")
        check(got == ["outer"], "back in the first shell, ran %r" % got, b)

        # exit: the kernel starts a new shell, which shows the context again
        sh.run(b"use kernel notify\r", prompt=CTX_PROMPT)
        mark = sh.mark()
        b.send_serial(b"exit\r")
        b.wait_for(kernel_re(r"cabin \d+ \(shell\) exited with status 0; starting it again"), timeout=WAIT)
        out = sh.wait_prompt(mark, prompt=CTX_PROMPT)
        check(out.rsplit(b"\n", 1)[1] == CTX_PROMPT, "the new shell's prompt is %r" % out[-60:], b)
        got = sh.run(b"use\r")

        # the keyboard: sendkey through the QEMU monitor
        mark = sh.mark()
        for key in ["e", "c", "h", "o", "spc", "k", "d", "left", "b", "ret"]:
            answer = b.monitor("sendkey " + key)
            check(answer == "", "sendkey %s: monitor said %r" % (key, answer), b)
        got = output_lines(sh.wait_prompt(mark))
        check(got == ["kbd"], "typed on the keyboard, ran %r" % got, b)
        mark = sh.mark()
        for key in ["up", "ret"]:
            b.monitor("sendkey " + key)
        got = output_lines(sh.wait_prompt(mark))
        check(got == ["kbd"], "Up on the keyboard re-ran %r" % got, b)
    lines = b.snapshot()
    forbid(lines, boot=b)


def test_shell_cores_1(ctx):
    shell_session(ctx, 1)


def test_shell_cores_4(ctx):
    shell_session(ctx, 4)


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m or m.group(3) != b"255":
        raise AssertionError("screendump is not an 8-bit PPM")
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():m.end() + w * h * 3]


def test_shell_framebuffer(ctx):
    with ctx.boot(cores=1, mem="512M", cmdline="loglevel=info", serial_input=True,
                  monitor=True, timeout=200) as b:
        sh = Shell(b)
        first_prompt(sh)
        grid = b.wait_for(kernel_re(r"fbcon: (\d+)x(\d+) framebuffer, (\d+)x(\d+) text"))
        width, height, cols, rows = (int(x) for x in grid.groups())
        glyph_h = height // rows

        def typed_then_shot(keys, echo_end, name):
            sh.run(b"clear\r", lead=b"\x1b[2J\x1b[H")
            mark = sh.mark()
            b.send_serial(keys)
            end = time.monotonic() + WAIT
            while not sh.since(mark).endswith(echo_end) and time.monotonic() < end:
                time.sleep(0.05)
            check(sh.since(mark).endswith(echo_end), "the echo of %r ends %r" % (keys, sh.since(mark)), b)
            settled = sh.since(mark)  # the whole echo is there once nothing more comes
            while True:
                time.sleep(0.5)
                now = sh.since(mark)
                if now == settled:
                    break
                settled = now
            shot = os.path.join(b.tmpdir, name)
            answer = b.monitor("screendump " + shot)
            check(answer == "", "screendump: monitor said %r" % answer, b)
            w, h, pixels = read_ppm(shot)
            check((w, h) == (width, height), "screendump %dx%d, framebuffer %dx%d" % (w, h, width, height), b)
            b.send_serial(b"\x03")  # drop the line
            sh.wait_prompt(mark)
            return pixels

        straight = typed_then_shot(b"echo abc", b"echo abc", "straight.ppm")
        # "echo abc" again, by way of Backspace at the end, an insertion after two
        # Lefts, Left and Delete, and two Rights: each edit shortens the line, so
        # a missed erase or a misplaced cursor would leave pixels behind
        edited = typed_then_shot(b"echo abcXY\x7f\x7f\x1b[D\x1b[DQ\x1b[D\x1b[3~\x1b[C\x1b[C", b"c",
                                 "edited.ppm")
        row_bytes = width * 3 * glyph_h
        top = straight[:row_bytes]
        check(any(top), "the prompt row is blank", b)
        check(not any(straight[row_bytes:]), "after clear, rows below the prompt are not black", b)
        if top != edited[:row_bytes]:
            diff = next(i for i in range(row_bytes) if top[i] != edited[i])
            check(False, "the edited line looks different on the framebuffer: first at x=%d y=%d"
                  % ((diff // 3) % width, diff // 3 // width), b)
        check(not any(edited[row_bytes:]), "the edited line left pixels below the prompt row", b)
    forbid(b.snapshot(), boot=b)
