"""aezoo.Comparison: the scores table and plot inline, writing nothing; its files by
`aezoo compare`'s code on request; runs that cannot be compared refused in one line."""
import os

import pytest

import aezoo

TINY = dict(data="digits", batch_size=64, video=False, epochs=1)


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmp")
    return (aezoo.fit("simple", out=str(root / "simple"), **TINY),
            aezoo.fit("deep", out=str(root / "deep<b>"), **TINY))


def test_a_comparison_shows_a_table_of_both_runs_and_pca(two, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cmp = aezoo.Comparison(*two)
    page = cmp._repr_html_()
    assert "<table>" in page and "simple" in page and "deep&lt;b&gt;" in page
    assert "deep<b>" not in page
    assert any(r["model"] == "pca" for r in cmp.rows) and "pca-" in page
    assert page.count('src="data:image/png;base64,') == 1  # the plot
    assert [r["run"] for r in cmp.rows[:2]] == ["simple", "deep<b>"]
    assert os.listdir(tmp_path) == []  # showing it wrote nothing


@pytest.mark.slow
def test_write_makes_what_aezoo_compare_makes(two, tmp_path):
    written = aezoo.Comparison(*two).write(str(tmp_path / "cmp"), formats=())
    assert {os.path.basename(p) for p in written} == {"scores.csv", "scores.md", "compare.png",
                                                      "report.html"}


@pytest.mark.parametrize("runs, message", [
    ((123,), r"Comparison's run 1 123: expected a folder path"),
    (([None, None],), r"Comparison's run 1 is a list: give the runs as separate arguments"),
    (("x", b"y"), r"Comparison's run 2 b'y': expected a folder path"),
])
def test_runs_of_a_wrong_type_are_one_line(runs, message):
    with pytest.raises(aezoo.UsageError, match=message):
        aezoo.Comparison(*runs)


def test_unknown_video_formats_are_one_line_and_nothing_is_written(two, tmp_path):
    with pytest.raises(aezoo.UsageError, match=r"formats \('bogus',\): expected some of gif, mp4"):
        aezoo.Comparison(*two).write(str(tmp_path / "cmp"), formats=("bogus",))
    assert os.listdir(tmp_path) == []


def test_runs_given_twice_are_refused(two):
    with pytest.raises(aezoo.UsageError, match="is given twice"):
        aezoo.Comparison(two[0], two[0].path)


@pytest.mark.slow
def test_video_writes_the_comparison_and_shows_it_inline(two, tmp_path):
    cmp = aezoo.Comparison(*two, out=str(tmp_path / "cmp"))
    shown = cmp.video()
    assert os.path.dirname(shown.path) == str(tmp_path / "cmp")
    assert os.path.basename(shown.path) in ("compare.mp4", "compare.gif")
    assert shown._repr_html_().startswith(("<video", "<img"))
