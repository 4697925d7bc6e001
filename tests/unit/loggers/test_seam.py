"""The seam: a logger in LOGGERS is told the run's start, every epoch, growth and the end however
it ends, with nothing else to edit; the options it declares join Config and resume, and the
bench clocks it by the cost it declares."""
import sys

import pytest

from aezoo import loggers
from aezoo.commands import run
from aezoo.config import OPTIONS, RESUMABLE
from aezoo.loggers.contract import Logger
from aezoo.runs import metrics, rundir
from conftest import TINY, ctrl_c_in_epoch, tree_state


class Heard(Logger):
    """Writes down what it is told."""
    cost = "heard"
    told = []

    def start(self, run):
        self.told.append(("start", run.epoch, run.cfg.model, run.layers))

    def epoch(self, epoch):
        self.told.append(("epoch", epoch.number, epoch.metrics["test_loss"],
                          sorted(epoch.arrays)[:2], epoch.best, epoch.layers))

    def growth(self, record):
        self.told.append(("growth", record["event"], record["epoch"]))

    def end(self, how):
        self.told.append(("end", how))


@pytest.fixture
def heard(monkeypatch):
    monkeypatch.setitem(loggers.LOGGERS, "heard", Heard)
    monkeypatch.setattr(Heard, "told", [])
    return Heard.told


def test_a_logger_in_the_registry_is_told_everything(tmp_path, heard):
    folder = tmp_path / "run"
    assert run.main(["deep", *TINY, "--grow-every", "1", "--epochs", "2", "--quiet",
                     "--out", str(folder)]) == 0
    lines, architecture = metrics.read(folder)[0], rundir.read_architecture(folder)
    assert heard[0] == ("start", 0, "deep", architecture[0]["layers"])
    epochs = [t for t in heard if t[0] == "epoch"]
    assert [(t[1], t[2]) for t in epochs] == [(r["epoch"], r["test_loss"]) for r in lines]
    assert all(t[3] == ["codes", "epoch"] for t in epochs)  # the snapshot's arrays
    assert [t[5] for t in epochs] == [None, None, architecture[1]["layers"]]  # after growth
    assert ("growth", "growth", 2) in heard
    assert heard.index(("growth", "growth", 2)) < heard.index(epochs[2])
    assert heard[-1] == ("end", "finished")


def test_an_interrupted_run_ends_its_loggers_and_the_resume_starts_them_again(
        tmp_path, heard, monkeypatch):
    folder = tmp_path / "run"
    restore = ctrl_c_in_epoch(monkeypatch, 2)
    assert run.main(["simple", *TINY, "--epochs", "3", "--quiet", "--out", str(folder)]) == 130
    assert heard[-1] == ("end", "interrupted")
    restore()
    heard.clear()
    assert run.main(["--resume", str(folder), "--quiet"]) == 0
    assert heard[0][:3] == ("start", 1, "simple")
    assert [t[1] for t in heard if t[0] == "epoch"] == [2, 3]
    assert heard[-1] == ("end", "finished")


def test_a_logger_that_fails_at_the_end_lets_the_others_end_first(tmp_path, heard, monkeypatch,
                                                                  capsys):
    class Broken(Logger):
        def end(self, how):
            raise OSError(28, "No space left on device")
    monkeypatch.setattr(loggers, "LOGGERS", {"broken": Broken, **loggers.LOGGERS})  # first
    assert run.main(["simple", *TINY, "--epochs", "1", "--quiet", "--out",
                     str(tmp_path / "run")]) != 0
    assert heard[-1] == ("end", "finished")  # told after the broken one failed
    assert "No space left on device" in capsys.readouterr().err


def test_the_loggers_options_join_config_and_may_change_on_resume():
    for cls in loggers.LOGGERS.values():
        for name in cls.options:
            assert name in OPTIONS and OPTIONS[name].metadata["logger"]
            assert (name in RESUMABLE) == cls.resumable
    assert {"tensorboard", "mlflow"} <= set(RESUMABLE)


def test_the_bench_clocks_each_logger_by_its_declared_cost(tmp_path, heard):
    from aezoo.speed.clock import clock_parts
    from aezoo.train.build import configured
    from aezoo.train.plan import plan
    from aezoo.train.start import prepare
    cfg, given = configured("simple", ({"data": "digits", "epochs": 1, "video": False,
                                        "quiet": True, "out": str(tmp_path / "run")}, "test"))
    trainer = prepare(plan(cfg, given)).trainer
    spent = clock_parts(trainer)
    trainer.run(1)
    assert spent["heard"] > 0 and spent["loss.png"] > 0 and spent["files"] > 0
    assert [t[0] for t in heard].count("epoch") == 2


def test_the_loggers_page_says_what_each_logger_declares():
    from pathlib import Path
    from aezoo.config import flag
    page = (Path(__file__).resolve().parents[3] / "docs" / "loggers.md").read_text()
    rows = {line.split("|")[1].strip(" `"): line for line in page.splitlines()
            if line.startswith("| `")}
    for name, cls in loggers.LOGGERS.items():
        assert cls.on_resume in rows[name] and f"| `{cls.cost}` |" in rows[name], name
        assert all(f"`{flag(option)}`" in rows[name] for option in cls.options), name


@pytest.mark.parametrize("option, module", [("tensorboard", "tensorboardX"), ("mlflow", "mlflow")])
def test_without_its_extra_a_logger_is_one_line_and_nothing_is_written(
        option, module, tmp_path, monkeypatch, capsys):
    done = tmp_path / "done"
    assert run.main(["simple", *TINY, "--quiet", "--epochs", "1", "--out", str(done)]) == 0
    before = tree_state(done)
    monkeypatch.setitem(sys.modules, module, None)  # import fails, as without the extra
    capsys.readouterr()
    new = tmp_path / "new"
    assert run.main(["simple", *TINY, f"--{option}", "--out", str(new)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"aezoo run: error: --{option} needs the extra aezoo[{option}]")
    assert err.endswith(f"pip install 'aezoo[{option}]'\n") and err.count("\n") == 1
    assert not new.exists() and not list(tmp_path.glob("mlflow.db*"))
    assert run.main(["--resume", str(done), "--epochs", "2", f"--{option}"]) == 2
    assert f"--{option} needs the extra" in capsys.readouterr().err
    assert tree_state(done) == before


def test_the_sweeps_flags_set_the_loggers_options_of_every_run_over_its_file(tmp_path):
    from aezoo.commands import sweep
    from aezoo.sweeps.runner import plan_sweep
    path = tmp_path / "s.toml"
    path.write_text('[defaults]\nmodel = "simple"\ndata = "digits"\nepochs = 1\n'
                    'tensorboard = true\n[grid]\ncode_dim = [4, 8]\n')
    args = sweep.parser().parse_args([str(path), "--mlflow", "--no-tensorboard"])
    assert (args.mlflow, args.tensorboard) == (True, False)
    planned = plan_sweep(str(path), str(tmp_path / "out"), {"mlflow": True, "tensorboard": False})
    assert [(s.cfg.mlflow, s.cfg.tensorboard) for s in planned.steps] == [(True, False)] * 2
    assert [s.cfg.tensorboard for s in plan_sweep(str(path), str(tmp_path / "out")).steps] == \
        [True, True]  # without the flags, the file's
    assert not (tmp_path / "out").exists()
