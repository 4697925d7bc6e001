"""The status lines of a sweep's workers where stderr is no terminal: each run's state once,
and nothing the sweep's own "[i/n] name: action" lines said already."""
import io
import types

from aezoo.commands.run import main
from aezoo.sweeps import status
from conftest import TINY


def step(name, folder, epochs=1, action="start", planned=True):
    return types.SimpleNamespace(name=name, folder=str(folder), action=action,
                                 plan=object() if planned else None,
                                 cfg=types.SimpleNamespace(epochs=epochs))


def test_a_start_or_skip_is_not_said_twice_and_each_epoch_milestone_once(tmp_path):
    trained = tmp_path / "b"
    assert main(["simple", "--epochs", "1", *TINY, "--quiet", "--out", str(trained)]) == 0
    steps = [step("a", tmp_path / "a"), step("b", trained),
             step("c", tmp_path / "c", action="skip (finished, 1 epochs)", planned=False)]
    stream = io.StringIO()
    board = status.Board(steps, {}, stream=stream)
    board.show({}, {"a", "b"})  # a has no epoch yet; b has one
    board.show({}, {"a", "b"})  # nothing changed: nothing said
    board.show({"b": 0}, {"a"})
    lines = stream.getvalue().splitlines()
    assert not [line for line in lines if "starting" in line or "skip" in line]
    assert lines[0].startswith("aezoo sweep: b: epoch 1 of 1, test loss ")
    assert lines[1].startswith("aezoo sweep: b: done, epoch 1, test loss ")
    assert len(lines) == 2


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_in_a_terminal_the_table_shows_every_run_with_its_state(tmp_path):
    steps = [step("a", tmp_path / "a"),
             step("c", tmp_path / "c", action="skip (finished, 1 epochs)", planned=False)]
    stream = Terminal()
    status.Board(steps, {}, stream=stream).show({}, {"a"})
    assert "a: starting" in stream.getvalue() and "c: skip (finished, 1 epochs)" in stream.getvalue()
