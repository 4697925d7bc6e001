"""The folders are the architecture: each part imports only what docs/architecture.md allows.

    models    nothing of aezoo but models                 data     errors
    runs      errors                                      viz      errors, runs; no chainer, cupy or models
    train     errors, runs, data, viz, config, the model registry, and what a run plugs in: gpu,
              distributed, loggers, keras; no concrete model, results or command
    gpu       nothing of aezoo                            keras    errors, config, data
    distributed  errors, runs and train's hook protocol only
    loggers   errors, runs, viz, and models' Option; never train or config (config reads their options)
    results   errors, runs, viz, data, models             speed    errors, models, train, loggers
    sweeps    errors, config, runs, data, models, train, results, loggers
    config    errors, models, data (the set names), viz (the fps range), loggers (their options)
    commands  anything, but never another command
Any part may read aezoo.__version__ from the package; nothing else of the package.
The top level holds the package, api, config, errors and shims of 25 lines or fewer.

The imports are read from the source (every `import` and `from ... import`,
in functions too), so a late import cannot slip past; importlib and __import__
are allowed only in the command registry, which loads a command when it runs, and in
gpu/cupy_compat.py, which maps CuPy 13's modules for Chainer.
No two modules share a name (or a name and its plural) unless they are one command's.
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import aezoo
from aezoo.commands import COMMANDS

PACKAGE = Path(__file__).resolve().parents[2] / "aezoo"
# What train/ may take from models/: the registry (with the abilities it re-exports), the
# abilities, the regularizers its options name, the kernel switch and numba's loader (jit);
# never a model's file.
TRAIN_MAY_USE = {"aezoo.models", "aezoo.models.abilities", "aezoo.models.regularizers",
                 "aezoo.models.fast", "aezoo.models.jit"}
TOP = {"__init__", "__main__", "api", "config", "errors"}  # everything else at the top: shims
SHIM_LINES = 25
# What a run's plug-ins (distributed, loggers) may take from train: the loop's hook protocol
# (a Callback, the evaluation batch, the learning rate), never what builds or starts a run.
HOOK_PROTOCOL = {"aezoo.train.callbacks", "aezoo.train.loop", "aezoo.train.optimizers"}
# The only modules that import by name: the command registry (a command loads when it runs),
# the model registry (a model, and Chainer, loads when it is first asked for) and the GPU
# compat, which maps CuPy 13's modules to the names Chainer 7.8.1 imports.
DYNAMIC = {"aezoo.commands", "aezoo.models", "aezoo.gpu.cupy_compat"}
FORBIDDEN_LIBRARIES = {"viz": {"chainer", "cupy"}}

ALLOWED = {
    "models": {"models"},
    "data": {"data", "errors"},
    "runs": {"runs", "errors"},
    "viz": {"viz", "errors", "runs"},
    "train": {"train", "errors", "runs", "data", "viz", "config", "models", "gpu", "distributed",
              "loggers", "keras"},
    "gpu": set(),
    "distributed": {"errors", "runs", "train"},
    # a run's sinks: told values, never the trainer; of models only option.py's Option
    "loggers": {"loggers", "errors", "runs", "viz", "models"},
    "keras": {"errors", "config", "data"},
    # the loggers are told of a run's videos once they are rendered (run_videos.after_training)
    "results": {"results", "errors", "runs", "viz", "data", "models", "loggers"},
    "speed": {"speed", "errors", "models", "train", "loggers"},
    "sweeps": {"sweeps", "errors", "config", "runs", "data", "models", "train", "results",
               "loggers"},
    # the Python API: the same libraries as the commands, never a command
    "notebook": {"notebook", "errors", "config", "runs", "data", "models", "train", "results",
                 "viz", "sweeps", "api", "loggers"},
    "config": {"errors", "models", "viz", "data", "loggers"},
    "errors": set(),
}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part(module):
    """aezoo.train.loop -> train; aezoo.config -> config; aezoo.run (a shim) -> shim."""
    names = module.split(".")
    if len(names) == 1:
        return "package"
    if (PACKAGE / names[1]).is_dir():
        return names[1]
    return names[1] if names[1] in TOP else "shim"


def is_module(dotted):
    path = PACKAGE.parent / Path(*dotted.split("."))
    return path.with_suffix(".py").exists() or path.is_dir()


def is_package(module):
    return (PACKAGE.parent / Path(*module.split("."))).is_dir()


def aezoo_imports(source, module):
    """The aezoo modules `source` imports, as dotted names; names taken from the package
    itself (`from aezoo import load`) as "aezoo:NAME"."""
    found = set()
    package = module.split(".") if is_package(module) else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "aezoo"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from ..train import loop` inside aezoo.models.deep
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "aezoo":
                continue
            for alias in node.names:  # `from aezoo.train import loop` imports aezoo.train.loop
                sub = f"{base}.{alias.name}"
                found.add(sub if is_module(sub) else f"{base}:{alias.name}" if base == "aezoo"
                          else base)
    return found


def libraries(source):
    """The top-level names of the libraries `source` imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


def violations(module, imported, source=""):
    """The broken rules of `module` importing the modules `imported`."""
    own = part(module)
    bad = []
    for target in imported:
        if target.startswith("aezoo:"):  # a name of the package: only its version
            if target != "aezoo:__version__":
                bad.append(f"{module} imports {target[6:]} from the package aezoo")
            continue
        theirs = part(target)
        if own in ALLOWED and theirs not in ALLOWED[own] | {own, "package"}:
            bad.append(f"{module} ({own}) imports {target} ({theirs})")
        if own in ("train", "speed") and theirs == "models" and target not in TRAIN_MAY_USE:
            bad.append(f"{module} imports {target}, not the model registry")
        if own == "loggers" and theirs == "models" and target != "aezoo.models.option":
            bad.append(f"{module} imports {target}: a logger takes only Option of models")
        if own == "distributed" and theirs == "train" and target not in HOOK_PROTOCOL:
            bad.append(f"{module} ({own}) imports {target}, not train's hook protocol")
        if theirs == "shim" or (theirs == "commands" and target.count(".") >= 2
                                and target.split(".")[2] in COMMANDS
                                and (own != "commands" or module.split(".")[2:3] != target.split(".")[2:3])):
            if own not in ("shim", "package"):
                bad.append(f"{module} imports the command {target}")
    for library in FORBIDDEN_LIBRARIES.get(own, ()):
        if library in libraries(source):
            bad.append(f"{module} ({own}) imports {library}")
    if module not in DYNAMIC and dynamic_imports(source):
        bad.append(f"{module} imports by name (importlib or __import__)")
    return bad


def dynamic_imports(source):
    tree = ast.parse(source)
    return [n for n in ast.walk(tree) if (isinstance(n, ast.Name) and n.id == "__import__")
            or (isinstance(n, (ast.Import, ast.ImportFrom)) and "importlib" in
                ([a.name.split(".")[0] for a in n.names] if isinstance(n, ast.Import)
                 else [(n.module or "").split(".")[0]]))]


def check(module, source):
    return violations(module, aezoo_imports(source, module), source)


def modules():
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_module_keeps_the_import_rules_of_its_part(path):
    assert check(module_name(path), path.read_text()) == []


@pytest.mark.parametrize("module, source", [
    ("aezoo.models.deep", "from aezoo.train import device"),
    ("aezoo.models.deep", "def f():\n    import aezoo.viz.tiles"),
    ("aezoo.models.deep", "from aezoo import load"),                  # the package's names
    ("aezoo.models.deep", "import importlib\nimportlib.import_module('aezoo.train')"),
    ("aezoo.viz.frame", "x = __import__('aezoo.train.loop')"),
    ("aezoo.viz.frame", "from aezoo.models.base import Autoencoder"),
    ("aezoo.viz.frame", "import chainer"),
    ("aezoo.viz.latent", "from cupy import asnumpy"),
    ("aezoo.viz.tiles", "from aezoo.train.loop import Trainer"),
    ("aezoo.train.start", "from aezoo.models.deep import DeepAE"),
    ("aezoo.keras.weights", "from aezoo.models.keras_gru import KerasGRU"),
    ("aezoo.keras.weights", "from aezoo.train.build import model_cls"),
    ("aezoo.loggers.tensorboard", "from aezoo.train.start import start"),
    ("aezoo.distributed.mpi", "from aezoo.train.plan import plan"),
    ("aezoo.gpu.cupy_compat", "from aezoo.errors import UsageError"),
    ("aezoo.train.start", "from aezoo.commands import render"),
    ("aezoo.train.start", "from aezoo.results import run_videos"),
    ("aezoo.train.start", "from aezoo import run"),
    ("aezoo.commands.sweep", "from aezoo.commands import run"),
    ("aezoo.commands.sweep", "from aezoo.commands.compare import compare"),
    ("aezoo.results.comparison", "from aezoo.train.start import start"),
    ("aezoo.sweeps.worker", "from aezoo.commands.parser import guarded"),
    ("aezoo.data.sets", "from aezoo.config import Config"),
    ("aezoo.runs.rundir", "import aezoo.data"),
    ("aezoo.models.deep", "from ..train import loop"),
    ("aezoo.models.deep", "from .. import run"),
    ("aezoo.viz", "from ..models.base import Autoencoder"),
    ("aezoo.notebook.sweep", "from aezoo.commands.sweep import sweep"),
    ("aezoo.notebook.fitting", "from aezoo.commands import run"),
    ("aezoo.notebook.sweep", "from aezoo import commands"),
    ("aezoo.viz.frame", "from ..viz import tiles\nfrom ..train.start import prepare"),
    ("aezoo.loggers.mlflow", "from aezoo.train.loop import Trainer"),   # a logger sees no trainer
    ("aezoo.loggers.mlflow", "from aezoo.models.deep import DeepAE"),
    ("aezoo.loggers.recon_files", "from aezoo.config import Config"),   # config reads loggers
])
def test_the_check_catches_a_broken_rule(module, source):
    assert check(module, source) != []


@pytest.mark.parametrize("module, source", [
    ("aezoo.commands.sweep", "from aezoo.commands import COMMANDS\nfrom aezoo.commands.parser import guarded"),
    ("aezoo.train.start", "from aezoo import __version__\nfrom aezoo.models import Growable"),
    ("aezoo.run", "from aezoo.commands.run import main"),
    ("aezoo.notebook.sweep", "from aezoo.sweeps.runner import plan_sweep, run_sweep"),
])
def test_the_check_allows_what_the_rules_allow(module, source):
    assert check(module, source) == []


def test_the_parts_are_folders_and_the_top_level_is_what_a_user_runs():
    parts = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert parts == {"models", "data", "runs", "train", "viz", "results", "speed", "sweeps",
                     "commands", "notebook", "gpu", "distributed", "loggers", "keras"}
    for folder in parts:  # each part says what it is for and what it may import
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
        assert doc and "import" in doc, folder
    commands = {p.stem for p in (PACKAGE / "commands").glob("*.py")} - {"__init__", "parser"}
    assert commands == set(COMMANDS)  # a command is one module, listed once


def clashing_names(paths, commands):
    """Groups of modules and parts that share a name, or a name and its plural (snapshot.py
    and snapshots.py), other than a command's own: its shim, module, part and notebook API
    (run.py, commands/run.py, runs/, notebook/run.py)."""
    by_name = {}
    for path in paths:
        name = path.name if path.is_dir() else path.stem
        if name == "__init__":
            continue
        singular = name[:-1] if name.endswith("s") else name
        if singular in commands or name in commands:
            continue
        by_name.setdefault(singular, []).append(str(path.relative_to(PACKAGE)))
    return [sorted(paths) for paths in by_name.values() if len(paths) > 1]


# The same subject in two parts: sequence data (data/) and their pictures (viz/).
SAME_SUBJECT = [["data/sequences.py", "viz/sequences.py"]]


def test_no_two_modules_share_a_name():
    paths = list(PACKAGE.rglob("*.py")) + [p for p in PACKAGE.iterdir() if p.is_dir()
                                           and (p / "__init__.py").exists()]
    assert clashing_names(paths, COMMANDS) == SAME_SUBJECT


def test_no_two_classes_share_a_name():
    """One class a name in the whole package (a viz Comparison beside the notebook's was one)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                found.setdefault(node.name, []).append(str(path.relative_to(PACKAGE)))
    assert {name: paths for name, paths in found.items() if len(paths) > 1} == {}


def test_the_name_check_catches_a_clash():
    names = [PACKAGE / "viz" / "snapshot.py", PACKAGE / "runs" / "snapshots.py",
             PACKAGE / "train" / "steps.py", PACKAGE / "run.py", PACKAGE / "runs"]
    assert clashing_names(names, COMMANDS) == [["runs/snapshots.py", "viz/snapshot.py"]]


@pytest.mark.parametrize("path", [p for p in PACKAGE.glob("*.py") if p.stem not in TOP],
                         ids=lambda p: p.name)
def test_every_other_top_level_module_is_a_thin_shim_of_its_command(path):
    assert path.stem in COMMANDS
    assert len(path.read_text().splitlines()) <= SHIM_LINES
    assert aezoo_imports(path.read_text(), module_name(path)) == {f"aezoo.commands.{path.stem}"}


def probes_of_a_model(source):
    """hasattr/getattr calls whose object is a model (its name says so)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("hasattr", "getattr") and node.args
                and "model" in ast.unparse(node.args[0]).lower()):
            found.append(ast.unparse(node))
    return found


@pytest.mark.parametrize("path", sorted((PACKAGE / "train").glob("*.py")), ids=lambda p: p.name)
def test_train_asks_for_abilities_instead_of_probing_a_model(path):
    assert probes_of_a_model(path.read_text()) == []


def test_the_probe_check_catches_a_probe():
    assert probes_of_a_model('if hasattr(model, "set_rng"): pass')
    assert probes_of_a_model('d = getattr(t.model, "depth", None)')
    assert not probes_of_a_model('lr = getattr(hp, "alpha", None)')


@pytest.mark.parametrize("name", aezoo.PUBLIC)
def test_the_public_python_names_cannot_collide_with_modules(name):
    """aezoo.train is a package and aezoo.compare a shim, so the Python API keeps other names
    (the notebook issue builds fit, open_run, Run, Comparison and Sweep on plan and start)."""
    assert not (PACKAGE / f"{name}.py").exists() and not (PACKAGE / name).is_dir()
    assert name not in {p.stem for p in PACKAGE.rglob("*.py")} | {p.name for p in PACKAGE.rglob("*")}


def test_the_public_names_exist():
    assert all(hasattr(aezoo, name) for name in aezoo.PUBLIC)
    assert {"fit", "open_run", "Run", "Comparison", "Sweep"} <= set(aezoo.PUBLIC)


def test_the_command_list_and_this_check_need_no_chainer():
    """`aezoo --help` answers at once, and the static checks run without the ML stack."""
    code = ("import sys, aezoo.commands as c; c.top_parser().format_help(); "
            "assert 'chainer' not in sys.modules and 'numpy' not in sys.modules, sorted(sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


HEAVY = ("chainer", "cupy", "matplotlib", "imageio", "PIL", "sklearn")


@pytest.mark.parametrize("code", [
    "import aezoo",
    "import aezoo.config",  # the options: the models' from models/catalogue.json
    # `aezoo run --help` as the executable runs it (aezoo/__main__.py calls this main)
    "import aezoo.commands\ntry:\n    aezoo.commands.main(['run', '--help'])\n"
    "except SystemExit:\n    pass",
    "from aezoo.commands.run import parser; parser().format_help()",
])
def test_the_light_imports_stay_light(code):
    """Options and `aezoo run --help` load no Chainer (nor CuPy with it) and draw nothing:
    a fresh interpreter's modules afterwards."""
    code += f"\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.strip().splitlines()[-1:] == ["[]"], found.stdout[-500:] + found.stderr[-2000:]


def test_the_light_check_sees_a_heavy_import():
    code = "import aezoo.models\naezoo.models.MODELS['deep']\nimport sys\nprint('chainer' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.strip() == "True", found.stderr[-2000:]


def option_lists(source):
    """The literal tuples, lists and sets of two or more option names in `source`."""
    from aezoo.config import OPTIONS
    return [[e.value for e in n.elts] for n in ast.walk(ast.parse(source))
            if isinstance(n, (ast.Tuple, ast.List, ast.Set)) and len(n.elts) >= 2
            and all(isinstance(e, ast.Constant) and e.value in OPTIONS for e in n.elts)]


# Where a list of option names is the one source of what it says. Everything else asks the
# options themselves (OPTIONS' metadata: split, limits; config.RESUMABLE; an ability's
# run_options), so no second list can drift from the first.
OPTION_LISTS = {
    "config.py": "RESUMABLE: what a resume may change",
    "sweeps/file.py": "SET_BY_SWEEP: out and name, a sweep's own",
    "loggers/tensorboard.py": "the options no HParams column shows",
    "notebook/fitting.py": "the layer-list options aezoo.Sequential gives",
    "train/build.py": "the options only a decoded image folder takes (data's, issue 39)",
}


@pytest.mark.parametrize("path", [p for p in modules() if p.parent.name != "models"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_option_names_are_listed_once(path):
    """A model lists its own options (models/); a list anywhere else is the one source."""
    name = str(path.relative_to(PACKAGE))
    assert name in OPTION_LISTS or option_lists(path.read_text()) == []
    if name in OPTION_LISTS:
        assert len(option_lists(path.read_text())) == 1, OPTION_LISTS[name]


def test_the_option_list_check_catches_a_second_list():
    assert option_lists('SPLIT = ("data", "data_dir", "test_fraction", "seq_len")')
    assert not option_lists('FILES = ("scores.csv", "report.html")')


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_one_file_locks(path):
    """A lock is taken one way, in runs/locks.py: no flock anywhere else."""
    assert path.relative_to(PACKAGE).as_posix() == "runs/locks.py" or "flock" not in \
        [n.attr for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Attribute)]


def test_usage_error_is_a_value_error():
    assert issubclass(aezoo.UsageError, ValueError)
    with pytest.raises(ValueError, match="expected"):
        aezoo.from_keras("weights.npz", keras_version=4)
