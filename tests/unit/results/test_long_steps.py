"""A long step's progress: plain lines at the start and every quarter where stderr is not a
terminal, a bar where it is."""
import io
import re

from tqdm import tqdm

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


def test_quiet_says_nothing_in_a_terminal_or_out_of_one():
    for stream in (io.StringIO(), Terminal()):
        with Steps("aezoo render", "frames", 4, stream=stream, quiet=True) as step:
            for _ in range(4):
                step()
            assert step.bar is None
        assert stream.getvalue() == ""


class Recorded(tqdm):
    made = []

    def __init__(self, *args, **kwargs):
        Recorded.made.append(kwargs)
        super().__init__(*args, file=io.StringIO(), **kwargs)


def test_a_bar_class_draws_anywhere_and_stands_in_for_the_lines():
    """The notebook's tqdm.auto: a widget in Jupyter, where stderr is no terminal and a fit
    with its widget is quiet."""
    stream = io.StringIO()
    Recorded.made.clear()
    with Steps("aezoo render", "progress frames", 4, stream=stream, quiet=True,
               bar=Recorded) as step:
        for _ in range(4):
            step()
        assert isinstance(step.bar, Recorded) and step.bar.n == 4
    assert [made["total"] for made in Recorded.made] == [4]
    assert stream.getvalue() == ""  # no plain lines beside it
