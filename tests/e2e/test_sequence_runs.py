"""The runs around the GRU: snapshots, videos of every sequence view, compare and resume of
gru runs; a sweep checks Keras weights before anything trains."""
import json
import os

import numpy as np
import pytest

from aezoo.commands import render
from aezoo.run import main
from aezoo.viz import frame, tiles
from aezoo.runs.folder import RunFolder
from aezoo.results import comparison
from aezoo.runs import recon
from conftest import TEST_DATA


QUICK = ["--epochs", "2", "--batch-size", "64", "--no-video"]
KERAS_FILE = os.path.join(TEST_DATA, "keras_gru", "keras3_gru_reset_after_true.npz")


def test_a_sweep_checks_keras_weights_before_anything_trains(tmp_path, capsys):
    from aezoo.commands import sweep
    (tmp_path / "bad.npz").write_bytes(b"garbage")
    (tmp_path / "s.toml").write_text(f"""
[defaults]
model = "gru"
data = "sine"
epochs = 1
[runs.a]
hidden = [3]
[runs.b]
keras_weights = "{tmp_path / 'bad.npz'}"
""")
    assert sweep.main([str(tmp_path / "s.toml"), "--out", str(tmp_path / "out")]) == 2
    assert "not a readable .npz file" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_compare_shows_each_best_value_with_its_own_epoch(tmp_path):
    out = tmp_path / "mse"
    assert main(["deep", "--data", "digits", "--loss", "mse", "--epochs", "3", "--no-video",
                 "--out", str(out)]) == 0
    records = [json.loads(l) for l in open(out / "metrics.jsonl") if '"test_bce"' in l]
    row = comparison.score(RunFolder(str(out)), "mse")
    best = min(records, key=lambda r: r["test_bce"])
    assert (row["best_test_bce"], row["best_bce_epoch"]) == (best["test_bce"], best["epoch"])
    best = min(records, key=lambda r: r["test_mse"])
    assert (row["best_test_mse"], row["best_mse_epoch"]) == (best["test_mse"], best["epoch"])


@pytest.fixture(scope="module")
def gru_runs(tmp_path_factory):
    """Two small gru runs on sine and one on padded npz sequences and on digit rows."""
    root = tmp_path_factory.mktemp("gru")
    common = ["--epochs", "2", "--batch-size", "128", "--hidden", "8", "--no-video"]
    runs = {}
    for name, extra in [("keras", ["--data", "sine", "--seq-len", "12"]),
                        ("seq2seq", ["--data", "sine", "--seq-len", "12", "--mode", "seq2seq",
                                     "--code-dim", "3", "--teacher-forcing", "0.5"])]:
        runs[name] = root / name
        assert main(["gru", *extra, *common, "--out", str(runs[name])]) == 0
    x = np.random.RandomState(0).randn(30, 5, 12).astype(np.float32)
    np.savez(root / "p.npz", x=x, lengths=np.arange(30) % 5 + 1)
    runs["padded"] = root / "padded"
    assert main(["gru", "--data", f"npz:{root / 'p.npz'}", *common, "--show", "4",
                 "--out", str(runs["padded"])]) == 0
    runs["rows"] = root / "rows"
    assert main(["gru", "--data", "digits-rows", "--mode", "seq2seq", *common,
                 "--out", str(runs["rows"])]) == 0
    return runs


def test_snapshots_keep_the_reversed_targets_and_no_output_on_padding(gru_runs):
    arrays = recon.read(str(gru_runs["padded"] / "recon"), 2)
    inputs, targets, outputs = arrays["inputs"], arrays["targets"], arrays["outputs"]
    assert str(arrays["kind"]) == "sequence" and str(arrays["view"]) == "heatmap"
    for x, target, output in zip(inputs, targets, outputs):
        length = int((~np.isnan(x[:, 0])).sum())
        np.testing.assert_array_equal(target[:length], x[:length][::-1])
        assert np.isnan(output[length:]).all() and np.isfinite(output[:length]).all()
    picture = tiles.grid(arrays)
    assert picture.min() >= 0 and picture.max() <= 1


@pytest.mark.parametrize("name, panel", [("keras", frame.LinePanel), ("padded", frame.GridPanel),
                                         ("rows", frame.GridPanel)])
def test_every_sequence_view_renders_a_video(gru_runs, name, panel, tmp_path):
    run = RunFolder(str(gru_runs[name]))
    assert frame.PANELS[run.view] is panel
    frames = frame.compose([run], [0, 2])
    assert len(frames) == 2 and frames[0].shape == frames[1].shape
    assert not np.array_equal(frames[0], frames[1])  # the outputs moved
    assert render.main([str(gru_runs[name]), "--format", "gif"]) == 0
    assert (gru_runs[name] / "progress.gif").stat().st_size > 0


def test_gru_runs_compare_by_mse(gru_runs, tmp_path):
    written = comparison.compare([str(gru_runs["keras"]), str(gru_runs["seq2seq"])],
                              str(tmp_path / "cmp"), formats=())
    table = open(written[1]).read()
    assert "final MSE" in table and "per value" in table
    rows = {r.split("|")[1].strip(): r for r in table.splitlines() if r.startswith("| ")}
    assert {"keras", "seq2seq"} <= set(rows) and any(k.startswith("pca-") for k in rows)
    final = [json.loads(l) for l in open(gru_runs["keras"] / "metrics.jsonl")
             if '"test_mse"' in l][-1]["test_mse"]
    assert f"{final:.4f}" in rows["keras"]
    # PCA on values outside [0, 1]: not clipped like an image (sine is near 2-D: sin, cos)
    assert float(rows["pca-3"].split("|")[6]) < 0.01


@pytest.mark.parametrize("cells", [["gru"], ["lstm", "--cell", "lstm,gru", "--hidden", "8,5",
                                            "--readout", "avg"]])
def test_a_resumed_seq2seq_run_equals_the_unbroken_run(tmp_path, cells):
    # Teacher forcing draws from the run's generator: the checkpoint must restore it.
    options = cells[:1] + ["--data", "digits-rows", "--mode", "seq2seq", "--hidden", "8",
                           "--code-dim", "3", "--teacher-forcing", "0.5", "--batch-size", "256",
                           "--no-video"] + cells[1:]
    assert main(options + ["--epochs", "3", "--out", str(tmp_path / "a")]) == 0
    assert main(options + ["--epochs", "1", "--out", str(tmp_path / "b")]) == 0
    assert main(["--resume", str(tmp_path / "b"), "--epochs", "3"]) == 0
    a, b = (np.load(tmp_path / name / "checkpoint.npz") for name in "ab")
    assert a.files == b.files
    for key in a.files:
        if a[key].dtype.kind in "fiu":
            np.testing.assert_allclose(a[key], b[key], atol=1e-6, err_msg=key)


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    ["lstm", "--mode", "repeat"],
    ["simplernn"],
    ["lstm", "--mode", "seq2seq", "--cell", "lstm,gru", "--hidden", "32,16", "--readout", "add"],
], ids=" ".join)
def test_every_cell_learns_sine(tmp_path, argv):
    """Issue 25's runs: each trains on sine and its test MSE falls."""
    out = tmp_path / "run"
    assert main(argv + ["--data", "sine", "--epochs", "3", "--no-video", "--out", str(out)]) == 0
    lines = [json.loads(l) for l in open(out / "metrics.jsonl") if '"test_mse"' in l]
    assert lines[-1]["test_mse"] < 0.6 * lines[0]["test_mse"]
    layers = json.loads((out / "architecture.json").read_text())[0]["layers"]
    assert {layer["type"] for layer in layers} & {"lstm", "simplernn", "gru"}


def test_lstm_keras_weights_start_a_repeat_run(tmp_path):
    import aezoo
    path = os.path.join(TEST_DATA, "keras_cells", "keras3_lstm_repeat.npz")
    data = tmp_path / "seq.npz"
    np.savez(data, x=np.random.RandomState(0).randn(40, 6, 5).astype(np.float32))
    out = tmp_path / "run"
    assert main(["simplernn", "--mode", "repeat", "--data", f"npz:{data}", "--keras-weights",
                 path, "--keras-version", "3", "--epochs", "1", "--no-video", "--out",
                 str(out)]) == 0
    config = json.loads((out / "config.json").read_text())["config"]
    assert config["cell"] == "lstm" and config["hidden"] == [4]
    assert config["reverse_target"] is False  # the blog's target: the input itself
    start = np.load(out / "recon" / "epoch_0000.npz")  # the untrained epoch: Keras's model
    model = aezoo.from_keras(path, mode="repeat")
    np.testing.assert_allclose(start["outputs"], model.reconstruct(start["inputs"]), atol=1e-5)


@pytest.mark.parametrize("argv, message", [
    (["lstm", "--cell", "gru", "--keras-weights", os.path.join(TEST_DATA, "keras_cells",
                                                               "keras3_lstm_keras.npz")],
     "--cell gru: --keras-weights"),
    (["lstm", "--mode", "seq2seq", "--keras-weights", KERAS_FILE],
     "fit --mode keras or repeat with one encoder layer only"),
    (["lstm", "--hidden", "4,3", "--cell", "lstm,gru,gru"], "3 cells for 2 layers"),
    (["gru", "--readout", "add"], "--readout applies to --mode seq2seq only"),
])
def test_bad_cell_options_are_one_line(tmp_path, capsys, argv, message):
    data = tmp_path / "seq.npz"
    np.savez(data, x=np.random.RandomState(0).randn(40, 6, 5).astype(np.float32))
    assert main(argv + ["--data", f"npz:{data}", *QUICK, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "run").exists()
