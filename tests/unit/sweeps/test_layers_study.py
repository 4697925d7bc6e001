"""The study of docs/what-wins.md: experiments/layers.toml (a grid of the layer knobs on digits)
and experiments/layers_mnist.toml (a search of the same knobs, plus widths and the learning rate,
on the shared MNIST split) are read and planned the way `aezoo sweep` reads and plans them,
without training."""
import itertools

import pytest
from conftest import REPO_ROOT

from aezoo.config import read_toml
from aezoo.sweeps.runner import plan_sweep
from aezoo.train.build import configured

optuna = pytest.importorskip("optuna")

EXPERIMENTS = REPO_ROOT / "experiments"
KNOBS = ("activation", "init", "batch_norm", "dropout", "hidden")  # hidden: the depth
SHARED_SPLIT = {"data": "idx:../shared/data/mnist/t10k-images-idx3-ubyte.gz", "test_fraction": 0.2}


def test_the_grid_crosses_every_knob_on_digits(tmp_path):
    grid = read_toml(EXPERIMENTS / "layers.toml")["grid"]
    assert set(grid) == set(KNOBS) and all(len(values) >= 2 for values in grid.values())
    assert len({len(h) for h in grid["hidden"]}) == len(grid["hidden"])  # depths, not widths
    planned = plan_sweep(str(EXPERIMENTS / "layers.toml"), out=str(tmp_path / "out"))
    assert planned.search is None and len(planned.steps) >= 48
    assert not (tmp_path / "out").exists()  # planned, nothing written
    configs = [step.cfg for step in planned.steps]
    assert {(c.model, c.data, c.epochs, c.code_dim)
            for c in configs} == {("deep", "digits", 30, 32)}
    crossed = {tuple(tuple(v) if isinstance(v, list) else v for v in (getattr(c, k) for k in KNOBS))
               for c in configs}
    assert crossed == set(itertools.product(*(
        [tuple(v) if isinstance(v, list) else v for v in grid[k]] for k in KNOBS)))


def test_the_search_covers_the_grid_and_more_on_the_shared_split(tmp_path):
    planned = plan_sweep(str(EXPERIMENTS / "layers_mnist.toml"), out=str(tmp_path / "out"))
    found, grid = planned.search, read_toml(EXPERIMENTS / "layers.toml")["grid"]
    assert found is not None and not planned.steps and not (tmp_path / "out").exists()
    assert found.defaults.items() >= {**SHARED_SPLIT, "model": "deep"}.items()
    ranges = {r.name: r for r in found.space.common}
    assert set(ranges) == set(KNOBS) | {"lr"} and not found.space.only
    for knob in ("activation", "init", "batch_norm", "dropout"):  # the grid's values, and more
        assert set(grid[knob]) <= set(ranges[knob].choices), knob
    widths = {tuple(int(w) for w in choice.split(",")) for choice in ranges["hidden"].choices}
    assert {len(w) for w in widths} >= {len(h) for h in grid["hidden"]}  # the grid's depths
    assert len(widths) > len({len(w) for w in widths})                    # and other widths
    assert ranges["lr"].log and ranges["lr"].low < 1e-3 < ranges["lr"].high  # Adam's default inside
    # Trials drawn as the sweep draws them are runs of the deep model that check out.
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        values = found.space.suggest(study.ask(), found.defaults["model"])
        cfg, _ = configured("deep", ({**found.defaults, **values}, "trial"))
        assert (cfg.activation, cfg.init, cfg.lr) == (values["activation"], values["init"],
                                                      values["lr"])
        assert cfg.hidden == [int(w) for w in values["hidden"].split(",")]


def test_the_check_runs_todays_defaults_and_the_winners_twice_on_the_shared_split(tmp_path):
    planned = plan_sweep(str(EXPERIMENTS / "layers_check.toml"), out=str(tmp_path / "out"))
    configs = {step.name: step.cfg for step in planned.steps}
    names = {name.rsplit("-seed=", 1)[0] for name in configs}
    assert {"simple", "deep"} < names and len(configs) == 2 * len(names)
    runs = read_toml(EXPERIMENTS / "layers_check.toml")["runs"]
    for name, cfg in configs.items():
        run, seed = name.rsplit("-seed=", 1)
        assert cfg.seed == int(seed) and (cfg.data, cfg.test_fraction) == tuple(
            SHARED_SPLIT.values())
        # Today's default of the model but for what the run names: the same budget for all.
        default, _ = configured(cfg.model, ({**SHARED_SPLIT, **runs[run], "seed": cfg.seed},
                                            "check"))
        differ = {k for k in vars(cfg) if getattr(cfg, k) != getattr(default, k)}
        assert differ <= {"out", "name", "video"}, name  # the sweep's folder; no video
        assert (cfg.epochs, cfg.batch_size) == (20, 128)
