"""What compare, report and render make of runs at the edge: a perfect score (every loss 0), NaN
or inf in metrics.jsonl, run names that parse as numbers or as matplotlib's math, a damaged
compared.json, an exact PCA baseline, a large video's link, and two writers of one folder."""
import json
import os
import shutil
import types

import numpy as np
import pytest

import aezoo
import aezoo.run
from aezoo.commands import compare, render, report
from aezoo.results import report as report_page
from aezoo.runs import owner
from aezoo.viz import curves
from conftest import tree_state

TINY = ["--data", "digits", "--epochs", "2", "--batch-size", "64", "--no-video", "--quiet"]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    for name in ("a", "b"):
        assert aezoo.run.main(["simple", *TINY, "--out", str(root / name)]) == 0
    return root


def copies(two_runs, tmp_path, names=("a", "b")):
    """Copies of the module's two runs under `names`, which tests may edit."""
    for src, name in zip(("a", "b"), names):
        shutil.copytree(two_runs / src, tmp_path / name)
    return [str(tmp_path / name) for name in names]


def one_line(capsys, status, expected):
    err = capsys.readouterr().err.strip()
    assert status == 2 and expected in err and len(err.splitlines()) == 1, err


def test_a_perfect_score_is_drawn_resumed_and_compared(tmp_path, capsys):
    """All-zero sequences: a GRU's test loss is exactly 0 (a log axis cannot show it)."""
    np.savez(tmp_path / "zeros.npz", x=np.zeros((40, 6, 2), np.float32))
    runs = [str(tmp_path / name) for name in ("r1", "r2")]
    for run in runs:
        assert aezoo.run.main(["gru", "--data", f"npz:{tmp_path / 'zeros.npz'}", "--epochs", "2",
                               "--no-video", "--quiet", "--out", run]) == 0
    with open(f"{runs[0]}/metrics.jsonl") as f:
        assert all(json.loads(line).get("test_mse", 0) == 0 for line in f)
    assert os.path.getsize(f"{runs[0]}/loss.png") > 0
    assert aezoo.run.main(["--resume", runs[0], "--epochs", "3", "--quiet"]) == 0
    assert render.main([runs[0], "--format", "gif"]) == 0
    assert compare.main([*runs, "--out", str(tmp_path / "cmp"), "--format", "gif"]) == 0
    assert report.main([str(tmp_path / "cmp")]) == 0
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_nan_or_inf_in_metrics_is_left_off_the_pictures_and_named(two_runs, tmp_path, capsys,
                                                                  bad):
    runs = copies(two_runs, tmp_path)
    path = f"{runs[1]}/metrics.jsonl"
    with open(path) as f:
        lines = f.read().splitlines()
    lines[-1] = lines[-1].replace('"test_bce": ', f'"test_bce": {bad}, "was": ', 1)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    assert compare.main([*runs, "--out", str(tmp_path / "cmp"), "--format", "gif"]) == 0
    err = capsys.readouterr().err
    assert f"{runs[1]}: test_bce is NaN or infinite at epoch 2; not drawn" in err
    assert "Traceback" not in err
    with open(tmp_path / "cmp" / "scores.csv") as f:
        b = [row for row in f if row.startswith("b,")][0]
    assert ",1," in b  # b's best epoch is the finite one
    assert report.main([str(tmp_path / "cmp")]) == 0
    page = (tmp_path / "cmp" / "report.html").read_text()
    shown = {"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}[bad]
    assert f'<td data-value="">{shown}</td>' in page
    assert render.main([runs[1], "--format", "gif"]) == 0
    assert "test_bce is NaN or infinite at epoch 2" in capsys.readouterr().err


def test_a_score_that_is_not_a_number_is_one_line(two_runs, tmp_path, capsys):
    runs = copies(two_runs, tmp_path)
    path = f"{runs[1]}/metrics.jsonl"
    text = open(path).read().replace('"test_bce": ', '"test_bce": "low", "was": ', 1)
    open(path, "w").write(text)
    one_line(capsys, compare.main([*runs, "--out", str(tmp_path / "cmp"), "--format", "gif"]),
             "the line of epoch 0 has test_bce = 'low', not a number; was it edited?")
    assert not (tmp_path / "cmp").exists()


def test_names_are_text_everywhere(two_runs, tmp_path, capsys):
    runs = copies(two_runs, tmp_path, names=("nan", "$x^{$"))
    assert compare.main([*runs, "--out", str(tmp_path / "cmp"), "--format", "gif"]) == 0
    assert report.main([str(tmp_path / "cmp")]) == 0
    page = (tmp_path / "cmp" / "report.html").read_text()
    assert '<tr class="run"><td>nan</td>' in page and "<td>$x^{$</td>" in page
    runs = copies(two_runs, tmp_path / "more", names=("inf", "1e5"))
    assert compare.main([*runs, "--out", str(tmp_path / "cmp2"), "--format", "gif"]) == 0
    page = (tmp_path / "cmp2" / "report.html").read_text()
    assert '<tr class="run"><td>inf</td>' in page and '<tr class="run"><td>1e5</td>' in page


@pytest.mark.parametrize("content, expected", [
    ("{not json", "compared.json is damaged (Expecting property name"),
    ("[]", "compared.json is damaged: expected a list of run folders, got []"),
    ("[1, 2]", "compared.json is damaged: expected a list of run folders, got [1, 2]"),
    ('{"a": 1}', "expected a list of run folders"),
])
def test_a_damaged_compared_json_is_one_line(two_runs, tmp_path, capsys, content, expected):
    runs = copies(two_runs, tmp_path)
    out = tmp_path / "cmp"
    assert compare.main([*runs, "--out", str(out), "--format", "gif"]) == 0
    (out / "compared.json").write_text(content)
    before = tree_state(out)
    capsys.readouterr()
    one_line(capsys, report.main([str(out)]), expected)
    assert tree_state(out) == before


def test_an_exact_pca_is_named_off_the_axis_not_stretching_it(two_runs, monkeypatch):
    run = types.SimpleNamespace(epochs=[{"epoch": 1, "test_mse": 0.02},
                                        {"epoch": 2, "test_mse": 0.01}],
                                events=[], kind="sequence", data_name="sine")
    limits, notes = [], []
    real_axis, real_note = curves.log_axis, curves.off_axis_note
    monkeypatch.setattr(curves, "log_axis", lambda ax, lim: limits.append(lim) or
                        real_axis(ax, lim))
    monkeypatch.setattr(curves, "off_axis_note", lambda ax, b, size: notes.append(
        [t.get_text() for t in ax.texts]) or real_note(ax, b, size) or notes.append(
        [t.get_text() for t in ax.texts]))
    curves.save_comparison(str(two_runs / "c.png"), [run], ["gru"], "mse",
                           [("pca-30", 0.0), ("pca-2", 0.05)])
    assert limits == [(0.01 / 1.15, 0.05 * 1.15)]
    assert notes[-1] == [" pca-30: 0 (off the log axis)"]


def test_compare_shows_an_exact_pca_as_zero(tmp_path, monkeypatch):
    """A keras-mode GRU's code holds every value of a step: its PCA baseline is exact."""
    run = str(tmp_path / "gru")
    assert aezoo.run.main(["gru", "--mode", "keras", "--data", "sine", "--seq-len", "8",
                           "--epochs", "1", "--no-video", "--quiet", "--out", run]) == 0
    shown = []
    monkeypatch.setattr(curves, "save_comparison",
                        lambda path, runs, labels, name, lines, dpi: shown.extend(lines))
    assert compare.main([run, "--out", str(tmp_path / "cmp"), "--format", "gif"]) == 0
    with open(tmp_path / "cmp" / "scores.csv") as f:
        pca = [line for line in f if line.startswith("pca-")]
    assert pca and shown and all(value == 0.0 for _, value in shown)


def test_a_large_video_is_linked_percent_encoded(two_runs, tmp_path, monkeypatch):
    folder = tmp_path / "a #1 100%"
    folder.mkdir()
    (folder / "v.mp4").write_bytes(b"0" * 100)
    monkeypatch.setattr(report_page, "EMBED_MAX", 10)
    tag = report_page.media(str(folder / "v.mp4"), str(tmp_path), "v")
    assert 'src="a%20%231%20100%25/v.mp4"' in tag


def test_two_comparisons_into_one_folder_are_one_at_a_time(two_runs, tmp_path, capsys):
    runs = copies(two_runs, tmp_path)
    out = tmp_path / "cmp"
    assert compare.main([*runs, "--out", str(out), "--format", "gif"]) == 0
    before = tree_state(out)
    capsys.readouterr()
    with owner.claim(str(out), "aezoo compare", ours=lambda name: True):  # another compare
        one_line(capsys, compare.main([runs[0], "--out", str(out), "--format", "gif"]),
                 f"--out {out} is being written by another process")
    assert tree_state(out) == before
    assert compare.main([runs[0], "--out", str(out), "--format", "gif"]) == 0  # then it may


def test_compare_writes_only_into_its_own_folders(two_runs, tmp_path, capsys):
    runs = copies(two_runs, tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "scores.md").write_text("my notes")  # a name compare writes, but not its file
    one_line(capsys, compare.main([*runs, "--out", str(mine), "--format", "gif"]),
             "holds files that aezoo compare did not write")
    assert os.listdir(mine) == ["scores.md"] and (mine / "scores.md").read_text() == "my notes"
    exported = tmp_path / "exported"
    exported.mkdir()
    owner.mark(str(exported), "aezoo export")
    one_line(capsys, compare.main([*runs, "--out", str(exported), "--format", "gif"]),
             "was made by aezoo export, not aezoo compare")
    # A comparison by an aezoo from before markers is redone in place.
    old = tmp_path / "old"
    assert compare.main([*runs, "--out", str(old), "--format", "gif"]) == 0
    os.remove(old / owner.MARKER)
    assert compare.main([*runs, "--out", str(old), "--format", "gif"]) == 0
    assert owner.made_by(str(old)) == "aezoo compare"



def test_a_data_file_named_like_math_renders_as_text(tmp_path):
    data = tmp_path / "$\\oops{$.npy"
    np.save(data, np.random.RandomState(0).randint(0, 256, (60, 6, 5)).astype(np.uint8))
    run = str(tmp_path / "run")
    assert aezoo.run.main(["simple", "--data", f"npy:{data}", "--epochs", "1", "--no-video",
                           "--quiet", "--out", run]) == 0
    assert render.main([run, "--format", "gif"]) == 0


def test_a_config_edited_to_another_model_is_refused_by_compare_and_render(two_runs, tmp_path,
                                                                          capsys):
    """config.json names deep, the checkpoint holds a SimpleAE: one line, as aezoo.load says."""
    a, b = copies(two_runs, tmp_path)
    path = os.path.join(a, "config.json")
    record = json.load(open(path))
    record["config"]["model"] = "deep"
    with open(path, "w") as f:
        json.dump(record, f)
    before = tree_state(tmp_path)
    expected = "its checkpoint holds a SimpleAE, but config.json names a DeepAE"
    one_line(capsys, compare.main([a, b, "--out", str(tmp_path / "cmp")]), expected)
    one_line(capsys, render.main([a]), expected)
    with pytest.raises(aezoo.UsageError, match=expected):
        aezoo.load(a)
    assert tree_state(tmp_path) == before


@pytest.fixture
def read_only():
    """Makes a folder read-only (for root too: a read-only bind mount); undone after."""
    import subprocess
    made = []

    def make(folder):
        if os.geteuid() != 0:
            os.chmod(folder, 0o555)
            made.append(lambda: os.chmod(folder, 0o755))
            return
        bind = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
        if bind.returncode != 0:
            pytest.skip(f"root cannot make a read-only folder here (mount: {bind.stderr!r})")
        made.append(lambda: subprocess.run(["umount", str(folder)], check=True))
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder), str(folder)], check=True)
    yield make
    for undo in made:
        undo()


def test_a_report_into_a_read_only_folder_is_one_line_before_any_rendering(
        two_runs, tmp_path, capsys, monkeypatch, read_only):
    a, b = copies(two_runs, tmp_path)
    cmp = tmp_path / "cmp"
    assert compare.main([a, b, "--out", str(cmp), "--format", "gif", "--dpi", "50"]) == 0
    (cmp / "report.html").unlink()
    rendered = []
    monkeypatch.setattr(report_page, "comparison_section",
                        lambda *args: rendered.append(args) or "")
    read_only(cmp)
    before = tree_state(cmp)
    capsys.readouterr()
    one_line(capsys, report.main([str(cmp)]), f"{cmp}: cannot write report.html there")
    assert rendered == [] and tree_state(cmp) == before
