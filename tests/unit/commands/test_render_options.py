"""aezoo render's options on a grown run: --latent and --dpi, a bad --dpi, and --latent of a
run saved before the latent view."""
import shutil

import imageio.v3 as iio
import numpy as np
import pytest

from aezoo.commands import render
from aezoo.viz import frame
from conftest import tree_state


@pytest.mark.slow
def test_render_latent_and_dpi(grown, tmp_path):
    run_dir = shutil.copytree(grown[0], tmp_path / "run")
    assert render.main([str(run_dir), "--latent", "--format", "gif"]) == 0
    frames = np.asarray(iio.imread(run_dir / "latent.gif", index=None))
    assert frames.shape[:3] == (5, frame.LATENT_SIZE[1], frame.LATENT_SIZE[0])
    assert render.main([str(run_dir), "--dpi", "150", "--format", "gif"]) == 0
    frames = np.asarray(iio.imread(run_dir / "progress.gif", index=None))
    assert frames.shape[1:3] == (frame.FRAME_SIZE[1] * 3 // 2, frame.FRAME_SIZE[0] * 3 // 2)


@pytest.mark.parametrize("bad", ["0", "nan", "1e9", "-100"])
def test_bad_dpi_is_one_line_and_writes_nothing(grown, tmp_path, capsys, bad):
    run_dir = shutil.copytree(grown[0], tmp_path / "run")
    before = tree_state(run_dir)
    assert render.main([str(run_dir), f"--dpi={bad}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--dpi" in err[0]
    assert tree_state(run_dir) == before


@pytest.mark.slow
def test_latent_of_a_run_without_codes_is_one_line(grown, tmp_path, capsys):
    run_dir = shutil.copytree(grown[0], tmp_path / "run")
    for path in (run_dir / "recon").glob("*.npz"):  # as a run saved before the latent view
        with np.load(path) as npz:
            kept = {k: npz[k] for k in npz.files if not k.startswith("latent_")}
        np.savez(path, **kept)
    before = tree_state(run_dir)
    assert render.main([str(run_dir), "--latent"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no latent codes" in err[0]
    assert tree_state(run_dir) == before
    assert render.main([str(run_dir), "--format", "gif"]) == 0  # its progress video still renders
