"""What a run prints: a line per epoch and the growths when stderr is not a terminal, a run
bar when it is, and nothing but errors under --quiet."""
import re

import pytest

from aezoo.runs import metrics
from aezoo.run import main
from conftest import TINY


LINE = re.compile(r"^epoch (\d+)/(\d+)  train bce \d+\.\d{4}  test bce \d+\.\d{4}(  best)?  "
                  r"\d+(\.\d+)?(e-\d+)? s$")


def test_a_line_per_epoch_and_growth_are_printed_when_stderr_is_not_a_terminal(tmp_path, capsys):
    run = str(tmp_path / "run")
    assert main(["deep", "--grow-every", "1", "--epochs", "3", *TINY, "--out", run]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"aezoo: training deep on digits (8, 8) into {run}"
    assert re.match(r"^epoch 0/3  test bce \d\.\d{4}  untrained$", lines[1])
    epochs = [m for m in map(LINE.match, lines) if m]
    assert [int(m.group(1)) for m in epochs] == [1, 2, 3]
    logged = metrics.read(run)[0]
    losses = [r["test_loss"] for r in logged[1:]]
    growths = {2, 3}  # a grown model is measured against itself: its first epoch is its best
    running = [i == 0 or e in growths or loss < min(losses[max(j for j in range(i + 1)
               if j == 0 or j + 1 in growths):i]) for i, (e, loss) in
               enumerate(zip((1, 2, 3), losses))]
    assert [bool(m.group(3)) for m in epochs] == running
    assert f"test bce {logged[2]['test_loss']:.4f}" in next(l for l in lines if l.startswith("epoch 2/3"))
    grew = [line for line in lines if line.startswith("grew to")]
    assert re.match(r"grew to depth 2: 64-128-64, 33,152 params, test bce [+-]\d\.\d{3}$", grew[0])
    assert len(grew) == 2 and lines.index(grew[0]) < lines.index(next(
        line for line in lines if line.startswith("epoch 2/3")))  # said before its epoch's line
    capsys.readouterr()
    assert main(["--resume", run, "--epochs", "4"]) == 0
    assert capsys.readouterr().err.splitlines()[0].startswith("aezoo: resuming from epoch 3 deep")


def test_a_folder_below_the_working_directory_is_named_relative_to_it(tmp_path, monkeypatch,
                                                                      capsys):
    """As aezoo render and compare name theirs, and as the user typed it."""
    monkeypatch.chdir(tmp_path)
    assert main(["simple", "--epochs", "1", *TINY, "--out", "runs/a"]) == 0
    err = capsys.readouterr().err
    assert "into runs/a\n" in err and "-> runs/a\n" in err and "  folder   runs/a\n" in err
    assert "aezoo compare runs/a OTHER_RUN" in err and str(tmp_path) not in err


def test_quiet_prints_nothing_but_errors(tmp_path, capsys):
    assert main(["simple", "--epochs", "2", *TINY, "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert capsys.readouterr().err == ""
    assert main(["simple", "--epochs", "0", *TINY, "--quiet"]) == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.slow  # renders the video
def test_quiet_renders_the_video_silently(tmp_path, capsys):
    run = tmp_path / "run"
    argv = ["simple", "--epochs", "1", "--data", "digits", "--batch-size", "64"]
    assert main(argv + ["--quiet", "--out", str(run)]) == 0
    assert capsys.readouterr().err == ""
    assert (run / "progress.gif").exists()
    assert main(argv + ["--out", str(tmp_path / "aloud")]) == 0
    assert "aezoo render: progress frames: 2/2" in capsys.readouterr().err


def test_in_a_terminal_the_lines_go_above_a_run_bar():
    import io
    import types
    from aezoo.loggers.contract import Epoch, RunInfo
    from aezoo.loggers.terminal import Terminal
    stream = io.StringIO()
    terminal = Terminal(stream=stream)
    cfg = types.SimpleNamespace(epochs=3, quiet=False)
    terminal.start(RunInfo(cfg, "run", types.SimpleNamespace(shape=(8, 8)), [], 10,
                           ("bce", "loss"), epoch=1, tty=True))
    terminal.epoch(Epoch(2, {"train_loss": 0.5, "test_loss": 0.4, "seconds": 0.1}, None, True))
    terminal.end("finished")
    text = stream.getvalue()
    assert "epoch 2/3  train bce 0.5000  test bce 0.4000  best  0.1 s" in text
    assert "run:" in text and "2/3" in text and terminal.bar is None


def test_a_vae_line_names_its_elbo_and_the_summary_names_its_score(tmp_path, capsys):
    run = str(tmp_path / "run")
    assert main(["vae", "--epochs", "1", *TINY, "--out", run]) == 0
    lines = capsys.readouterr().err.splitlines()
    logged = metrics.read(run)[0]
    epoch = next(line for line in lines if line.startswith("epoch 1/1"))
    assert f"train elbo {logged[1]['train_elbo']:.4f}  test elbo {logged[1]['test_elbo']:.4f}" \
        in epoch
    assert re.match(r"^epoch 0/1  test elbo \d+\.\d{4}  untrained$", lines[1])
    assert any(f"test bce {logged[1]['test_bce']:.4f}" in line for line in lines)


def test_seconds_keep_two_significant_digits():
    from aezoo.loggers.terminal import seconds
    assert [seconds(v) for v in (0.0432, 0.366, 0.5, 1.254, 12.34, 250.4)] == \
        ["0.043 s", "0.37 s", "0.5 s", "1.25 s", "12.3 s", "250 s"]


def test_a_run_ends_with_its_summary_and_quiet_suppresses_it(tmp_path, capsys):
    run = str(tmp_path / "run")
    assert main(["simple", "--epochs", "3", *TINY, "--out", run]) == 0
    lines = capsys.readouterr().err.splitlines()
    logged = [r for r in metrics.read(run)[0] if r["epoch"] > 0]
    best = min(logged, key=lambda r: r["test_bce"])
    at = lines.index("summary")
    assert lines[at + 1:at + 5] == [
        f"  best     epoch {best['epoch']}: test bce {best['test_bce']:.4f}",
        f"  final    epoch 3: test bce {logged[-1]['test_bce']:.4f}",
        lines[at + 3], f"  folder   {run}"]
    assert re.match(r"^  time     \d+ s$", lines[at + 3])
    assert lines[at + 5] == f"  next     aezoo render {run}"  # --no-video: no video to open
    assert f"           aezoo compare {run} OTHER_RUN" in lines[at + 6:]
    assert f"           aezoo export {run}" in lines[at + 6:]
    assert main(["simple", "--epochs", "1", *TINY, "--quiet", "--out", str(tmp_path / "q")]) == 0
    assert capsys.readouterr().err == ""
