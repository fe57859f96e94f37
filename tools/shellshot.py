#!/usr/bin/env python3
"""shellshot.py: boot BoxOS, type a short shell session, keep what it showed.

    python3 tools/shellshot.py [--image build/boxos.img] [--png docs/images/shell.png]
                               [--transcript FILE] [--cores 1]

Boots the image with no after= (so the shell starts), types each command of
SESSION on the serial line, waits for the prompt after each, then takes a
screendump of the framebuffer through the QEMU monitor and writes it as a
PNG.  The serial transcript from the greeting on (escape sequences removed)
goes to stdout or --transcript.  This is how the README's session and
screenshot were made.

The PNG writer needs only zlib from the standard library: 8-bit RGB, one
IDAT, filter 0 (none) on every row.
"""

import argparse
import os
import re
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import Boot  # noqa: E402

SESSION = [
    b"help",
    b"use kernel notify",
    b"echo \"hello,  world\" from 'the shell'",
    b"echo bye --status=3",
    b"crash",
    b"nosuch",
    b"use",
]


def read_ppm(path):
    """(width, height, RGB bytes) of a binary 8-bit PPM (P6) as QEMU writes it."""
    with open(path, "rb") as f:
        data = f.read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m or m.group(3) != b"255":
        raise ValueError("%s: not an 8-bit binary PPM" % path)
    w, h = int(m.group(1)), int(m.group(2))
    pixels = data[m.end():m.end() + w * h * 3]
    if len(pixels) != w * h * 3:
        raise ValueError("%s: truncated (%d of %d pixel bytes)" % (path, len(pixels), w * h * 3))
    return w, h, pixels


def png_bytes(width, height, rgb):
    """A PNG file (colour type 2, 8 bits) holding the given RGB rows."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride:(y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


ANSI = re.compile(rb"\x1b\[[0-9;]*[A-Za-z]")


def wait_prompt(b, mark, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with b._cond:
            out = bytes(b.raw[mark:])
        if re.search(rb"\r\n(\[[a-z0-9_.,-]+\] )?~ $", out):
            return out
        time.sleep(0.05)
    raise SystemExit("shellshot: no prompt within %d s" % timeout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--image", default="build/boxos.img")
    ap.add_argument("--png", default="docs/images/shell.png")
    ap.add_argument("--transcript")
    ap.add_argument("--cores", type=int, default=1)
    args = ap.parse_args()
    with Boot(args.image, cores=args.cores, mem="512M", cmdline="loglevel=info",
              serial_input=True, monitor=True, timeout=300, name="shellshot") as b:
        wait_prompt(b, 0, timeout=120)
        with b._cond:
            start = bytes(b.raw).rfind(b"BoxOS shell:")
        for cmd in SESSION:
            with b._cond:
                mark = len(b.raw)
            b.send_serial(cmd + b"\r")
            wait_prompt(b, mark)
        time.sleep(0.5)
        shot = os.path.join(b.tmpdir, "screen.ppm")
        answer = b.monitor("screendump " + shot)
        if answer:
            raise SystemExit("shellshot: screendump: %s" % answer)
        w, h, rgb = read_ppm(shot)
        with b._cond:
            session = bytes(b.raw[start:])
    os.makedirs(os.path.dirname(os.path.abspath(args.png)), exist_ok=True)
    with open(args.png, "wb") as f:
        f.write(png_bytes(w, h, rgb))
    text = ANSI.sub(b"", session).replace(b"\r", b"").decode(errors="replace")
    if args.transcript:
        with open(args.transcript, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    print("shellshot: %dx%d screenshot in %s" % (w, h, args.png), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
