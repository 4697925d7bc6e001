"""Sequence data: sine, rows, npz with lengths, synthetic; clear errors for bad files, bad GRU
options, a sine split that would share steps, Keras weights of the wrong shape, padded
sequences for models that cannot mask."""
import os

import numpy as np
import pytest

from aezoo import data
from aezoo.data.sequences import SINE
from aezoo.run import main
from conftest import TEST_DATA


QUICK = ["--epochs", "2", "--batch-size", "64", "--no-video"]
KERAS_FILE = os.path.join(TEST_DATA, "keras_gru", "keras3_gru_reset_after_true.npz")


def test_sine_windows_are_seeded_and_train_and_test_share_no_step():
    first, second = data.load("sine"), data.load("sine", seq_len=12)
    assert first.kind == "sequence" and first.view == "lines" and first.shape == (30, 1)
    assert second.shape == (12, 1)
    np.testing.assert_array_equal(first.train, data.load("sine").train)
    steps = SINE["period"] * SINE["cycles"]
    assert len(first.train) + len(first.test) == steps - 30 + 1 - 29
    series = np.concatenate([first.train[:, 0, 0], first.train[-1, 1:, 0]])
    pairs = set(zip(series[:-1], series[1:]))  # a step is its value and its successor's
    test = first.test[:, :, 0]
    assert not any((a, b) in pairs for window in test for a, b in zip(window[:-1], window[1:]))
    assert (test[0, 0], test[0, 1]) not in pairs and len(pairs) > 3000
    t = np.arange(30)
    clean = np.sin(2 * np.pi * t / SINE["period"])
    assert np.abs(first.train[0, :, 0] - clean).max() <= SINE["noise"] + 1e-6


def test_rows_read_an_image_set_as_sequences_with_its_labels():
    rows, digits = data.load("digits-rows"), data.load("digits")
    assert (rows.kind, rows.view, rows.shape) == ("sequence", "rows", (8, 8))
    np.testing.assert_array_equal(rows.test, digits.test)
    np.testing.assert_array_equal(rows.test_labels, digits.test_labels)
    assert rows.fingerprint() == digits.fingerprint()


def test_npz_lengths_become_nan_padding(tmp_path):
    x = np.random.RandomState(0).randn(10, 6, 3).astype(np.float32)
    lengths = np.array([6, 5, 4, 3, 2, 1, 6, 6, 2, 3])
    np.savez(tmp_path / "s.npz", x=x, lengths=lengths)
    ds = data.load(f"npz:{tmp_path / 's.npz'}", test_fraction=0.2)
    assert ds.padded and ds.kind == "sequence" and ds.view == "lines"
    both = np.concatenate([ds.train, ds.test])  # the split keeps the file's order
    real = np.arange(6)[None, :] < lengths[:, None]
    np.testing.assert_array_equal(both[real], x[real])
    assert np.isnan(both[~real]).all()
    assert ds.value_range == (float(x[real].min()), float(x[real].max()))


def test_synthetic_has_the_shape_asked_for_in_minus_one_to_one():
    ds = data.load("synthetic:20,7,11", test_fraction=0.25)
    assert ds.shape == (7, 11) and (len(ds.train), len(ds.test)) == (15, 5)
    assert -1 < ds.value_range[0] < ds.value_range[1] < 1 and ds.view == "heatmap"


BAD = [
    (lambda p: np.savez(p, x=np.zeros((4, 3))), "expected an array x of shape (N, T, D)"),
    (lambda p: np.savez(p, y=np.zeros((4, 3, 2))), "expected an array x of shape (N, T, D)"),
    (lambda p: np.savez(p, x=np.full((4, 3, 2), np.nan)), "NaN or infinite values within"),
    (lambda p: np.savez(p, x=np.zeros((4, 3, 2)), lengths=np.array([1, 2, 3, 4])),
     "expected lengths of 4 whole numbers from 1 to 3"),
    (lambda p: np.savez(p, x=np.zeros((4, 3, 2)), lengths=np.array([1, 2, 0, 3])),
     "expected lengths of 4 whole numbers from 1 to 3"),
    (lambda p: p.write_bytes(b"not a zip"), "not a readable .npz file"),
    (lambda p: p.write_bytes(b"PK\x03\x04 truncated"), "not a readable .npz file"),
    (lambda p: np.save(open(p, "wb"), np.zeros((4, 3, 2))), "a single .npy array"),
]


@pytest.mark.parametrize("write, message", BAD)
def test_bad_sequence_files_are_one_line_and_keep_an_earlier_run(tmp_path, capsys, write,
                                                                 message):
    earlier = tmp_path / "earlier"
    np.savez(tmp_path / "good.npz", x=np.random.RandomState(0).randn(20, 4, 2))
    assert main(["gru", "--data", f"npz:{tmp_path / 'good.npz'}", "--hidden", "3",
                 *QUICK, "--out", str(earlier)]) == 0
    before = sorted(os.listdir(earlier)), (earlier / "metrics.jsonl").read_text()
    write(tmp_path / "bad.npz")
    capsys.readouterr()
    assert main(["gru", "--data", f"npz:{tmp_path / 'bad.npz'}", *QUICK,
                 "--out", str(earlier)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert (sorted(os.listdir(earlier)), (earlier / "metrics.jsonl").read_text()) == before


@pytest.mark.parametrize("argv, message", [
    (["gru", "--code-dim", "4"], "--code-dim applies to --mode seq2seq only"),
    (["gru", "--mode", "seq2seq", "--teacher-forcing", "1.5"], "expected a probability"),
    (["gru", "--data", "digits", "--loss", "bce"], "takes mse only"),
    (["gru", "--keras-version", "4"], "--keras-version: invalid choice: 4"),
    (["gru", "--data", "sine", "--seq-len", "1"], "--seq-len 1: expected 2 to"),
    (["gru", "--data", "synthetic:2,3"], "expected synthetic:N,T,D"),
    (["deep", "--data", "sine", "--keras-weights", KERAS_FILE], "model deep cannot take Keras weights"),
    (["gru", "--data", "sine", "--keras-weights", KERAS_FILE], "reads 5 values a step, --data sine has 1"),
    (["gru", "--data", "sine", "--keras-weights", "missing.npz"], "no such file"),
])
def test_bad_gru_options_are_one_line(argv, message, capsys, tmp_path):
    assert main(argv + QUICK + ["--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("fraction", ["0.0001", "0.999"])
def test_a_sine_split_that_would_share_steps_is_refused(fraction, capsys, tmp_path):
    assert main(["gru", "--data", "sine", "--seq-len", "500", "--test-fraction", fraction,
                 *QUICK, "--out", str(tmp_path / "run")]) == 2
    assert "cannot be split" in capsys.readouterr().err and not (tmp_path / "run").exists()


NUMBERS = "expected numbers as Keras's get_weights() gives them"
NO_CELL = "are no Keras cell's: expected (in, g u) and (u, g u)"


@pytest.mark.parametrize("bad, message", [
    (dict(enc_kernel=np.float32(1.0)), NUMBERS),
    (dict(enc_kernel=np.zeros((5, 0), np.float32)), "(no empty axis)"),
    (dict(enc_bias=np.array(["a", "b", "c"])), NUMBERS),
    (dict(dec_recurrent_kernel=np.zeros((5, 10), np.float32)), NO_CELL),
    (dict(dec_kernel=np.zeros((4, 20), np.float32), dec_recurrent_kernel=np.zeros((5, 20))),
     "the encoder is a gru and the decoder a lstm"),
    (dict(dec_kernel=np.zeros((3, 15), np.float32)), "do not chain"),
    (dict(dec_bias=np.zeros((7,), np.float32)), "bias has shape (7,), this gru layer needs"),
])
def test_keras_weights_of_the_wrong_shape_are_one_line(bad, message, tmp_path, capsys):
    arrays = dict(np.load(KERAS_FILE))
    arrays.update(bad)
    np.savez(tmp_path / "w.npz", **arrays)
    np.savez(tmp_path / "x.npz", x=np.zeros((10, 6, 5), np.float32))
    assert main(["gru", "--data", f"npz:{tmp_path / 'x.npz'}", "--keras-weights",
                 str(tmp_path / "w.npz"), *QUICK, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_models_that_cannot_mask_refuse_padded_sequences(tmp_path, capsys):
    x = np.random.RandomState(0).randn(10, 4, 2)
    np.savez(tmp_path / "s.npz", x=x, lengths=np.array([4, 3] * 5))
    assert main(["deep", "--data", f"npz:{tmp_path / 's.npz'}", *QUICK,
                 "--out", str(tmp_path / "run")]) == 2
    assert "need a model that masks padding (gru, lstm, simplernn), not deep" in capsys.readouterr().err
