"""aezoo.fit: the command line's options and checks from Python, the same run folder, a Run back;
Ctrl-C stops at the epoch boundary and returns the Run so far, or before the first checkpoint
frees the folder and goes on."""
import os

import numpy as np
import pytest

import aezoo
from aezoo.commands.run import main as run_command
from aezoo.runs import checkpoints
from aezoo.train.callbacks import Callback
from conftest import tree_state

TINY = dict(data="digits", batch_size=64, video=False)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    out = tmp_path_factory.mktemp("fit") / "simple"
    return aezoo.fit("simple", epochs=2, out=str(out), **TINY)


def test_fit_returns_a_run_with_every_epoch_and_epoch_zero(fitted):
    assert isinstance(fitted, aezoo.Run)
    assert [r["epoch"] for r in fitted.metrics] == [0, 1, 2]
    assert fitted.config["model"] == "simple" and fitted.config["epochs"] == 2
    assert fitted.epoch == 2 and fitted.best["epoch"] in (1, 2)


@pytest.mark.slow
def test_the_run_folder_is_the_one_aezoo_run_makes(fitted, tmp_path):
    """Same options, same seed: the command line's run has the same scores, epoch by epoch."""
    out = tmp_path / "cli"
    assert run_command(["simple", "--data", "digits", "--batch-size", "64", "--no-video",
                        "--epochs", "2", "--out", str(out)]) == 0
    cli = aezoo.open_run(out)
    assert sorted(os.listdir(out)) == sorted(os.listdir(fitted.path))
    for ours, theirs in zip(fitted.metrics, cli.metrics):
        assert ours["test_loss"] == pytest.approx(theirs["test_loss"], rel=1e-6)


def test_open_run_gives_the_model_on_numpy(fitted):
    x = np.random.default_rng(0).random((3, 8, 8), dtype=np.float32)
    model = aezoo.open_run(fitted.path).model()
    assert model.reconstruct(x).shape == (3, 8, 8) and model.epoch == 2
    assert aezoo.open_run(fitted.path).model("best").best is True


def test_metrics_frame_is_indexed_by_epoch(fitted):
    pandas = pytest.importorskip("pandas")
    frame = fitted.metrics_frame()
    assert isinstance(frame, pandas.DataFrame) and list(frame.index) == [0, 1, 2]
    assert frame.loc[2, "test_bce"] == fitted.metrics[2]["test_bce"]


def command_error(argv, capsys):
    capsys.readouterr()
    assert run_command(argv) == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith("aezoo run: error: ")
    return line[len("aezoo run: error: "):]


@pytest.mark.parametrize("options, argv", [
    (dict(epochs=0), ["--epochs", "0"]),
    (dict(model_kw="deep", hidden=[64, 32], code_dim=8, grow_every=-1),
     ["--hidden", "64,32", "--code-dim", "8", "--grow-every", "-1"]),
    (dict(kl_warmup=3), ["--kl-warmup", "3"]),
    (dict(data="nosuch"), ["--data", "nosuch"]),
])
def test_bad_options_raise_the_command_lines_line_and_write_nothing(options, argv, tmp_path,
                                                                    capsys):
    model = options.pop("model_kw", "simple")
    out = tmp_path / "never"
    expected = command_error([model, *argv, "--out", str(out)], capsys)
    with pytest.raises(aezoo.UsageError) as caught:
        aezoo.fit(model, **{**TINY, **options, "out": str(out)})
    assert str(caught.value) == expected and "\n" not in expected
    assert not out.exists()


def test_a_misspelled_option_names_the_nearest(tmp_path):
    with pytest.raises(aezoo.UsageError, match=r"^unknown option 'grow_evry'; did you mean "
                                               r"grow_every\?$"):
        aezoo.fit("deep", grow_evry=4, out=str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()


def test_a_run_folder_in_the_way_is_refused_and_kept(fitted):
    before = tree_state(fitted.path)
    with pytest.raises(aezoo.UsageError, match="already exists and is not empty"):
        aezoo.fit("simple", epochs=1, out=fitted.path, **TINY)
    assert tree_state(fitted.path) == before


@pytest.mark.parametrize("arguments, message", [
    (dict(out_root=None), "out_root None: expected a folder path"),
    (dict(out_root=123), "out_root 123: expected a folder path"),
    (dict(callbacks=None), "callbacks None: expected a list of aezoo Callback objects"),
    (dict(callbacks="x"), "callbacks 'x': expected a list of aezoo Callback objects"),
    (dict(callbacks=[object()]), r"callbacks\[0\] <object object at .*>: expected an aezoo "
                                 r"Callback .*it lacks on_epoch_start, on_batch_start"),
])
def test_wrong_types_are_one_line_before_anything_is_written(arguments, message, fitted,
                                                             tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = tree_state(fitted.path)
    with pytest.raises(aezoo.UsageError, match=message):
        aezoo.fit("simple", epochs=1, **TINY, **arguments)  # outputs/ under tmp_path
    with pytest.raises(aezoo.UsageError, match=message):
        aezoo.fit("simple", epochs=1, out=str(tmp_path / "run"), **TINY, **arguments)
    if "callbacks" in arguments:  # resuming a finished run with them: the run is kept
        with pytest.raises(aezoo.UsageError, match=message):
            fitted.resume(epochs=3, callbacks=arguments["callbacks"])
    assert os.listdir(tmp_path) == [] and tree_state(fitted.path) == before


@pytest.mark.parametrize("path", [None, 123, b"outputs/run"])
def test_open_run_of_a_wrong_type_is_one_line(path):
    with pytest.raises(aezoo.UsageError, match=r"run folder .*: expected a folder path"):
        aezoo.open_run(path)


class InterruptAt(Callback):
    """Ctrl-C as a notebook's stop button sends it: a KeyboardInterrupt at the hook `hook`
    of epoch `epoch`."""

    def __init__(self, hook, epoch):
        self.hook, self.epoch = hook, epoch

    def on_epoch_start(self, trainer):
        if self.hook == "start" and trainer.epoch == self.epoch:
            raise KeyboardInterrupt

    def on_epoch_end(self, trainer):
        if self.hook == "end" and trainer.epoch == self.epoch:
            raise KeyboardInterrupt


def test_ctrl_c_at_an_epoch_boundary_returns_the_run_so_far_and_it_resumes(tmp_path, capsys):
    out = tmp_path / "stopped"
    run = aezoo.fit("simple", epochs=4, out=str(out), callbacks=[InterruptAt("start", 2)],
                    **TINY)
    assert "interrupted; epoch 1 saved" in capsys.readouterr().err
    assert isinstance(run, aezoo.Run) and run.epoch == 1
    assert [r["epoch"] for r in run.metrics] == [0, 1]
    more = run.resume(epochs=4)
    assert more.path == run.path and [r["epoch"] for r in more.metrics] == [0, 1, 2, 3, 4]


@pytest.mark.slow
def test_ctrl_c_mid_epoch_files_keeps_them_consistent(tmp_path):
    """Interrupted after epoch 2's metrics line but before its checkpoint: the Run is epoch 1's,
    and resuming drops the line the checkpoint does not continue."""
    run = aezoo.fit("simple", epochs=3, out=str(tmp_path / "r"),
                    callbacks=[InterruptAt("end", 2)], **TINY)
    assert run.epoch == 1
    assert run.resume().epoch == 3
    assert [r["epoch"] for r in run.metrics] == [0, 1, 2, 3]


def test_ctrl_c_before_the_first_checkpoint_removes_the_folder_and_goes_on(tmp_path, capsys):
    out = tmp_path / "gone"
    with pytest.raises(KeyboardInterrupt):
        aezoo.fit("simple", epochs=2, out=str(out), callbacks=[InterruptAt("end", 0)], **TINY)
    assert not out.exists()
    assert "interrupted before the first checkpoint" in capsys.readouterr().err


def test_ctrl_c_before_the_first_checkpoint_empties_a_folder_the_user_made(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    with pytest.raises(KeyboardInterrupt):
        aezoo.fit("simple", epochs=2, out=str(out), callbacks=[InterruptAt("end", 0)], **TINY)
    assert out.is_dir() and os.listdir(out) == []


@pytest.mark.slow
def test_the_progress_bar_counts_the_epochs(tmp_path, capsys):
    run = aezoo.fit("simple", epochs=2, out=str(tmp_path / "bar"), progress=True, **TINY)
    err = capsys.readouterr().err
    assert "2/2" in err and "test bce" in err
    assert "epoch 1/2" not in err  # the bar replaces the epoch lines (quiet)
    assert run.config["quiet"] is True
    assert checkpoints.exists(run.path)


@pytest.mark.slow
def test_ctrl_c_while_the_video_renders_keeps_the_whole_run(tmp_path, monkeypatch, capsys):
    from aezoo.results import run_videos  # after_training renders, for fit as for aezoo run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(run_videos, "render", interrupted)
    run = aezoo.fit("simple", data="digits", batch_size=64, epochs=1, out=str(tmp_path / "v"))
    assert run.epoch == 1 and "run.video() renders it" in capsys.readouterr().err
