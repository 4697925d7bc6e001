"""On a terminal a command shows what it is doing at once, before Chainer loads, and its first
output replaces that line: one-line errors stay one line. Elsewhere nothing is added."""
import os
import pty
import select
import subprocess
import sys


def on_a_terminal(*argv):
    """Everything `python -m aezoo ARGV` writes to a pseudo-terminal, as bytes."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command on the terminal
        os.execv(sys.executable, [sys.executable, "-m", "aezoo", *argv])
    out = b""
    while select.select([fd], [], [], 300)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child is gone
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return out


def shown(raw):
    """What the terminal shows: a carriage return and erase-line wipe the line so far."""
    lines = []
    for line in raw.decode().replace("\r\n", "\n").split("\n"):
        lines.append(line.split("\r\x1b[K")[-1])
    return [line for line in lines if line]


def test_the_status_line_comes_first_and_the_error_replaces_it():
    raw = on_a_terminal("run", "--epochs", "0")
    assert raw.startswith(b"aezoo run: loading...")  # written before the command module loads
    assert shown(raw) == ["aezoo run: error: name a model: " + raw.decode().split(
        "name a model: ")[1].split("\r")[0].strip()]


def test_help_replaces_the_status_line_too():
    lines = shown(on_a_terminal("render", "--help"))
    assert lines[0].startswith("usage: aezoo render") and not any("loading" in l for l in lines)


def test_off_a_terminal_nothing_is_added():
    done = subprocess.run([sys.executable, "-m", "aezoo", "run", "--epochs", "0"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("aezoo run: error: name a model")
