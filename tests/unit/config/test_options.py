"""Options as a user gives them: --help lists every model and option with its default, a
TOML file sits between the defaults and the command line, misspellings get a suggestion, a model
takes the options its constructor declares."""
import json
import re

import numpy as np
import pytest

import aezoo
from aezoo.config import OPTIONS, Config
from aezoo.models import MODELS, NAMES, PRESETS
from aezoo.commands.run import configure, main
from aezoo.data import load
from aezoo.train.build import build_model, fit_to_data


def help_blocks(text):
    """{first flag: whitespace-normalized help block} for each option in --help."""
    blocks = {}
    for block in re.split(r"\n(?=  -)", text):
        match = re.match(r"\s*(-[-\w]+)", block)
        if match:
            blocks[match.group(1)] = " ".join(block.split())
    return blocks


def test_help_lists_every_model_and_option_with_its_default(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    flat = " ".join(text.split())
    for name in ("simple", "deep", "conv", "denoising", "sparse"):
        assert name in NAMES
        assert re.search(rf"\b{name}\b", flat), f"model {name} missing from --help"
    blocks = help_blocks(text.split("model defaults:")[0])
    defaults = Config()
    for name, option in OPTIONS.items():
        if name == "model":  # the positional argument; a run must name it
            continue
        flag = "--" + name.replace("_", "-")
        assert flag in blocks, f"{flag} missing from --help"
        default = getattr(defaults, name)
        if default is None:
            # "not set": the option's help says what happens then (model default, ...)
            assert " ".join(option.metadata["help"].split()) in blocks[flag], blocks[flag]
        else:
            assert f"(default: {default})" in blocks[flag], blocks[flag]
    assert "--config" in blocks and "--resume" in blocks
    # options whose default is the model's own: each model's values are listed
    epilog = text.split("model defaults:")[1]
    for name, cls in MODELS.items():
        for key, value in ((k, o.default) for k, o in cls.options().items()):
            assert re.search(rf"^\s*{name}:.*\b{key}={re.escape(str(value))}", epilog, re.M), \
                f"--help does not show {name}'s default {key}={value}"
    for name, (base, changes) in PRESETS.items():
        for key, value in changes.items():
            assert re.search(rf"^\s*{name}: {base}\b.*\b{key}={re.escape(str(value))}", epilog, re.M)


def test_toml_is_overridden_by_the_command_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    toml = tmp_path / "exp.toml"
    toml.write_text("epochs = 2\ncode_dim = 16\n")
    # below the CLI, above the defaults and the model's own
    cfg = configure(["simple", "--config", str(toml)])[0]
    assert (cfg.epochs, cfg.code_dim) == (2, 16)
    out = tmp_path / "run"
    assert main(["simple", "--config", str(toml), "--code-dim", "8", "--data", "digits",
                 "--out", str(out), "--no-video"]) == 0
    record = json.loads((out / "config.json").read_text())
    assert record["config"]["epochs"] == 2
    assert record["config"]["code_dim"] == 8
    assert record["model"]["arch"]["code_dim"] == 8
    epochs = [json.loads(l)["epoch"] for l in (out / "metrics.jsonl").read_text().splitlines()
              if l.strip() and "event" not in json.loads(l)]
    assert epochs[-1] == 2


def test_toml_overrides_a_preset_and_the_cli_overrides_the_toml(tmp_path):
    toml = tmp_path / "exp.toml"
    toml.write_text('noise = "mask:0.3"\nsparsity = 0.5\n')
    assert configure(["denoising"])[0].noise == "gaussian:0.5"
    cfg = configure(["denoising", "--config", str(toml)])[0]
    assert (cfg.noise, cfg.sparsity) == ("mask:0.3", 0.5)
    cfg = configure(["denoising", "--config", str(toml), "--noise", "gaussian:0.1"])[0]
    assert (cfg.noise, cfg.sparsity) == ("gaussian:0.1", 0.5)


@pytest.mark.parametrize("argv, message", [
    (["deep", "--grow-evry", "4"], "unrecognized arguments: --grow-evry 4; did you mean --grow-every?"),
    (["deeep"], "invalid choice: 'deeep'"),
    (["deep", "--hidden", "128x64"], "argument --hidden: expected comma-separated integers like "
                                     "128,64, got '128x64'"),
])
def test_a_misspelled_option_gets_a_suggestion_and_a_bad_value_its_name(argv, message, capsys):
    assert main(argv + ["--data", "digits"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert message in line
    if argv == ["deeep"]:
        assert line.endswith("; did you mean deep?")


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"aezoo {aezoo.__version__}"


def test_a_suggestion_comes_only_from_the_option_it_is_for(capsys):
    assert main(["deep", "--lr-schedule", "sgd", "--data", "digits"]) == 2
    assert "did you mean" not in capsys.readouterr().err  # sgd is an optimizer, not a schedule
    assert main(["deep", "--optimizer", "adm", "--data", "digits"]) == 2
    assert capsys.readouterr().err.rstrip().endswith("did you mean adam?")


def test_noise_once_comes_through_the_command_line_and_follows_the_seed():
    from aezoo.commands.run import configure
    from aezoo.train.build import build_model
    x = load("digits").train[:4]
    drawn = {}
    for seed in (0, 1):
        cfg, _, _ = configure(["simple", "--noise", "gaussian:0.5:once", "--seed", str(seed)])
        model = build_model(cfg, (8, 8), np.random.default_rng(seed))
        assert model.noise.once
        drawn[seed] = model.noise(x)
        np.testing.assert_array_equal(model.noise(x), drawn[seed])
    assert not np.allclose(drawn[0], drawn[1])


KNOBS = {"activation": "relu", "init": "glorot_uniform", "batch_norm": False, "dropout": 0.0}


@pytest.mark.parametrize("argv, arch", [
    (["conv", "--hidden", "4,2", "--code-dim", "5", "--decoder", "keras"],
     {"hidden": [4, 2], "code_dim": 5, "decoder": "keras", **KNOBS}),
    (["conv"], {"hidden": [16, 8], "code_dim": None, "decoder": "mirror", **KNOBS}),  # 8x8
    (["conv", "--activation", "elu", "--batch-norm", "--dropout", "0.25", "--init", "he_normal"],
     {"hidden": [16, 8], "code_dim": None, "decoder": "mirror", "activation": "elu",
      "init": "he_normal", "batch_norm": True, "dropout": 0.25}),
    (["deep", "--hidden", "16", "--code-dim", "4", "--linear-code"],
     {"hidden": [16], "code_dim": 4, "linear_code": True, **KNOBS}),
    (["deep"], {"hidden": [128, 64], "code_dim": 32, "linear_code": False, **KNOBS}),
    (["deep", "--activation", "selu", "--init", "orthogonal", "--no-batch-norm"],
     {"hidden": [128, 64], "code_dim": 32, "linear_code": False, **KNOBS, "activation": "selu",
      "init": "orthogonal"}),
    (["sequential", "--layers", "dense:16  bn tanh dropout:0.5 dense:4", "--init", "lecun_normal"],
     {"layers": ["dense:16", "bn", "tanh", "dropout", "dense:4"], "decoder_layers": None,
      "init": "lecun_normal", "depth": 2}),
    (["sparse", "--code-dim", "7"], {"code_dim": 7}),
])
def test_a_model_gets_its_options_by_the_names_its_constructor_declares(argv, arch, tmp_path):
    cfg, given, _ = configure(argv + ["--data", "digits"])
    cfg = fit_to_data(cfg, given, (8, 8))
    model = build_model(cfg, (8, 8), np.random.default_rng(0))
    assert model.arch() == arch
    assert set(type(model).option_help) == set(type(model).options())  # --help for each
