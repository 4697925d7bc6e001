"""Each extra brings what its own use needs (pyproject.toml's [project.optional-dependencies]):
the docs extra alone builds the site, whose quickstart notebook calls Run.metrics_frame()
(pandas); the notebook extra runs that notebook in JupyterLab. Checked on the installed
distributions: an extra's requirements and theirs, recursively, must hold every module that
its use imports. A module dropped from an extra fails here, not on a user's fresh install."""
import ast
import importlib.metadata as md
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_CODE = REPO_ROOT / "aezoo" / "notebook"
QUICKSTART = REPO_ROOT / "docs" / "notebooks" / "quickstart.ipynb"


def imported_modules(sources):
    """Top-level names of every module the Python sources import, inside functions too."""
    found = set()
    for text in sources:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"aezoo"}


def notebook_sources():
    """aezoo's notebook API, and the quickstart's code cells (without IPython magics)."""
    import json
    cells = json.loads(QUICKSTART.read_text())["cells"]
    yield from (p.read_text() for p in sorted(NOTEBOOK_CODE.glob("*.py")))
    yield from ("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def closure(requirements, extras=()):
    """Names (normalized) of the distributions `requirements` install, recursively."""
    seen, todo = set(), [(Requirement(r), set(extras)) for r in requirements]
    while todo:
        req, chosen = todo.pop()
        env = [{"extra": e} for e in chosen] or [{"extra": ""}]
        if req.marker and not any(req.marker.evaluate(e) for e in env):
            continue
        name = req.name.lower().replace("_", "-")
        if name in seen and not req.extras:
            continue
        seen.add(name)
        try:
            todo += [(Requirement(r), req.extras) for r in md.requires(req.name) or []]
        except md.PackageNotFoundError:
            pytest.fail(f"{req.name} is not installed: pip install -e '.[docs,notebook]'")
    return seen


def extra(name):
    """The requirement strings of aezoo's extra `name` (as installed: the package metadata)."""
    wanted = [Requirement(r) for r in md.requires("aezoo") or []]
    return [str(r).split(";")[0] for r in wanted if r.marker and r.marker.evaluate({"extra": name})]


def provided(distributions):
    """Module names the distributions put on sys.path."""
    by_module = md.packages_distributions()
    return {m for m, dists in by_module.items()
            if any(d.lower().replace("_", "-") in distributions for d in dists)}


def core():
    return closure([str(r).split(";")[0] for r in map(Requirement, md.requires("aezoo") or [])
                    if not r.marker or r.marker.evaluate({"extra": ""})])


@pytest.mark.parametrize("name", ["docs", "notebook"])
def test_the_extra_brings_every_module_the_notebooks_import(name):
    needed = imported_modules(notebook_sources())
    assert {"pandas", "IPython", "tqdm"} <= needed  # what the notebook code imports today
    have = provided(core() | closure(extra(name)))
    missing = sorted(needed - have)
    assert not missing, f"pip install -e '.[{name}]' lacks {missing}"


def test_the_docs_extra_executes_notebooks_and_the_notebook_extra_is_jupyterlab():
    docs, notebook = closure(extra("docs")), closure(extra("notebook"))
    assert {"mkdocs", "mkdocs-jupyter", "ipykernel", "pandas"} <= docs
    assert {"jupyterlab", "pandas", "ipywidgets", "ipykernel"} <= notebook


def test_jupyterlab_starts_from_the_notebook_extra():
    lab = Path(sys.executable).with_name("jupyter-lab")
    if not lab.exists() and os.environ.get("AEZOO_REQUIRE_NOTEBOOK") != "1":
        pytest.skip("JupyterLab not installed: pip install -e '.[notebook]' (make test does)")
    done = subprocess.run([str(lab), "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip().split(".")[0] == "4", done.stderr
