"""The folders are the architecture: each part imports only what README's "Layout" allows.

    models   nothing of aezoo but models        data    errors
    record   errors                             viz     errors, record
    train    errors, record, data, viz, config, the registry; no concrete model, no command
    config   errors, models, viz (the fps range); never train or a command
    commands (run, render, compare, sweep, report, export, api, cli, bench) anything
Any part may read aezoo.__version__ from the package; the package's load() is a command.

The imports are read from the source (every `import` and `from ... import`,
in functions too), so a late import cannot slip past.
"""
import ast
from pathlib import Path

import pytest

from aezoo.models import MODELS

PACKAGE = Path(__file__).resolve().parents[1] / "aezoo"
COMMANDS = {"run", "render", "compare", "sweep", "report", "export", "api", "cli", "bench",
            "bench_twins"}
CONCRETE = {cls.__module__ for cls in MODELS.values()}  # aezoo.models.simple, ...
MAX_LINES = 300

ALLOWED = {
    "models": {"models"},
    "data": {"data", "errors"},
    "record": {"record", "errors"},
    "viz": {"viz", "errors", "record"},
    "train": {"train", "errors", "record", "data", "viz", "config", "models"},
    "config": {"errors", "models", "viz"},
    "errors": set(),
}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part(module):
    """aezoo.train.loop -> train; aezoo.run -> commands; aezoo -> package."""
    names = module.split(".")
    if len(names) == 1:
        return "package"
    if (PACKAGE / names[1]).is_dir():
        return names[1]
    return "commands" if names[1] in COMMANDS else names[1]


def aezoo_imports(source, module):
    """The aezoo modules `source` imports, as dotted names."""
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
                is_module = (PACKAGE.parent / Path(*sub.split("."))).with_suffix(".py").exists() \
                    or (PACKAGE.parent / Path(*sub.split("."))).is_dir()
                found.add(sub if is_module else base)
    return found


def is_package(module):
    return (PACKAGE.parent / Path(*module.split("."))).is_dir()


def violations(module, imported):
    """The broken rules of `module` importing the modules `imported`."""
    own = "commands" if module == "aezoo" else part(module)
    bad = []
    for target in imported:
        theirs = part(target)
        if own in ALLOWED and theirs not in ALLOWED[own] | {own, "package"}:
            bad.append(f"{module} ({own}) imports {target} ({theirs})")
        if own == "train" and target in CONCRETE:
            bad.append(f"{module} imports the concrete model {target}")
        if own != "commands" and theirs == "commands":
            bad.append(f"{module} imports the command {target}")
    return bad


def modules():
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_module_keeps_the_import_rules_of_its_part(path):
    module = module_name(path)
    assert violations(module, aezoo_imports(path.read_text(), module)) == []


@pytest.mark.parametrize("module, source", [
    ("aezoo.models.deep", "from aezoo.train import device"),
    ("aezoo.models.deep", "def f():\n    import aezoo.viz.snapshot"),
    ("aezoo.viz.frame", "from aezoo.models.base import Autoencoder"),
    ("aezoo.viz.snapshot", "from aezoo.train.loop import Trainer"),
    ("aezoo.train.setup", "from aezoo.models.deep import DeepAE"),
    ("aezoo.train.setup", "from aezoo import render"),
    ("aezoo.data.sets", "from aezoo.config import Config"),
    ("aezoo.record.rundir", "import aezoo.data"),
    ("aezoo.models.deep", "from ..train import loop"),
    ("aezoo.models.deep", "from .. import run"),
    ("aezoo.viz", "from ..models.base import Autoencoder"),
    ("aezoo.viz.frame", "from ..viz import snapshot\nfrom ..train.setup import prepare"),
])
def test_the_check_catches_a_broken_rule(module, source):
    assert violations(module, aezoo_imports(source, module)) != []


def test_the_parts_are_folders_and_the_top_level_is_what_a_user_runs():
    parts = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert parts == {"models", "data", "record", "train", "viz"}
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert top == COMMANDS | {"config", "errors"}
    for folder in parts:  # each part says what it is for and what it may import
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
        assert doc and "import" in doc, folder


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_300_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES
