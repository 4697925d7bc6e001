"""Every `python -m aezoo.X` form, run as a user runs it (a new process, a real argument list):
the README promises that the module forms of earlier releases still work. One tiny run on the
bundled digits feeds render, compare, export and report; the sweep and the bench are the
smallest each has. Each step checks what it wrote, so a form that only parses cannot pass."""
import json
import subprocess
import sys

import pytest

from conftest import TINY


def module(name, *args, cwd):
    """`python -m aezoo.NAME ARGS...` in `cwd`; the finished process."""
    return subprocess.run([sys.executable, "-m", f"aezoo.{name}", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def ok(result):
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A one-epoch run written by `python -m aezoo.run`: (working folder, run folder)."""
    work = tmp_path_factory.mktemp("forms")
    ok(module("run", "simple", *TINY, "--epochs", "1", "--code-dim", "4", "--name", "one",
              cwd=work))
    (run,) = (work / "outputs").iterdir()
    return work, run


def test_run(made):
    work, run = made
    assert run.name.endswith("-one")
    assert json.loads((run / "config.json").read_text())["config"]["epochs"] == 1
    assert (run / "checkpoint.npz").is_file()


def test_render(made):
    work, run = made
    ok(module("render", run, "--format", "gif", "--dpi", "50", cwd=work))
    assert (run / "progress.gif").stat().st_size > 0


def test_compare_and_report(made):
    work, run = made
    ok(module("compare", run, "--out", "cmp", "--format", "gif", "--dpi", "50", cwd=work))
    assert (work / "cmp" / "scores.csv").is_file()
    (work / "cmp" / "report.html").unlink()
    ok(module("report", "cmp", cwd=work))
    assert "<html" in (work / "cmp" / "report.html").read_text().lower()


def test_export(made):
    work, run = made
    ok(module("export", run, "exported", cwd=work))
    assert {"weights.npz", "forward.py"} <= {p.name for p in (work / "exported").iterdir()}


def test_sweep(tmp_path):
    """The regression of issue 35: the module form passed argv=None and every file crashed."""
    (tmp_path / "s.toml").write_text('[defaults]\ndata = "digits"\nepochs = 1\nbatch_size = 64\n'
                                      'code_dim = 4\n[runs.a]\nmodel = "simple"\n')
    result = ok(module("sweep", "s.toml", "--out", "sw", "--workers", "1", cwd=tmp_path))
    assert (tmp_path / "sw" / "a" / "checkpoint.npz").is_file()
    assert (tmp_path / "sw" / "scores.csv").is_file(), result.stdout
    # the `=` form of the ASHA options is seen as given, and refused without --early-stop
    bad = module("sweep", "s.toml", "--out", "sw", "--grace=2", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "--grace and --reduction-factor only apply with --early-stop" in bad.stderr


def test_bench(tmp_path):
    done = module("bench", "--quick", "--json", "b.json", "--threads", "1", "--wait", "0",
                  cwd=tmp_path)
    found = json.loads((tmp_path / "b.json").read_text())
    assert done.returncode == (3 if found["ratios_refused"] else 0), done.stderr  # 3: busy
    assert "Traceback" not in done.stderr and found["results"]
