"""Bad input: one line on stderr, exit status 2, and nothing already written is touched.

Most cases run through aezoo.run.main in-process with the working directory
set to an output root that holds one earlier, finished run; afterwards that
run must be byte-for-byte and mtime-for-mtime unchanged, and no new folder
(outputs/... or other) may have appeared beside it.
"""
import errno
import gzip
import os
import re
import subprocess
import sys

import chainer
import numpy as np
import pytest

from aezoo.commands.run import main
from conftest import TINY, random_images, tree_state, write_idx


def error_line(err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected exactly one line on stderr, got {lines!r}"
    assert lines[0].startswith("aezoo run: error:"), lines[0]
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory):
    """(output root, its finished run folder, the root's state) made once for the module."""
    root = tmp_path_factory.mktemp("output-root")
    run = root / "first"
    assert main(["simple", "--data", "digits", "--epochs", "1", "--out", str(run)]) == 0
    assert (run / "config.json").exists() and (run / "checkpoint.npz").exists()
    return root, run, tree_state(root)


@pytest.fixture
def guarded(earlier_run, monkeypatch, capsys):
    """The earlier run; the cwd is the output root; checks afterwards that nothing there changed."""
    root, run, before = earlier_run
    monkeypatch.chdir(root)
    capsys.readouterr()  # drop the earlier run's own output
    yield run
    after = tree_state(root)
    assert sorted(after) == sorted(before), "files or folders appeared or vanished in the output root"
    for path, state in before.items():
        assert after[path] == state, f"{path} changed"


def gz_of(raw):
    return gzip.compress(raw, mtime=0)


def make_inputs(tmp_path):
    """Bad input files; returns {name: path}."""
    p = {}
    write_idx(tmp_path / "good.idx.gz", random_images(10))
    good_raw = gzip.decompress((tmp_path / "good.idx.gz").read_bytes())

    p["truncated_idx"] = tmp_path / "truncated.idx"
    p["truncated_idx"].write_bytes(good_raw[:16 + 5 * 30])  # header says 10 images, 5 follow
    p["random_gz"] = tmp_path / "random.idx.gz"
    p["random_gz"].write_bytes(np.random.RandomState(0).bytes(500))
    p["cut_gz"] = tmp_path / "cut.idx.gz"
    p["cut_gz"].write_bytes(gz_of(good_raw)[:-30])  # a gzip stream that stops early
    p["bad_magic"] = tmp_path / "magic.idx"
    p["bad_magic"].write_bytes(b"PK\x03\x04" + bytes(100))

    # --data-dir whose MD5SUMS disagrees with the test file
    d = tmp_path / "mnist-dir"
    d.mkdir()
    write_idx(d / "train-images-idx3-ubyte.gz", random_images(6, seed=1))
    write_idx(d / "t10k-images-idx3-ubyte.gz", random_images(2, seed=2))
    (d / "MD5SUMS").write_text("ffffffffffffffffffffffffffffffff  t10k-images-idx3-ubyte.gz\n")
    p["md5_dir"] = d

    rng = np.random.RandomState(0)
    for name, array in (("rank1", rng.rand(10)), ("rank4", rng.rand(10, 2, 3, 5)),
                        ("empty", np.zeros((0, 4, 4))), ("above", rng.rand(10, 4, 4) * 3),
                        ("negative", rng.rand(10, 4, 4) - 0.5), ("strings", np.array([["a"]]))):
        p[name] = tmp_path / f"{name}.npy"
        np.save(p[name], array)
    nan = rng.rand(10, 4, 4)
    nan[3, 1, 2] = np.nan
    p["nan"] = tmp_path / "nan.npy"
    np.save(p["nan"], nan)
    p["not_npy"] = tmp_path / "text.npy"
    p["not_npy"].write_text("hello\n")
    # data files that lie
    p["zero_npy"] = tmp_path / "zero.npy"
    p["zero_npy"].write_bytes(b"")
    p["npz_as_npy"] = tmp_path / "archive.npy"
    with open(p["npz_as_npy"], "wb") as f:
        np.savez(f, a=np.zeros((4, 3, 3)))
    p["huge_header"] = tmp_path / "huge.npy"
    np.save(p["huge_header"], np.zeros((2, 3, 3), np.float32))
    old, new = b"(2, 3, 3), }        ", b"(20000000000, 3, 3)}"  # same length: header stays valid
    assert len(old) == len(new)
    p["huge_header"].write_bytes(p["huge_header"].read_bytes().replace(old, new))
    p["idx_overflow"] = tmp_path / "overflow.idx"
    p["idx_overflow"].write_bytes(bytes([0, 0, 8, 3]) + (0xFFFFFFFF).to_bytes(4, "big") * 3
                                  + bytes(100))

    for name, text in (("unknown_key", "epochs = 1\ncolour = 'red'\n"),
                       ("not_toml", "epochs = = 1\n[[\n"),
                       ("wrong_type", 'epochs = "ten"\n'),
                       ("wrong_list", "hidden = [1.5, 2]\n")):
        p[name] = tmp_path / f"{name}.toml"
        p[name].write_text(text)
    p["not_utf8"] = tmp_path / "latin1.toml"
    p["not_utf8"].write_bytes("name = 'caf\xe9'\n".encode("latin-1"))
    p["toml_dir"] = tmp_path / "folder.toml"
    p["toml_dir"].mkdir()

    p["not_a_run"] = tmp_path / "not-a-run"
    p["not_a_run"].mkdir()
    (p["not_a_run"] / "notes.txt").write_text("my notes")
    p["a_file"] = tmp_path / "a-file"
    p["a_file"].write_text("not a folder")
    p["empty_dir"] = tmp_path / "empty-dir"
    p["empty_dir"].mkdir()
    return p


D = ["--data", "digits", "--epochs", "1"]

# id -> (argv as a function of (inputs, earlier run folder), pattern the error line must match)
CASES = {
    "unknown model": (lambda p, r: ["autoencoder9"] + D, r"autoencoder9"),
    "unknown option": (lambda p, r: ["simple", "--foo"] + D, r"--foo"),
    "option value not an int": (lambda p, r: ["simple", "--data", "digits", "--epochs", "ten"], r"ten"),
    "epochs 0": (lambda p, r: ["simple", "--data", "digits", "--epochs", "0"], r"epochs\W+0\b"),
    "epochs -3": (lambda p, r: ["simple", "--data", "digits", "--epochs", "-3"], r"epochs\W+-3\b"),
    "batch size 0": (lambda p, r: ["simple", "--batch-size", "0"] + D, r"batch.size\W+0\b"),
    "test fraction 1": (lambda p, r: ["simple", "--test-fraction", "1"] + D, r"test.fraction\W+1"),
    "no model": (lambda p, r: D, r"simple"),
    "device tpu": (lambda p, r: ["simple", "--device", "tpu"] + D, r"tpu"),
    "unknown data": (lambda p, r: ["simple", "--data", "cifar10", "--epochs", "1"], r"cifar10"),
    "missing idx": (lambda p, r: ["simple", "--data", f"idx:{p['truncated_idx'].parent}/nope.idx",
                                  "--epochs", "1"], r"nope\.idx"),
    "truncated idx": (lambda p, r: ["simple", "--data", f"idx:{p['truncated_idx']}", "--epochs", "1"],
                      r"truncated\.idx.*(truncated|bytes)"),
    "not an idx": (lambda p, r: ["simple", "--data", f"idx:{p['bad_magic']}", "--epochs", "1"],
                   r"magic\.idx"),
    "random bytes .gz": (lambda p, r: ["simple", "--data", f"idx:{p['random_gz']}", "--epochs", "1"],
                         r"random\.idx\.gz"),
    "truncated gzip": (lambda p, r: ["simple", "--data", f"idx:{p['cut_gz']}", "--epochs", "1"],
                       r"cut\.idx\.gz"),
    "md5sums mismatch": (lambda p, r: ["simple", "--data", "mnist", "--data-dir", str(p["md5_dir"]),
                                       "--epochs", "1"], r"t10k-images-idx3-ubyte\.gz.*checksum"),
    "data dir lacks files": (lambda p, r: ["simple", "--data", "fashion-mnist", "--data-dir",
                                           str(p["empty_dir"]), "--epochs", "1"],
                             r"empty-dir.*train-images-idx3-ubyte"),
    "npy rank 1": (lambda p, r: ["simple", "--data", f"npy:{p['rank1']}", "--epochs", "1"],
                   r"rank1\.npy.*\(10,\)"),
    # 4-D is images with channels last: 5 channels are neither gray nor colour
    "npy rank 4": (lambda p, r: ["simple", "--data", f"npy:{p['rank4']}", "--epochs", "1"],
                   r"rank4\.npy.*C = 1 or 3.*\(10, 2, 3, 5\)"),
    "npy empty": (lambda p, r: ["simple", "--data", f"npy:{p['empty']}", "--epochs", "1"],
                  r"empty\.npy"),
    "npy nan": (lambda p, r: ["simple", "--data", f"npy:{p['nan']}", "--epochs", "1"],
                r"nan\.npy.*NaN"),
    "npy above 1": (lambda p, r: ["simple", "--data", f"npy:{p['above']}", "--epochs", "1"],
                    r"above\.npy.*\[0, 1\]"),
    "npy below 0": (lambda p, r: ["simple", "--data", f"npy:{p['negative']}", "--epochs", "1"],
                    r"negative\.npy.*-0\.\d"),
    "npy of strings": (lambda p, r: ["simple", "--data", f"npy:{p['strings']}", "--epochs", "1"],
                       r"strings\.npy"),
    "npy not npy": (lambda p, r: ["simple", "--data", f"npy:{p['not_npy']}", "--epochs", "1"],
                    r"text\.npy"),
    "npy zero bytes": (lambda p, r: ["simple", "--data", f"npy:{p['zero_npy']}", "--epochs", "1"],
                       r"zero\.npy: not a readable"),
    "npz named npy": (lambda p, r: ["simple", "--data", f"npy:{p['npz_as_npy']}", "--epochs", "1"],
                      r"archive\.npy: an \.npz archive"),
    "npy huge header": (lambda p, r: ["simple", "--data", f"npy:{p['huge_header']}", "--epochs", "1"],
                        r"huge\.npy: not a readable"),
    "idx dims overflow": (lambda p, r: ["simple", "--data", f"idx:{p['idx_overflow']}", "--epochs",
                                        "1"], r"overflow\.idx: truncated or padded"),
    "seed -1": (lambda p, r: ["simple", "--seed", "-1"] + D, r"--seed -1: expected a whole number"),
    "seed 2**40": (lambda p, r: ["simple", "--seed", str(2 ** 40)] + D, r"--seed \d+: expected"),
    "huge max depth": (lambda p, r: ["deep", "--grow-every", "1", "--max-depth", "10000000000"] + D,
                       r"--max-depth 10000000000: expected a positive integer up to 64"),
    "huge layer": (lambda p, r: ["deep", "--hidden", "100000000"] + D, r"--hidden 100000000"),
    "abbreviated option": (lambda p, r: ["simple", "--epoch", "2", "--data", "digits"],
                           r"unrecognized arguments: --epoch"),
    "infinite noise": (lambda p, r: ["simple", "--noise", "gaussian:inf"] + D, r"gaussian:inf"),
    "toml unknown key": (lambda p, r: ["simple", "--config", str(p["unknown_key"])] + D,
                         r"unknown_key\.toml.*colour"),
    "toml invalid": (lambda p, r: ["simple", "--config", str(p["not_toml"])] + D,
                     r"not_toml\.toml.*TOML"),
    "toml wrong type": (lambda p, r: ["simple", "--config", str(p["wrong_type"]), "--data", "digits"],
                        r"wrong_type\.toml.*epochs.*ten"),
    "toml wrong list": (lambda p, r: ["deep", "--config", str(p["wrong_list"])] + D,
                        r"wrong_list\.toml.*hidden.*1\.5"),
    "toml not utf-8": (lambda p, r: ["simple", "--config", str(p["not_utf8"])] + D,
                       r"latin1\.toml"),
    "toml is a folder": (lambda p, r: ["simple", "--config", str(p["toml_dir"])] + D,
                         r"folder\.toml"),
    "toml missing": (lambda p, r: ["simple", "--config", str(p["toml_dir"] / "x.toml")] + D,
                     r"x\.toml"),
    "out is an existing run": (lambda p, r: ["simple", "--out", str(r)] + D,
                               re.escape("first") + r".*not empty"),
    "out is a file": (lambda p, r: ["simple", "--out", str(p["a_file"])] + D, r"a-file"),
    "out under a file": (lambda p, r: ["simple", "--out", str(p["a_file"] / "run")] + D,
                         r"a-file/run"),
    "resume not a run": (lambda p, r: ["--resume", str(p["not_a_run"])], r"not-a-run"),
    "resume missing folder": (lambda p, r: ["--resume", str(p["not_a_run"] / "gone")], r"gone"),
    "resume with --lr": (lambda p, r: ["--resume", str(r), "--lr", "0.1"], r"--lr"),
    "resume with a model": (lambda p, r: ["deep", "--resume", str(r)], r"model"),
    "hidden for simple": (lambda p, r: ["simple", "--hidden", "32,16"] + D, r"--hidden.*simple"),
    "grow conv": (lambda p, r: ["conv", "--grow-every", "2"] + D, r"grow-every.*conv"),
    "noise foo": (lambda p, r: ["simple", "--noise", "foo:1"] + D, r"foo:1"),
    "augment foo": (lambda p, r: ["deep", "--augment", "rotate:5"] + D,
                    r"--augment 'rotate:5': expected shift:P"),
    "augment elastic sigma 1e-200": (lambda p, r: ["simple", "--augment", "elastic:1:1e-200"] + D,
                                     r"--augment 'elastic:1:1e-200': expected .*SIGMA from 0\.1"),
    "augment sequences": (lambda p, r: ["gru", "--data", "sine", "--augment", "shift:1"],
                          r"--augment shift:1: --data sine holds sequences"),
    "weight decay -1": (lambda p, r: ["deep", "--weight-decay", "-1"] + D,
                        r"--weight-decay -1.0: expected a number >= 0"),
    # the cause, not "loss became nan ... try a smaller --lr" after the first epoch
    "weight decay 1e6": (lambda p, r: ["deep", "--weight-decay", "1e6"] + D,
                         r"--weight-decay 1000000.0: expected a share of each weight from 0 to 1"),
    "adadelta lr": (lambda p, r: ["simple", "--optimizer", "adadelta", "--lr", "0.5"] + D,
                    r"0\.5.*adadelta|adadelta.*0\.5"),
    "bad choice": (lambda p, r: ["simple", "--loss", "hinge"] + D, r"hinge"),
    # every size a model declares is checked, whatever the model
    "code_dim 0": (lambda p, r: ["simple", "--code-dim", "0"] + D, r"--code-dim 0: expected a pos"),
    "depth 0": (lambda p, r: ["deep", "--grow-every", "2", "--depth", "0"] + D, r"--depth 0: exp"),
    "hidden 0": (lambda p, r: ["conv", "--hidden", "8,0"] + D, r"--hidden 8,0: expected up to 64 sizes"),
    "linear code grows past it": (lambda p, r: ["deep", "--grow-every", "2", "--linear-code",
                                                 "--max-depth", "4"] + D,
                                  r"--grow-every 2: a linear code .*growth must end there "
                                  r"\(--max-depth 3\)"),
    "warm-up longer than growth": (lambda p, r: ["deep", "--grow-every", "2", "--grow-warmup",
                                                 "3"] + D, r"--grow-warmup 3 is longer than"),
    # each option's own range before the rules between options: blamed on --grow-every
    "negative growth": (lambda p, r: ["deep", "--grow-every", "-1"] + D,
                        r"^aezoo run: error: --grow-every -1: expected a whole number >= 0$"),
    "negative fade-in": (lambda p, r: ["deep", "--grow-every", "-1", "--fade-in", "-2"] + D,
                         r"--grow-every -1: expected"),
    "fade-in longer than growth": (lambda p, r: ["deep", "--grow-every", "2", "--fade-in", "3"] + D,
                                   r"--fade-in 3 is longer than --grow-every 2"),
    "negative kl warm-up": (lambda p, r: ["vae", "--kl-warmup", "-1"] + D,
                            r"--kl-warmup -1: expected a whole number >= 0"),
    "warm-up without growth": (lambda p, r: ["deep", "--grow-warmup", "1"] + D,
                               r"--grow-warmup only applies with --grow-every"),
    "warm-up adadelta": (lambda p, r: ["deep", "--grow-every", "2", "--grow-warmup", "1",
                                       "--optimizer", "adadelta"] + D,
                         r"--grow-warmup 1: adadelta has no learning rate"),
    # the cause, said first: not a run that "diverged" (try a smaller --lr) a minute later
    "beta above 1e6": (lambda p, r: ["vae", "--beta", "1e39"] + D,
                          r"--beta 1e\+39: expected a number from 0 to 1e\+06"),
    "sparsity above 1e6": (lambda p, r: ["simple", "--sparsity", "1e39"] + D,
                              r"--sparsity 1e\+39: expected a number from 0 to 1e\+06"),
    "seq-len of digits-rows": (lambda p, r: ["gru", "--data", "digits-rows", "--seq-len", "5"],
                               r"--seq-len 5: only --data sine is cut into windows; --data "
                               r"digits-rows has its own length"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_exit_2_and_touches_nothing(case, guarded, tmp_path, capsys):
    argv_of, pattern = CASES[case]
    inputs = make_inputs(tmp_path)
    inputs_before = tree_state(tmp_path)
    assert main(argv_of(inputs, guarded)) == 2
    captured = capsys.readouterr()
    line = error_line(captured.err)
    assert re.search(pattern, line), f"{line!r} does not name the bad value ({pattern})"
    assert captured.out == ""
    assert tree_state(tmp_path) == inputs_before  # bad inputs (and not-a-run folders) untouched


@pytest.mark.skipif(chainer.backends.cuda.available, reason="CuPy is usable here")
def test_gpu_without_cupy_says_so(guarded, capsys):
    assert main(["simple", "--device", "3"] + D) == 2
    line = error_line(capsys.readouterr().err)
    assert "--device 3" in line and "CuPy" in line and "--device cpu" in line


def test_distributed_on_a_gpu_without_nccl_is_one_line(guarded, monkeypatch, capsys):
    """A GPU that passes --device's checks, but no NCCL: ChainerMN's only GPU communicator
    refuses to start. One line that names NCCL, not ChainerMN's traceback."""
    nccl = pytest.importorskip("chainermn.nccl", reason="needs pip install 'aezoo[mpi]'")
    from aezoo.gpu import cupy_compat
    monkeypatch.setattr(cupy_compat, "problem", lambda device_id=0: None)  # as if GPU 0 worked
    monkeypatch.setattr(nccl, "_available", False)
    assert main(["simple", "--device", "0", "--distributed"] + D) == 2
    line = error_line(capsys.readouterr().err)
    assert line.startswith("aezoo run: error: --distributed --device 0: ChainerMN cannot start: "
                           "PureNcclCommunicator requires NCCL")
    assert "--library nccl" in line and "--device cpu" in line


def test_cli_subprocess_bad_option(tmp_path, closed_port_url):
    work = tmp_path / "work"
    work.mkdir()
    # hermetic: an empty cache, and any HTTP(S) request goes to a closed local port
    env = dict(os.environ, AEZOO_CACHE=str(tmp_path / "cache"), http_proxy=closed_port_url,
               https_proxy=closed_port_url, HTTP_PROXY=closed_port_url, HTTPS_PROXY=closed_port_url,
               no_proxy="", NO_PROXY="")
    result = subprocess.run([sys.executable, "-m", "aezoo.run", "simple", "--epochs", "0"],
                            cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = error_line(result.stderr)
    assert re.search(r"epochs\W+0\b", line), line
    assert list(work.iterdir()) == []  # no outputs/ folder
    assert not (tmp_path / "cache").exists()  # a bad option is reported before any data work


def test_bad_option_is_reported_before_the_data_is_fetched(monkeypatch, isolated_cache,
                                                          closed_port_url, tmp_path, capsys):
    from aezoo import data
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(data.IDX_SETS, "mnist", ([closed_port_url], {
        "train": ("train-images-idx3-ubyte.gz", "0" * 32),
        "test": ("t10k-images-idx3-ubyte.gz", "0" * 32)}))
    for argv, pattern in ((["simple", "--epochs", "0"], r"epochs\W+0\b"),
                          (["simple", "--hidden", "8"], r"--hidden"),
                          (["conv", "--grow-every", "2"], r"grow-every")):
        assert main(argv + ["--data", "mnist"]) == 2
        line = error_line(capsys.readouterr().err)
        assert re.search(pattern, line), line
    assert not isolated_cache.exists()
    assert list(tmp_path.iterdir()) == []  # no cache, no outputs/


def test_a_model_that_needs_unit_range_refuses_other_data_in_one_line(tmp_path, capsys):
    np.save(tmp_path / "v.npy", np.linspace(-2, 3, 40 * 6, dtype=np.float32).reshape(40, 6))
    out = tmp_path / "run"
    assert main(["simple", "--data", f"npy:{tmp_path / 'v.npy'}", "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "values span [-2, 3]" in line and "needs data in [0, 1]" in line
    assert not out.exists()


def test_a_model_too_large_for_memory_is_one_line(tmp_path, capsys):
    assert main(["conv", "--hidden", "65536,65536", *TINY, "--out", str(tmp_path / "run")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "does not fit in memory" in line and not (tmp_path / "run").exists()


@pytest.mark.parametrize("code, status", [(errno.EACCES, 2), (errno.ENOTDIR, 2), (errno.ENOSPC, 1),
                                          (errno.EIO, 1)])
def test_an_os_error_is_one_line_with_the_status_of_its_cause(capsys, code, status):
    from aezoo.commands import parser as cli

    def body(argv):
        raise OSError(code, os.strerror(code), "/some/file")
    assert cli.guarded("aezoo.x", body, []) == status
    assert capsys.readouterr().err == f"aezoo.x: error: cannot write or read /some/file: " \
                                      f"{os.strerror(code)}\n"
