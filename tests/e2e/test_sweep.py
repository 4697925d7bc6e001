"""aezoo sweep: runs of a TOML file in one folder, compared; restart skips and resumes; bad files."""
import csv
import shutil

import numpy as np
import pytest

from aezoo.commands import sweep
from aezoo.sweeps.file import read
from aezoo.sweeps.steps import plan_steps
from aezoo.models import NAMES, model_class
from aezoo.models.deep import DeepAE
from aezoo.runs import metrics, rundir
from aezoo.runs import checkpoints
from aezoo.train.growth import Schedule
from aezoo.train.loop import Trainer
from conftest import REPO_ROOT, tree_state

TINY = """
[defaults]
data = "digits"
epochs = 2
batch_size = 128

[runs.simple]
model = "simple"

[runs.deep]
model = "deep"
epochs = 3
"""


def write(tmp_path, text, name="tiny.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def finished_epoch(folder):
    return checkpoints.read_meta(folder)["epoch"]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished sweep of TINY (its folder, its file)."""
    root = tmp_path_factory.mktemp("sweep")
    path = write(root, TINY)
    assert sweep.main([str(path), "--out", str(root / "out")]) == 0
    return root / "out", path


def test_every_run_trains_into_the_sweep_folder_and_is_compared(finished):
    out, _ = finished
    assert finished_epoch(out / "simple") == 2 and finished_epoch(out / "deep") == 3
    deep = rundir.read_config(out / "deep")["config"]
    assert (deep["model"], deep["data"], deep["batch_size"], deep["video"]) == ("deep", "digits", 128, False)
    assert not list(out.glob("*/progress.*"))  # no per-run video inside a sweep by default
    with open(out / "scores.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["run"] for r in rows] == ["simple", "deep", "pca-32"]
    assert [int(r["epochs"]) for r in rows[:2]] == [2, 3]
    for name in ("scores.md", "compare.png", "compare.gif", "compare.mp4", "sweep.toml"):
        assert (out / name).stat().st_size > 0, name


def test_restart_skips_finished_runs_and_resumes_the_interrupted_one(tmp_path, monkeypatch, capsys):
    path, out = write(tmp_path, TINY), tmp_path / "out"
    real = Trainer.train_epoch

    def interrupted(self):  # Ctrl-C in the deep run's third epoch
        if self.epoch == 3 and type(self.model).__name__ == "DeepAE":
            raise KeyboardInterrupt
        return real(self)

    monkeypatch.setattr(Trainer, "train_epoch", interrupted)
    assert sweep.main([str(path), "--out", str(out)]) == 130
    assert "interrupted in run deep; repeat the command to continue" in capsys.readouterr().err
    assert finished_epoch(out / "simple") == 2 and finished_epoch(out / "deep") == 2
    assert not (out / "scores.csv").exists()  # nothing compared yet
    simple_before = tree_state(out / "simple")
    deep_epochs_before, _ = metrics.read(out / "deep")

    monkeypatch.setattr(Trainer, "train_epoch", real)
    assert sweep.main([str(path), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "[1/2] simple: skip (finished, 2 epochs)" in err
    assert "[2/2] deep: resume from epoch 2" in err
    assert tree_state(out / "simple") == simple_before  # not a byte or a timestamp changed
    deep_epochs, _ = metrics.read(out / "deep")
    assert [r["epoch"] for r in deep_epochs] == [0, 1, 2, 3]  # continued, not restarted
    assert deep_epochs[:3] == deep_epochs_before
    assert (out / "scores.csv").exists()


BAD = [
    ("[defaults]\ndata = \"digits\"\n[runs.a]\nmodle = \"simple\"\n", "[runs.a]: unknown option 'modle'"),
    ("[defaults]\ndata = \"digits\"\n[runs.a]\nepochs = 2\n", "[runs.a]: no model"),
    ("[runs.a\nmodel = \"simple\"\n", "is not valid TOML"),
    ("[defaults]\nepochs = \"ten\"\n[runs.a]\nmodel = \"simple\"\n", "epochs = 'ten' is not a valid int"),
    ("[default]\nepochs = 2\n[runs.a]\nmodel = \"simple\"\n", "unknown top-level key 'default'"),
    ("[defaults]\ndata = \"digits\"\n", "no runs"),
    ("[runs.a]\nmodel = \"simple\"\nout = \"x\"\n", "out is set by the sweep"),
    ("[runs.a]\nmodel = \"simple\"\ndata = \"digits\"\nhidden = [4]\n", "--hidden does not apply to model simple"),
    ("[runs.a]\nmodel = \"simple\"\ndata = \"digits\"\n[runs.b]\nmodel = \"deep\"\ndata = \"mnist\"\n"
     "data_dir = \"/nonexistent\"\n", "[runs.b]: --data-dir /nonexistent"),
    # The finished run "deep" asked to be something else: refused, not silently mixed.
    (TINY.replace("epochs = 3", "epochs = 3\nlr = 0.01"), "was trained with lr = None, the file now says 0.01"),
    ("[runs.\"scores.csv\"]\nmodel = \"simple\"\n", "scores.csv is a file the sweep writes"),
    ("[runs.a]\nmodel = \"simple\"\nfps = 0.001\n", "--fps 0.001: expected a number from 0.1 to 120"),
    # A NUL in a path: once a bare ValueError (embedded null byte) with exit status 1.
    ("[runs.a]\nmodel = \"simple\"\ndata = \"idx:a\\u0000b\"\n", "data = 'idx:a\\x00b' contains a NUL"),
]


@pytest.mark.parametrize("text, message", BAD, ids=[m for _, m in BAD])
def test_a_bad_sweep_file_is_one_line_and_touches_no_run(finished, tmp_path, capsys, text, message):
    out = shutil.copytree(finished[0], tmp_path / "out")
    before = tree_state(out)
    path = write(tmp_path, text, "bad.toml")
    assert sweep.main([str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("aezoo sweep: error: ") and message in err, err
    assert tree_state(out) == before


def test_a_sweep_can_be_repeated_from_its_own_copy_of_the_file(finished, tmp_path, capsys):
    out = shutil.copytree(finished[0], tmp_path / "out")
    before = (out / "sweep.toml").read_text()
    assert sweep.main([str(out / "sweep.toml"), "--out", str(out)]) == 0
    assert "skip (finished" in capsys.readouterr().err
    assert (out / "sweep.toml").read_text() == before


def test_a_finished_sweep_run_again_reuses_its_comparison_and_report(finished, tmp_path, capsys):
    from aezoo.results import compared as compared_json, manifest, report
    out = shutil.copytree(finished[0], tmp_path / "out")
    argv = [str(out / "sweep.toml"), "--out", str(out)]
    assert sweep.main(argv) == 0  # the runs moved: compared anew, from the copies
    runs = [str(out / "simple"), str(out / "deep")]
    listed, made_from = compared_json.read(out)
    assert listed == runs
    assert made_from == manifest.of_runs(runs, {"fps": 4.0, "dpi": 100.0,
                                                "formats": ["gif", "mp4"]})
    assert report.made_from(out / "report.html") == report.inputs([str(out)], str(out))
    before = tree_state(out)
    capsys.readouterr()
    assert sweep.main(argv) == 0
    err = capsys.readouterr().err
    assert "no run changed since the comparison" in err and "reused it" in err
    assert "kept it" in err and "frames" not in err
    assert err.index("reused it") < err.index("kept it")  # the comparison, then its page
    assert tree_state(out) == before  # the digest matched: nothing was drawn again


def test_data_a_model_cannot_take_is_refused_before_anything_is_written(tmp_path, capsys):
    np.save(tmp_path / "wide.npy", np.linspace(-1, 2, 30 * 16, dtype=np.float32).reshape(30, 16))
    path = write(tmp_path, f"[runs.a]\nmodel = \"simple\"\ndata = \"npy:{tmp_path / 'wide.npy'}\"\n",
                 "range.toml")
    assert sweep.main([str(path), "--out", str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "[runs.a]" in line and "values span [-1, 2]" in line and "needs data in [0, 1]" in line
    assert not (tmp_path / "out").exists()


def test_a_missing_sweep_file_is_one_line(tmp_path, capsys):
    assert sweep.main([str(tmp_path / "nope.toml"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == f"aezoo sweep: error: config file {tmp_path / 'nope.toml'} does not exist\n"
    assert not (tmp_path / "out").exists()


EXPERIMENTS = REPO_ROOT / "experiments"


@pytest.mark.parametrize("name", ["quick", "growth", "keras_blog", "reproduce", "growth_mnist",
                                  "cells", "moonshot"])
def test_shipped_sweep_files_are_valid(name):
    assert read(EXPERIMENTS / f"{name}.toml")


def plan(name, tmp_path):
    steps = plan_steps(read(EXPERIMENTS / f"{name}.toml"), str(tmp_path), name)
    return {step.name: step.cfg for step in steps}


def test_quick_covers_every_image_model_on_digits_and_sequences_every_sequence_model(tmp_path):
    configs = plan("quick", tmp_path)
    sequence_models = {n for n in NAMES if model_class(n).masks_padding}
    assert sequence_models and set(NAMES) - sequence_models <= {c.model for c in configs.values()}
    assert {cfg.data for cfg in configs.values()} == {"digits"}
    assert sequence_models <= {c.model for c in plan("cells", tmp_path).values()}
    assert "gru" in {c.model for c in plan("sequences", tmp_path).values()}


def test_growth_compares_ways_of_growing_one_architecture_on_one_budget(tmp_path):
    configs = plan("growth", tmp_path)
    assert {cfg.data for cfg in configs.values()} == {"digits"}
    assert {cfg.epochs for cfg in configs.values()} == {40}
    assert {tuple(DeepAE.growth_plan(vars(cfg))) for cfg in configs.values()} == {(128, 64, 32)}
    grown = {name: cfg for name, cfg in configs.items() if cfg.grow_every}
    assert set(configs) - set(grown) == {"no-growth"} and configs["no-growth"].depth == 3
    for cfg in grown.values():  # depth 1 to 3, reached at epoch 9
        schedule = Schedule.from_config(cfg)
        assert (cfg.depth, schedule.depth_at(8), schedule.depth_at(9)) == (1, 2, 3)
    assert {(c.grow_init, c.fade_in, c.freeze_old) for c in grown.values()} == {
        ("random", 0, 0), ("identity", 0, 0), ("random", 2, 0), ("random", 0, 2)}


def test_reproduce_is_the_published_setup():
    runs = read(EXPERIMENTS / "reproduce.toml")
    for name, options in runs.items():
        assert options["data"] == "idx:../shared/data/mnist/t10k-images-idx3-ubyte.gz"
        batch = 100 if options["model"] == "vae" else 256  # the VAE references' batch
        assert (options["optimizer"], options["lr"], options["batch_size"], options["loss"],
                options["test_fraction"]) == ("adam", 1e-3, batch, "bce", 0.2)
    shape = {name: (o["model"], o.get("hidden"), o.get("code_dim"), o.get("linear_code"),
                    o.get("noise"), o["epochs"]) for name, o in runs.items()}
    assert shape == {
        "simple": ("simple", None, 32, None, None, 50),
        "deep": ("deep", [128, 64], 32, None, None, 100),
        "deep-hinton": ("deep", [1000, 500, 250], 30, True, None, 100),
        "conv": ("conv", [16, 8, 8], None, None, None, 50),
        "conv-noise": ("conv", [16, 8, 8], None, None, "gaussian:0.5", 50),
        "vae": ("vae", [500], 20, None, None, 100),       # Chainer's examples/vae
        "vae-keras": ("vae", [256], 2, None, None, 50),   # the Keras blog's
    }


def test_runs_on_several_data_sets_are_compared_data_set_by_data_set(tmp_path):
    path = write(tmp_path, """
[defaults]
epochs = 1
batch_size = 256
video = false

[runs.deep]
model = "deep"
data = "digits"

[runs.gru-rows]
model = "gru"
data = "digits-rows"
hidden = [4]

[runs.gru-sine]
model = "gru"
data = "sine"
seq_len = 6
hidden = [4]
""")
    out = tmp_path / "out"
    assert sweep.main([str(path), "--out", str(out)]) == 0
    for data, runs in [("digits", ["deep"]), ("digits-rows", ["gru-rows"]), ("sine", ["gru-sine"])]:
        table = (out / f"compare-{data}" / "scores.md").read_text()
        names = [line.split("|")[1].strip() for line in table.splitlines()
                 if line.startswith("| ") and not line.startswith("| run")]
        assert [n for n in names if not n.startswith("pca-")] == runs
    assert not (out / "scores.md").exists()
    from aezoo.results import report
    folders = [str(out / f"compare-{data}") for data in ("digits", "digits-rows", "sine")]
    assert report.made_from(out / "report.html") == report.inputs(folders, str(out))
    def drawn():  # the sweep keeps its own copy of the file up to date: not a drawing
        return {k: v for k, v in tree_state(out).items() if k not in (".", "sweep.toml")}
    before = drawn()
    assert sweep.main([str(path), "--out", str(out)]) == 0  # nothing changed: all kept
    assert drawn() == before


def test_a_run_may_not_take_a_comparison_folder_name(tmp_path, capsys):
    path = write(tmp_path, TINY.replace("[runs.deep]", "[runs.compare-x]"))
    assert sweep.main([str(path), "--out", str(tmp_path / "out")]) == 2
    assert "compare-x" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_growth_mnist_compares_every_grown_shape_with_it_from_scratch_on_two_seeds():
    runs = read(EXPERIMENTS / "growth_mnist.toml")
    for name, options in runs.items():  # reproduce.toml's shared split and settings
        assert (options["data"], options["test_fraction"], options["optimizer"], options["lr"],
                options["batch_size"], options["loss"], options["epochs"]) == (
            "idx:../shared/data/mnist/t10k-images-idx3-ubyte.gz", 0.2, "adam", 1e-3, 256, "bce", 100)

    def shape(o):  # the final network: widths and code activation
        return tuple(o["hidden"]) + (o["code_dim"],), bool(o.get("linear_code"))
    scratch = {name: o for name, o in runs.items() if not o.get("grow_every")}
    grown = {name: o for name, o in runs.items() if o.get("grow_every")}
    for name, o in grown.items():
        assert shape(o) in {shape(s) for s in scratch.values()}, f"{name}: no from-scratch twin"
        assert o.get("max_depth") is None  # growth ends at the from-scratch shape
    seeds = lambda keep: {o.get("seed", 0) for o in runs.values() if keep(o)}
    best = {k: v for k, v in runs["w5"].items() if k != "seed"}
    assert seeds(lambda o: {k: v for k, v in o.items() if k != "seed"} == best) == {0, 1}
    assert seeds(lambda o: not o.get("grow_every") and shape(o) == shape(best)) == {0, 1}
    assert {(o.get("grow_init", "random"), o.get("fade_in", 0), o.get("freeze_old", 0))
            for o in grown.values() if o["grow_every"] == 25} >= {
        ("random", 0, 0), ("identity", 0, 0), ("random", 5, 0), ("random", 0, 5)}
