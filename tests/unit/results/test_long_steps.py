"""A long step's progress: plain lines at the start and every quarter where stderr is not a
terminal, a bar where it is."""
import io
import re

from aezoo.results.long_steps import Steps


def test_without_a_terminal_a_line_after_the_first_step_and_each_quarter():
    stream = io.StringIO()
    with Steps("aezoo compare", "frames", 10, stream=stream) as step:
        for _ in range(10):
            step()
    lines = stream.getvalue().splitlines()
    assert [re.match(r"aezoo compare: frames: (\d+)/10 \(\d+ s\)$", line).group(1)
            for line in lines] == ["1", "3", "5", "8", "10"]


def test_nothing_is_said_before_the_first_step_is_done():
    for stream in (io.StringIO(), Terminal()):
        with Steps("aezoo render", "frames", 5, stream=stream):
            pass  # the first frame failed: its error is the one line
        assert stream.getvalue() == ""


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_in_a_terminal_a_bar_counts_the_frames():
    stream = Terminal()
    with Steps("aezoo render", "progress frames", 4, stream=stream) as step:
        for _ in range(4):
            step()
        assert step.bar is not None and step.bar.n == 4
    text = stream.getvalue()
    assert "aezoo render: progress frames" in text and "frame" in text
    assert "0/4\n" not in text  # no plain lines beside the bar
