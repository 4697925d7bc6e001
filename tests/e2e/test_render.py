"""progress.gif / progress.mp4: decoded and checked frame by frame, on a tiny digits run; a run
of one epoch, a hung ffmpeg and Ctrl-C while rendering."""
import shutil
import subprocess
import time

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

import aezoo
import aezoo.run
from aezoo.data import load
from aezoo.commands import render, compare
from aezoo.runs import metrics, recon
from aezoo.viz import frame, progress, tiles, video
from aezoo.results import run_videos
from aezoo.train import capture
from conftest import tree_state


EPOCHS = 5


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A deep run that grows at epochs 3 and 5: six saved epochs (0..5), no video."""
    out = tmp_path_factory.mktemp("render") / "run"
    assert aezoo.run.main(["deep", "--data", "digits", "--epochs", str(EPOCHS), "--grow-every", "2",
                           "--no-video", "--out", str(out)]) == 0
    assert not list(out.glob("progress.*"))
    return out


@pytest.fixture
def run_dir(trained, tmp_path):
    """A private copy, so each test sees the run exactly as training left it."""
    return shutil.copytree(trained, tmp_path / "run")


def decode(path):
    kwargs = {"plugin": "FFMPEG"} if str(path).endswith(".mp4") else {}
    return np.asarray(iio.imread(path, index=None, **kwargs))


def region(frames, box):
    """Pixels of `frames` inside a figure-fraction box (left, bottom, width, height)."""
    h, w = frames.shape[1:3]
    left, bottom, width, height = box
    return frames[:, int((1 - bottom - height) * h):int((1 - bottom) * h),
                  int(left * w):int((left + width) * w)].astype(np.float64)


TEST_COLOUR, TRAIN_COLOUR = (255, 127, 14), (31, 119, 180)  # matplotlib tab:orange, tab:blue
GROWTH_COLOUR = (128, 128, 128)  # plots.draw's gray growth lines


def coloured(pixels, rgb, tolerance=40):
    """How many pixels are close to colour `rgb`."""
    return int((np.abs(pixels - np.array(rgb)).max(axis=-1) < tolerance).sum())


def test_a_frame_per_saved_epoch_in_both_videos(run_dir):
    written = run_videos.render(run_dir)
    assert written == [str(run_dir / "progress.gif"), str(run_dir / "progress.mp4")]
    epochs, events = metrics.read(run_dir)
    assert [r["epoch"] for r in epochs] == list(range(EPOCHS + 1))
    assert [e["depth"] for e in events if e["event"] == "growth"] == [2, 3]  # events to mark
    for path in written:
        frames = decode(path)
        width, height = frame.FRAME_SIZE
        assert frames.shape == (EPOCHS + 1, height, width, 3), path
        assert height % 16 == 0 and width % 16 == 0  # no resizing by the H.264 writer
        grid, curves = region(frames, progress.GRID_BOX), region(frames, progress.LOSS_BOX)
        # Reconstructions change over training, and the loss panel draws its curves.
        assert np.abs(grid[-1] - grid[0]).mean() > 2, path
        assert np.abs(curves[-1] - curves[0]).mean() > 1, path
        # Every frame differs from the one before (a new epoch each), in the curves at least.
        assert all(np.abs(curves[i + 1] - curves[i]).mean() > 0.1 for i in range(EPOCHS)), path
        # Test (orange) and train (blue) curves: at epoch 0 only the test point exists.
        assert coloured(curves[-1], TEST_COLOUR) > 50 and coloured(curves[-1], TRAIN_COLOUR) > 50, path
        assert coloured(curves[0], TRAIN_COLOUR) < coloured(curves[-1], TRAIN_COLOUR) / 5, path
        # Growth at the start of epochs 3 and 5: a gray dashed line appears in those frames.
        lines = [coloured(c, GROWTH_COLOUR, 16) for c in curves]
        assert lines[3] > lines[2] + 30 and lines[5] > lines[4] + 30, path


def test_gif_loops_and_holds_the_last_frame(run_dir):
    run_videos.render(run_dir, fps=5, formats=("gif",))
    assert not (run_dir / "progress.mp4").exists()
    gif = Image.open(run_dir / "progress.gif")
    durations = []
    for i in range(gif.n_frames):
        gif.seek(i)
        durations.append(gif.info["duration"])
    assert gif.info["loop"] == 0
    assert durations == [200] * EPOCHS + [video.HOLD_LAST_MS]  # milliseconds, not seconds


def test_mp4_is_h264_yuv420p_at_the_run_fps(run_dir):
    run_videos.render(run_dir, formats=("mp4",))
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i",
                            str(run_dir / "progress.mp4")], capture_output=True, text=True).stderr
    stream = next(line for line in probe.splitlines() if "Video:" in line)
    assert "h264" in stream and "yuv420p" in stream and f"{frame.FRAME_SIZE[0]}x{frame.FRAME_SIZE[1]}" in stream
    assert iio.immeta(run_dir / "progress.mp4", plugin="FFMPEG")["fps"] == 4.0  # the run's --fps


def test_each_epoch_keeps_its_arrays_and_the_png_is_their_tile(trained):
    """recon/epoch_NNNN.npz: the fixed test samples, the model's outputs and codes, labels."""
    digits = load("digits")
    indices = capture.fixed_indices(len(digits.test), 10)
    model = aezoo.load(trained)
    for epoch in range(EPOCHS + 1):
        arrays = recon.read(trained / recon.FOLDER, epoch)
        np.testing.assert_array_equal(arrays["inputs"], digits.test[indices])
        np.testing.assert_array_equal(arrays["labels"], digits.test_labels[indices])
        assert str(arrays["kind"]) == "image" and int(arrays["epoch"]) == epoch
        png = iio.imread(recon.path(trained / recon.FOLDER, epoch))
        np.testing.assert_array_equal(png, (tiles.grid(arrays) * 255).round().astype(np.uint8))
        assert png.shape == (2 * 56 + 2, 10 * 56 + 9 * 2)  # two rows of ten 8x8 cells, 7x up
    last = recon.read(trained / recon.FOLDER, EPOCHS)
    # The snapshot's arrays come from the evaluation's batches (train/capture.py: Kept), the
    # check from a batch of 10: BLAS blocks them differently, a float32 rounding apart.
    np.testing.assert_allclose(last["outputs"], model.reconstruct(last["inputs"]), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(last["codes"], model.encode(last["inputs"]), rtol=1e-5, atol=1e-6)
    assert last["codes"].shape == (10, 32)  # grown to depth 3: 64-128-64-32
    first = recon.read(trained / recon.FOLDER, 0)
    assert first["codes"].shape == (10, 128) and np.abs(first["outputs"] - last["outputs"]).max() > 0.1


def test_frames_are_drawn_from_the_arrays_not_read_back_from_the_pngs(run_dir):
    run_videos.render(run_dir, formats=("gif",))
    before = decode(run_dir / "progress.gif")
    for png in (run_dir / recon.FOLDER).glob("*.png"):
        png.unlink()
    run_videos.render(run_dir, formats=("gif",))
    np.testing.assert_array_equal(decode(run_dir / "progress.gif"), before)
    # Change the last epoch's reconstructions: only the last frame's grid changes.
    path = recon.path(run_dir / recon.FOLDER, EPOCHS, "npz")
    arrays = dict(np.load(path))
    arrays["outputs"] = 1 - arrays["outputs"]
    np.savez(path, **arrays)
    run_videos.render(run_dir, formats=("gif",))
    after = decode(run_dir / "progress.gif")
    grid_before, grid_after = region(before, progress.GRID_BOX), region(after, progress.GRID_BOX)
    assert np.abs(grid_after[-1] - grid_before[-1]).mean() > 10
    # The others keep their pixels, up to the GIF palette, which the new last frame shifts
    # (the latent view's colours share it with the greys).
    assert np.abs(grid_after[:-1] - grid_before[:-1]).max() <= 8
    assert np.abs(grid_after[:-1] - grid_before[:-1]).mean() < 0.5


def test_long_runs_are_subsampled_and_say_so(run_dir, monkeypatch, capsys):
    monkeypatch.setattr(video, "MAX_FRAMES", 4)
    assert run_videos.frame_epochs(run_dir) == [0, 2, 3, 5]  # first and last always kept
    run_videos.render(run_dir)
    for path in ("progress.gif", "progress.mp4"):
        assert len(decode(run_dir / path)) == 4
    assert "6 saved epochs, so 4 frames" in capsys.readouterr().err


def test_rendering_changes_no_result_and_can_be_repeated(run_dir):
    before = tree_state(run_dir)
    run_videos.render(run_dir)
    first = (run_dir / "progress.gif").read_bytes()
    assert render.main([str(run_dir)]) == 0
    after = tree_state(run_dir)
    assert {k: v for k, v in after.items() if not k.startswith("progress.") and k != "."} == \
        {k: v for k, v in before.items() if k != "."}
    assert (run_dir / "progress.gif").read_bytes() == first  # same run, same video
    assert sorted(p.name for p in run_dir.iterdir() if "progress" in p.name) == \
        ["progress.gif", "progress.mp4"]  # no partial files left


def test_without_ffmpeg_the_gif_is_written_and_one_line_says_why(run_dir, monkeypatch, capsys):
    run_videos.render(run_dir)  # an MP4 from an earlier render must not pass for the new one
    capsys.readouterr()
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(run_dir / "no-such-ffmpeg"))
    assert render.main([str(run_dir)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [str(run_dir / "progress.gif")]
    said = [line for line in err.splitlines() if not line.startswith("aezoo render: progress frames")]
    assert len(said) == 1  # besides the frames' progress, one line
    assert said[0].startswith("aezoo render: progress.mp4 not written (old one removed), ffmpeg")
    assert (run_dir / "progress.gif").exists() and not (run_dir / "progress.mp4").exists()
    assert not list(run_dir.glob("*partial*"))


@pytest.mark.parametrize("argv, message", [
    (["{run}", "--format", "avi"], "--format 'avi': expected gif, mp4 or gif,mp4"),
    (["{run}", "--fps", "0"], "--fps 0.0: expected a number from 0.1 to 120"),
    (["{run}", "--fps", "nan"], "--fps nan: expected a number from 0.1 to 120"),
    (["{run}", "--fps", "inf"], "--fps inf: expected a number from 0.1 to 120"),
    (["{run}", "--fps", "0.001"], "--fps 0.001: expected a number from 0.1 to 120"),
    (["{run}/config.json"], "is not a run folder (no config.json)"),
    (["{run}", "--fps", "fast"], "argument --fps: invalid float value: 'fast'"),
    (["{run}/recon"], "is not a run folder (no config.json)"),
])
def test_bad_input_is_one_line_and_touches_nothing(run_dir, capsys, argv, message):
    before = tree_state(run_dir)
    assert render.main([a.format(run=run_dir) for a in argv]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("aezoo render: error: ") and message in err
    assert tree_state(run_dir) == before


def test_a_run_without_snapshots_has_nothing_to_render(run_dir, capsys):
    shutil.rmtree(run_dir / recon.FOLDER)
    assert render.main([str(run_dir)]) == 2
    assert "nothing to render" in capsys.readouterr().err
    assert not list(run_dir.glob("progress*"))


def test_a_run_ends_with_its_video_unless_no_video(tmp_path):
    argv = ["simple", "--data", "digits", "--epochs", "2", "--fps", "8"]
    assert aezoo.run.main(argv + ["--out", str(tmp_path / "with")]) == 0
    assert len(decode(tmp_path / "with" / "progress.gif")) == 3
    assert len(decode(tmp_path / "with" / "progress.mp4")) == 3
    assert aezoo.run.main(argv + ["--no-video", "--out", str(tmp_path / "without")]) == 0
    assert not list((tmp_path / "without").glob("progress*"))


def test_a_run_of_one_epoch_renders_and_compares(stopped_at_epoch_0, tmp_path):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    assert render.main([str(run)]) == 0
    assert (run / "progress.gif").exists() and (run / "progress.mp4").exists()
    assert compare.main([str(run), "--out", str(tmp_path / "cmp"), "--format", "gif"]) == 0


def test_ctrl_c_in_a_command_outside_training_is_one_line(stopped_at_epoch_0, tmp_path, monkeypatch,
                                                        capsys):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(video, "write", interrupted)
    assert render.main([str(run)]) == 130
    err = capsys.readouterr().err  # after the frames' progress line, one line and no traceback
    assert err.endswith("\naezoo render: interrupted\n") and "Traceback" not in err
    assert all(line.startswith("aezoo render: ") for line in err.splitlines())


def test_a_hung_ffmpeg_costs_the_mp4_only(stopped_at_epoch_0, tmp_path, monkeypatch, capsys):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    hang = tmp_path / "ffmpeg"
    hang.write_text("#!/bin/sh\nsleep 60\n")
    hang.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(hang))
    monkeypatch.setattr(video, "FFMPEG_TIMEOUT", 1)
    start = time.time()
    assert render.main([str(run)]) == 0
    assert time.time() - start < 30
    err = capsys.readouterr().err
    assert "progress.mp4 not written" in err and "did not finish within 1 s" in err
    assert (run / "progress.gif").exists() and not (run / "progress.mp4").exists()


def test_a_gif_keeps_the_ten_class_colours_exactly(run_dir):
    """The latent view colours digits' ten classes with tab10 (the legend too); the GIF's one
    palette must hold those colours as they are, or the legend names the wrong dots."""
    written = run_videos.render(run_dir, formats=("gif",), view="latent")
    last = decode(written[0])[-1].reshape(-1, 3)
    present = {tuple(int(v) for v in rgb) for rgb in np.unique(last, axis=0)}
    missing = [rgb for rgb in video.named_colours()[:10] if rgb not in present]
    assert not missing, f"tab10 colours lost in the GIF: {missing}"
