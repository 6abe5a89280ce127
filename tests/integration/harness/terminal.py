"""Running a command on a pseudo-terminal, and the little of a terminal emulator needed to see
what a user would be left looking at: carriage return, newline, cursor up (CSI n A), erase to
end of line (CSI K) and erase below (CSI J). Anything else in CSI form fails loudly, so a new
escape sequence in the display cannot slip past the tests."""
import fcntl
import os
import re
import struct
import subprocess
import termios

_CSI = re.compile(r"\x1b\[(\d*)([A-Za-z])")


def run_on_terminal(argv, env=None, columns=100, rows=30, timeout=120):
    """Runs argv with stdin, stdout and stderr on a fresh pty: (returncode, output text)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    full_env = dict(os.environ, TERM="xterm")
    full_env.update(env or {})
    try:
        child = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=full_env,
                                 start_new_session=True)
    finally:
        os.close(slave)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        returncode = child.wait(timeout=timeout)
    finally:
        os.close(master)
        if child.poll() is None:
            child.kill()
            child.wait()
    return returncode, b"".join(chunks).decode("utf-8", "replace")


class Screen:
    """An endless screen (scrolled-off lines kept) fed with terminal output."""

    def __init__(self):
        self.lines = [""]
        self.row = 0
        self.col = 0

    def feed(self, text):
        pos = 0
        while pos < len(text):
            match = _CSI.match(text, pos)
            if match:
                self._csi(int(match.group(1) or "1"), match.group(2))
                pos = match.end()
                continue
            char = text[pos]
            pos += 1
            if char == "\r":
                self.col = 0
            elif char == "\n":
                self.row += 1
                if self.row == len(self.lines):
                    self.lines.append("")
            elif char == "\x1b":
                raise AssertionError("unexpected escape sequence: %r" % text[pos - 1:pos + 8])
            else:
                line = self.lines[self.row].ljust(self.col)
                self.lines[self.row] = line[:self.col] + char + line[self.col + 1:]
                self.col += 1
        return self

    def _csi(self, n, command):
        if command == "A":
            self.row = max(0, self.row - n)
        elif command == "K":
            self.lines[self.row] = self.lines[self.row][:self.col]
        elif command == "J":
            self.lines[self.row] = self.lines[self.row][:self.col]
            del self.lines[self.row + 1:]
        else:
            raise AssertionError("unexpected escape sequence: CSI %d %s" % (n, command))

    def text_lines(self):
        """The screen's lines, trailing empty ones dropped."""
        lines = list(self.lines)
        while lines and not lines[-1]:
            lines.pop()
        return lines
