"""aezoo compare: the score table against metrics.jsonl, the PCA baseline against numpy's SVD,
and the side-by-side video decoded column by column."""
import csv
import shutil

import imageio.v3 as iio
import numpy as np
import pytest

import aezoo
import aezoo.run
from aezoo import data
from aezoo.commands import compare, render
from aezoo.models import pca
from aezoo.runs import metrics, rundir
from aezoo.viz import columns, frame
from aezoo.results import comparison
from conftest import tree_state


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two digits runs of different lengths: simple for 2 epochs, a deep one for 4 that grows
    at epoch 3 to a 64-number code (so the table needs two PCA rows)."""
    root = tmp_path_factory.mktemp("compare")
    argv = {"short": ["simple", "--epochs", "2"],
            "long": ["deep", "--epochs", "4", "--grow-every", "2", "--batch-size", "64"]}
    for name, args in argv.items():
        assert aezoo.run.main(args + ["--data", "digits", "--no-video", "--out", str(root / name)]) == 0
    return [root / "short", root / "long"]


@pytest.fixture(scope="module")
def compared(runs, tmp_path_factory):
    out = tmp_path_factory.mktemp("compared") / "cmp"
    assert compare.main([str(r) for r in runs] + ["--out", str(out)]) == 0
    return out


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_scores_match_each_runs_metrics(runs, compared):
    rows = read_csv(compared / "scores.csv")
    assert [r["run"] for r in rows] == ["short", "long", "pca-32", "pca-64"]
    pca_sqerr = {int(r["code_size"]): float(r["final_test_sqerr"]) for r in rows[2:]}
    for run_dir, row, code in zip(runs, rows, (32, 64)):
        epochs, _ = metrics.read(run_dir)
        assert row["model"] == aezoo.load(run_dir).config.model
        assert row["data"] == "digits"
        assert int(row["epochs"]) == epochs[-1]["epoch"]
        assert int(row["params"]) == epochs[-1]["params"]  # the grown model's final size
        assert int(row["code_size"]) == aezoo.load(run_dir).code_size == code
        assert float(row["final_test_bce"]) == epochs[-1]["test_bce"]
        grown = [r for r in epochs if r.get("depth") == epochs[-1].get("depth")]  # final network
        assert float(row["best_test_bce"]) == min(r["test_bce"] for r in grown)
        assert float(row["final_test_sqerr"]) == epochs[-1]["test_sqerr"]
        assert float(row["best_test_sqerr"]) == min(r["test_sqerr"] for r in grown)
        seconds = [r["seconds"] for r in epochs if "seconds" in r]
        assert float(row["seconds_per_epoch"]) == pytest.approx(np.mean(seconds))
        if pca_sqerr[code] > 1e-9:
            assert float(row["sqerr_vs_pca"]) == pytest.approx(
                float(row["final_test_sqerr"]) / pca_sqerr[code])
        else:  # 64 components of 64 pixels: PCA is lossless, no ratio
            assert row["sqerr_vs_pca"] == ""
    markdown = (compared / "scores.md").read_text()
    for row in rows:
        assert f"| {row['run']} | {row['model']} |" in markdown
        assert f"{float(row['final_test_bce']):.4f}" in markdown
    assert iio.imread(compared / "compare.png").shape[:2] == (540, 900)


def test_pca_baseline_is_fitted_and_scored_on_the_runs_split(compared):
    """An independent PCA (numpy SVD) on aezoo.data's digits split gives the table's row."""
    row = next(r for r in read_csv(compared / "scores.csv") if r["run"] == "pca-32")
    split = data.load("digits")
    train, test = (a.reshape(len(a), -1).astype(np.float64) for a in (split.train, split.test))

    def reference(fit_on, k=32):
        mean = fit_on.mean(axis=0)
        basis = np.linalg.svd(fit_on - mean, full_matrices=False)[2][:k]
        r = np.clip((test - mean) @ basis.T @ basis + mean, 0, 1)
        clipped = np.clip(r, pca.EPS, 1 - pca.EPS)
        bce = -(test * np.log(clipped) + (1 - test) * np.log(1 - clipped)).mean()
        return bce, np.square(r - test).sum(axis=1).mean()

    bce, sqerr = reference(train)
    assert (row["model"], int(row["code_size"])) == ("pca", 32)
    assert int(row["params"]) == 32 * 64 + 64
    assert float(row["final_test_bce"]) == pytest.approx(bce, rel=1e-6)
    assert float(row["final_test_sqerr"]) == pytest.approx(sqerr, rel=1e-6)
    # Fitted on any other images (here: the test split itself) the numbers would differ.
    other_bce, other_sqerr = reference(test)
    assert float(row["final_test_sqerr"]) != pytest.approx(other_sqerr, rel=1e-3)


def test_video_has_one_column_per_run_synchronized_by_epoch(compared):
    width = 2 * columns.column_width(2)
    for name in ("compare.gif", "compare.mp4"):
        kwargs = {"plugin": "FFMPEG"} if name.endswith(".mp4") else {}
        frames = np.asarray(iio.imread(compared / name, index=None, **kwargs)).astype(np.float64)
        assert frames.shape[:3:2] == (5, width + columns.SHARED), name  # epochs 0..4
        assert frames.shape[1] % 16 == 0
        short, long = frames[:, :, :width // 2], frames[:, :, width // 2:width]
        shared = frames[:, :, width:]
        assert all(np.abs(shared[i + 1] - shared[i]).mean() > 0.1 for i in range(4)), name
        for column in (short, long):
            assert np.abs(column[-1] - column[0]).mean() > 2, name  # both runs animate
            assert (column[:, :30] < 128).any(), name  # a label on top
        # The short run ended at epoch 2; from epoch 3 ("ended") its column holds while the
        # long one goes on. The GIF holds exactly; H.264 is lossy.
        held = np.abs(short[4] - short[3]).mean()
        assert held == 0 if name.endswith(".gif") else held < 0.5, name
        assert np.abs(long[4] - long[3]).mean() > 1, name
        assert np.abs(short[2] - short[1]).mean() > 1, name


def test_more_runs_than_a_frame_holds_show_the_best_in_the_video_and_all_in_the_table(
        runs, tmp_path, capsys):
    # 40 runs: past 36, tiles of the frame's layout had a negative width (a traceback at the
    # end of a 64-run grid sweep). 20 copies of each run; the long one scores better.
    # Each run has its videos, which the report shows as they are: rendered twice here, not
    # drawn 80 times for the report (the report's own drawing is tests/e2e/test_report.py's).
    short, long = (shutil.copytree(run, tmp_path / "videos" / run.name) for run in runs)
    for run in (short, long):
        assert render.main([str(run), "--format", "gif"]) == 0
        assert render.main([str(run), "--format", "gif", "--latent"]) == 0
    folders = []
    for i in range(20):
        for run in (short, long):
            folders.append(shutil.copytree(run, tmp_path / "runs" / f"{run.name}-{i:02d}"))
    out = tmp_path / "cmp"
    assert compare.main([str(f) for f in folders] + ["--out", str(out), "--format", "gif"]) == 0
    err = capsys.readouterr().err
    assert (f"the video shows the best {columns.MOST} of the 40 runs by final test BCE "
            f"(a frame holds {columns.MOST})") in err
    rows = read_csv(out / "scores.csv")
    assert [r["run"] for r in rows if r["model"] != "pca"] == [f.name for f in folders]
    frames = np.asarray(iio.imread(out / "compare.gif", index=None))
    assert frames.shape[2] == 8 * columns.column_width(columns.MOST) + columns.SHARED
    scores = {r["run"]: float(r["final_test_bce"]) for r in rows if r["model"] != "pca"}
    assert max(v for k, v in scores.items() if k.startswith("long")) < min(
        v for k, v in scores.items() if k.startswith("short"))
    loaded = comparison.load_runs([str(f) for f in folders])
    shown, names = comparison.on_screen(loaded, comparison.table(loaded), "bce")
    assert names == [f.name for f in folders if f.name.startswith("long")][:columns.MOST]
    assert [r.name for r in shown] == names


def test_compare_is_repeatable_into_the_same_folder(runs, compared, tmp_path):
    out = shutil.copytree(compared, tmp_path / "again")
    table = (out / "scores.csv").read_text()
    assert compare.main([str(r) for r in runs] + ["--out", str(out), "--format", "gif"]) == 0
    assert (out / "scores.csv").read_text() == table


def test_the_code_size_is_the_checkpoint_models_even_after_a_growth_it_does_not_hold(runs, tmp_path):
    long = shutil.copytree(runs[1], tmp_path / "long")
    grown = rundir.read_architecture(long)[-1]
    assert grown["epoch"] == 3  # the model grew to a 64-number code at epoch 3, and holds it
    smaller = [dict(layer, out=[16]) if layer.get("code") else layer for layer in grown["layers"]]
    described = {k: v for k, v in grown.items() if k != "epoch"}
    rundir.write_architecture(long, 5, {**described, "layers": smaller})  # a growth, then killed
    rows = comparison.table(comparison.load_runs([str(long)]))
    assert rows[0]["code_size"] == 64 == aezoo.load(long).code_size
    assert [r["run"] for r in rows[1:]] == ["pca-64"]


def test_runs_on_different_data_are_refused_in_one_line(runs, tmp_path, capsys):
    images = np.random.RandomState(0).randint(0, 256, (50, 8, 8)).astype(np.uint8)
    np.save(tmp_path / "other.npy", images)
    other = tmp_path / "other"
    assert aezoo.run.main(["simple", "--data", f"npy:{tmp_path / 'other.npy'}", "--epochs", "1",
                           "--no-video", "--out", str(other)]) == 0
    before = [tree_state(r) for r in runs + [other]]
    capsys.readouterr()
    assert compare.main([str(runs[0]), str(other), "--out", str(tmp_path / "cmp")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("aezoo compare: error: runs on different data cannot be compared: ")
    assert "(digits, 1438 train / 359 test)" in err and "other.npy, 40 train / 10 test" in err
    assert not (tmp_path / "cmp").exists()
    assert [tree_state(r) for r in runs + [other]] == before


def test_an_out_folder_holding_other_files_is_refused_and_left_alone(runs, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "scores.md").write_text("my own notes")
    assert compare.main([str(runs[0]), "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "holds files that aezoo compare did not write" in line
    assert [p.name for p in out.iterdir()] == ["scores.md"]
    assert (out / "scores.md").read_text() == "my own notes"


def test_an_out_that_is_a_file_is_one_line(runs, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert compare.main([str(runs[0]), "--out", str(tmp_path / "afile" / "cmp"), "--format", "gif"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("aezoo compare: error: --out ") and "cannot create it" in line
    assert (tmp_path / "afile").read_text() == "x"


@pytest.mark.parametrize("argv, message", [
    ([], "the following arguments are required: RUN_DIR"),
    (["{tmp}/missing"], "is not a run folder (no config.json)"),
    (["{short}", "{short}"], "is given twice"),
    (["{short}", "--fps", "-1"], "--fps -1.0: expected a number from 0.1 to 120"),
    (["{short}", "--fps", "0.001"], "--fps 0.001: expected a number from 0.1 to 120"),
    (["{short}/config.json"], "is not a run folder (no config.json)"),
])
def test_bad_input_is_one_line(runs, tmp_path, capsys, argv, message):
    argv = [a.format(tmp=tmp_path, short=runs[0]) for a in argv] + ["--out", str(tmp_path / "cmp")]
    assert compare.main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("aezoo compare: error: ") and message in err
    assert not (tmp_path / "cmp").exists()


def options(formats=("gif", "mp4")):
    """What compare's digest covers besides the runs, with the command's defaults."""
    return {"fps": 4.0, "dpi": float(frame.DPI), "formats": list(formats)}


def test_a_comparison_of_unchanged_runs_is_reused_and_says_so(runs, compared, tmp_path, capsys):
    from aezoo.results import compared as compared_json, manifest, report
    out = shutil.copytree(compared, tmp_path / "again")
    listed, made_from = compared_json.read(out)
    assert listed == [str(r) for r in runs]
    assert made_from == manifest.of_runs([str(r) for r in runs], options())
    assert report.made_from(out / "report.html") == report.inputs([str(out)], str(out))
    before = tree_state(out)
    capsys.readouterr()
    assert compare.main([str(r) for r in runs] + ["--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"no run changed since the comparison in {out} was made: reused it" in err
    assert "frames" not in err
    assert err.index("reused it") < err.index("report.html was written: kept it")  # in order
    assert tree_state(out) == before  # nothing redrawn, not even the page


def test_a_changed_run_or_option_redraws_the_comparison(runs, tmp_path, capsys):
    from aezoo.results import compared as compared_json, manifest
    copies = [shutil.copytree(r, tmp_path / r.name) for r in runs]
    out = tmp_path / "cmp"
    args = [str(r) for r in copies] + ["--out", str(out), "--format", "gif"]
    assert compare.main(args) == 0
    first = compared_json.read(out)[1]
    assert compare.main([*args, "--fps", "8"]) == 0  # an option of the video: drawn again
    assert "aezoo compare: frames: 1/" in capsys.readouterr().err
    assert compared_json.read(out)[1] != first
    assert aezoo.run.main(["--resume", str(copies[0]), "--epochs", "3", "--quiet"]) == 0
    assert compare.main([*args, "--fps", "8"]) == 0  # the short run trained on
    assert "aezoo compare: frames: 1/" in capsys.readouterr().err
    assert read_csv(out / "scores.csv")[0]["epochs"] == "3"
    assert compared_json.read(out)[1] == manifest.of_runs([str(r) for r in copies],
                                                            {**options(("gif",)), "fps": 8.0})


def test_a_comparison_interrupted_or_of_aezoo_0_2_has_no_digest_and_is_redrawn(runs, compared,
                                                                               tmp_path, capsys):
    import json
    from aezoo.results import compared as compared_json, manifest
    out = shutil.copytree(compared, tmp_path / "old")
    (out / "compared.json").write_text(json.dumps([str(r) for r in runs]))  # 0.2's bare list
    assert compared_json.read(out) == ([str(r) for r in runs], None)
    capsys.readouterr()
    assert compare.main([str(r) for r in runs] + ["--out", str(out)]) == 0
    assert "reused" not in capsys.readouterr().err
    assert compared_json.read(out)[1] == manifest.of_runs([str(r) for r in runs], options())
