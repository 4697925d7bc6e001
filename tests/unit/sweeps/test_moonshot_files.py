"""The moonshot of docs/growth-mnist.md: experiments/moonshot_search.toml (the search) and
experiments/moonshot.toml (its best values, seeds 0 and 1) are read and planned the way
`aezoo sweep` reads and plans them, without training."""
import pytest
from conftest import REPO_ROOT

from aezoo.sweeps.pruning import first_judged
from aezoo.sweeps.runner import plan_sweep
from aezoo.train.build import configured

optuna = pytest.importorskip("optuna")

EXPERIMENTS = REPO_ROOT / "experiments"
NETWORK = {"model": "deep", "hidden": [1000, 500, 250], "code_dim": 30, "epochs": 100,
           "data": "idx:../shared/data/mnist/t10k-images-idx3-ubyte.gz", "test_fraction": 0.2}


def test_the_search_keeps_the_network_and_ranges_over_the_issues_levers(tmp_path):
    planned = plan_sweep(str(EXPERIMENTS / "moonshot_search.toml"), out=str(tmp_path / "out"))
    found = planned.search
    assert found is not None and not (tmp_path / "out").exists()
    assert found.defaults.items() >= NETWORK.items()
    ranges = {r.name: r for r in found.space.common}
    assert {"lr", "lr_decay", "grow_every", "grow_warmup", "batch_size", "augment", "noise",
            "weight_decay", "batch_norm", "activation"} <= set(ranges)
    assert ranges["noise"].format == "gaussian:{}" and ranges["augment"].format == "shift:{}"
    # --grace 21 (the file's command): the slowest schedule's first epoch on its final network
    slowest, _ = configured("deep", ({**found.defaults, "grow_every": ranges["grow_every"].high,
                                      "grow_warmup": ranges["grow_warmup"].high}, "test"))
    assert first_judged(slowest) == 21
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):  # trials drawn as the sweep draws them: the same network, checked out
        values = found.space.suggest(study.ask(), "deep")
        cfg, _ = configured("deep", ({**found.defaults, **values}, "trial"))
        assert (cfg.hidden, cfg.code_dim, cfg.max_depth) == ([1000, 500, 250], 30, 4)
        assert cfg.noise.startswith("gaussian:") and cfg.augment in ("shift:1", "shift:2")


def test_the_moonshot_is_one_configuration_on_seeds_0_and_1(tmp_path):
    planned = plan_sweep(str(EXPERIMENTS / "moonshot.toml"), out=str(tmp_path / "out"))
    configs = {step.name: step.cfg for step in planned.steps}
    assert set(configs) == {"best", "best-s1"}
    assert (configs["best"].seed, configs["best-s1"].seed) == (0, 1)
    same = [{k: v for k, v in vars(c).items() if k not in ("seed", "out", "name")}
            for c in configs.values()]
    assert same[0] == same[1]
    cfg = configs["best"]
    assert {k: getattr(cfg, k) for k in NETWORK} == NETWORK
    assert cfg.lr_decay > 0 and cfg.noise.startswith("gaussian:")
