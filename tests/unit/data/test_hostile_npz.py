"""Hostile .npz files: a member whose header declares more than it holds, or more than the limit,
is refused from its header before anything is allocated or decompressed; a large array that
compresses well still loads. The same reader serves --data npz:, --keras-weights and
aezoo.from_keras, so each is tried with the bad file itself."""
import io
import os
import zipfile

import numpy as np
import pytest

import aezoo
from aezoo.data import formats
from aezoo.run import main
from conftest import TEST_DATA

QUICK = ["--epochs", "1", "--batch-size", "64", "--no-video"]
KERAS_FILE = os.path.join(TEST_DATA, "keras_gru", "keras3_gru_reset_after_true.npz")


def npy_bytes(shape, dtype, payload):
    """An .npy file whose header says `shape` and `dtype`, followed by `payload` as it is."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": np.dtype(dtype).str,
                                              "fortran_order": False, "shape": shape})
    return out.getvalue() + payload


def write_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, raw in members.items():
            z.writestr(name, raw)
    return path


def lying(path, name="x", shape=(10 ** 12, 30, 2)):
    """2 kB on disk whose header claims terabytes."""
    return write_zip(path, {f"{name}.npy": npy_bytes(shape, "<f4", bytes(2000))})


def test_a_header_that_claims_more_than_the_member_holds_is_refused_before_allocating(tmp_path):
    with pytest.raises(aezoo.UsageError, match=r"x.npy declares shape \(1000000000000, 30, 2\) "
                                               r"of float32 \(240000000000000 bytes\) but holds 2000"):
        formats.read_npz(lying(tmp_path / "big.npz"))


def test_an_honest_array_over_the_limit_is_refused_without_decompressing(tmp_path, monkeypatch):
    zeros = np.zeros((1000, 30, 2), np.float32)  # 240 kB that deflate to a few hundred bytes
    np.savez_compressed(tmp_path / "zeros.npz", x=zeros)
    assert os.path.getsize(tmp_path / "zeros.npz") < 2000
    np.testing.assert_array_equal(formats.read_npz(tmp_path / "zeros.npz")["x"], zeros)
    monkeypatch.setenv("AEZOO_MAX_ARRAY_BYTES", "100000")
    read = []
    real = zipfile.ZipExtFile.read
    monkeypatch.setattr(zipfile.ZipExtFile, "read", lambda f, n=-1: read.append(n) or real(f, n))
    with pytest.raises(aezoo.UsageError, match="is 240000 bytes, over the limit of 100000 "
                                               r"\(set AEZOO_MAX_ARRAY_BYTES to raise it\)"):
        formats.read_npz(tmp_path / "zeros.npz")
    assert sum(n for n in read if n > 0) < 1000  # the header only
    monkeypatch.setenv("AEZOO_MAX_ARRAY_BYTES", "lots")
    with pytest.raises(aezoo.UsageError, match="AEZOO_MAX_ARRAY_BYTES='lots': expected a whole"):
        formats.read_npz(tmp_path / "zeros.npz")


@pytest.mark.parametrize("members, message", [
    ({"x.npy": npy_bytes((2,), "|O", b"\x80\x04N.")}, "holds Python objects"),
    ({"x.txt": b"hello"}, "member 'x.txt' is not an .npy array"),
    ({"x.npy": b"\x93NUMPY\x09\x00"}, "not a readable .npz file"),
])
def test_members_that_are_not_plain_arrays_are_one_line(tmp_path, members, message):
    with pytest.raises(aezoo.UsageError, match=message):
        formats.read_npz(write_zip(tmp_path / "f.npz", members))


def test_a_lying_data_file_is_one_line_and_keeps_an_earlier_run(tmp_path, capsys):
    earlier = tmp_path / "earlier"
    np.savez(tmp_path / "good.npz", x=np.random.RandomState(0).randn(20, 4, 2))
    assert main(["gru", "--data", f"npz:{tmp_path / 'good.npz'}", "--hidden", "3", *QUICK,
                 "--out", str(earlier)]) == 0
    before = sorted(os.listdir(earlier)), (earlier / "metrics.jsonl").read_text()
    capsys.readouterr()
    assert main(["gru", "--data", f"npz:{lying(tmp_path / 'bad.npz')}", *QUICK,
                 "--out", str(earlier)]) == 2
    err = capsys.readouterr().err.strip()
    assert "declares shape" in err and len(err.splitlines()) == 1
    assert (sorted(os.listdir(earlier)), (earlier / "metrics.jsonl").read_text()) == before


def test_lying_keras_weights_are_one_line_from_the_cli_and_the_api(tmp_path, capsys):
    arrays = {k: v for k, v in np.load(KERAS_FILE).items() if k != "enc_kernel"}
    members = {f"{k}.npy": npy_bytes(v.shape, v.dtype.str, v.tobytes()) for k, v in arrays.items()}
    members["enc_kernel.npy"] = npy_bytes((5, 3 * 10 ** 11), "<f4", bytes(60))
    weights = write_zip(tmp_path / "w.npz", members)
    np.savez(tmp_path / "x.npz", x=np.zeros((10, 6, 5), np.float32))
    assert main(["gru", "--data", f"npz:{tmp_path / 'x.npz'}", "--keras-weights", str(weights),
                 *QUICK, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert f"--keras-weights {weights}: enc_kernel.npy declares shape" in err
    assert len(err.splitlines()) == 1 and not (tmp_path / "run").exists()
    with pytest.raises(aezoo.UsageError, match=f"^{weights}: enc_kernel.npy declares shape"):
        aezoo.from_keras(str(weights))


def test_a_file_that_is_not_a_zip_is_not_called_pickled_data(tmp_path, capsys):
    (tmp_path / "w.npz").write_bytes(b"\x80\x04 some bytes that are not a zip")
    np.savez(tmp_path / "x.npz", x=np.zeros((10, 6, 5), np.float32))
    assert main(["gru", "--data", f"npz:{tmp_path / 'x.npz'}", "--keras-weights",
                 str(tmp_path / "w.npz"), *QUICK, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert "not a zip file" in err and "pickle" not in err


@pytest.mark.parametrize("change, message", [
    ({"enc_kernel": np.zeros((0, 30), np.float32)}, "no empty axis"),
    ({"dec_bias": np.full((2, 30), np.nan, np.float32)}, "dec_bias holds NaN or infinite values"),
    ({"enc_recurrent_kernel": np.full((10, 30), np.inf, np.float32)}, "holds NaN or infinite"),
])
def test_from_keras_names_the_file_and_what_is_wrong(tmp_path, change, message):
    arrays = dict(np.load(KERAS_FILE))
    arrays.update(change)
    np.savez(tmp_path / "w.npz", **arrays)
    with pytest.raises(aezoo.UsageError, match=message):
        aezoo.from_keras(str(tmp_path / "w.npz"))
    for path in (None, 3):
        with pytest.raises(aezoo.UsageError, match="expected the path of an .npz file"):
            aezoo.from_keras(path)


def test_an_npy_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    np.save(tmp_path / "x.npy", np.zeros((100, 8, 8), np.uint8))  # 25600 bytes as float32
    assert formats.read_npy(str(tmp_path / "x.npy")).shape == (100, 8, 8)
    monkeypatch.setenv("AEZOO_MAX_ARRAY_BYTES", "20000")
    with pytest.raises(aezoo.UsageError, match=r"shape \(100, 8, 8\) is 25600 bytes as float32, "
                                               r"over the limit of 20000"):
        formats.read_npy(str(tmp_path / "x.npy"))
