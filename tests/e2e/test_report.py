"""report.html opened in headless Chromium: it loads from the disk with no console error and
no failed request, has a row per run plus PCA, and every image and video loads.

Chromium is Debian's `chromium` package (make test installs it where it can), driven by
its own command line: --dump-dom after a virtual-time budget shows the result the page's
script writes into <html data-loaded>, and --enable-logging=stderr shows console messages.
Set AEZOO_CHROMIUM to use another binary. Without one the test is skipped, saying why
(it fails instead under AEZOO_REQUIRE_BROWSER=1, which CI sets).
"""
import csv
import html.parser
import json
import os
import re
import shutil
import subprocess

import pytest

import aezoo.run
from aezoo.commands import compare, report
from aezoo.results import comparison
from aezoo.results import report as report_page
from conftest import tree_state

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium():
    given = os.environ.get("AEZOO_CHROMIUM")
    return given if given else next((found for found in map(shutil.which, NAMES) if found), None)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    common = ["--data", "digits", "--epochs", "3", "--no-video", "--quiet"]
    for name, args in (("deep-grow", ["deep", "--grow-every", "2"]), ("simple", ["simple"])):
        assert aezoo.run.main(args + common + ["--out", str(root / name)]) == 0
    out = root / "cmp"
    written = comparison.compare([str(root / "deep-grow"), str(root / "simple")], str(out),
                              formats=("mp4",))
    assert str(out / report_page.FILE) in written  # compare writes the report at its end
    return out


class Rows(html.parser.HTMLParser):
    """Classes of the rows of the score table (table.scores)."""

    def __init__(self):
        super().__init__()
        self.inside, self.rows = False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.inside = "scores" in (attrs.get("class") or "").split()
        elif tag == "tr" and self.inside and attrs.get("class"):
            self.rows.append(attrs["class"])

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False


def test_report_is_self_contained(compared):
    page = (compared / report_page.FILE).read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # no network
    assert not re.search(r"<script[^>]*\ssrc=", page)  # no external script
    # compare.png; compare.mp4 and 2 runs x (progress, latent)
    assert page.count("<img") == 1 and page.count("<video") == 5
    # The comparison video (up to 1920 px wide) leaves the 1400-px text column, so the page
    # shows its text at full size; the runs' own videos stay in the column.
    assert page.count('<figure class="wide"><video title="side by side') == 1
    assert "figure.wide{" in page


def test_report_opens_in_headless_chromium(compared, tmp_path):
    binary = chromium()
    if binary is None:
        reason = "no Chromium found (apt-get install chromium, or set AEZOO_CHROMIUM)"
        if os.environ.get("AEZOO_REQUIRE_BROWSER"):  # CI (.ci/run): never skipped silently
            pytest.fail(reason)
        pytest.skip(reason)
    url = (compared / report_page.FILE).resolve().as_uri()
    common = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]
    done = subprocess.run(common + ["--virtual-time-budget=20000", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []  # the page logs nothing, so any console line is an error
    loaded = re.search(r'<html[^>]*data-loaded="([^"]*)"', done.stdout)
    assert loaded, "the page's script never finished loading its images and videos"
    state = json.loads(html.unescape(loaded.group(1)))
    assert state["errors"] == []  # no failed request, no script error
    assert len(state["images"]) == 1 and all(width > 0 for _, width in state["images"])
    assert len(state["videos"]) == 5 and all(ready >= 1 for _, ready in state["videos"])
    rows = Rows()
    rows.feed(done.stdout)
    with open(compared / "scores.csv") as f:
        pca = [r for r in csv.DictReader(f) if r["model"] == "pca"]
    assert rows.rows.count("run") == 2 and rows.rows.count("baseline") == len(pca) >= 1
    assert len(rows.rows) == 2 + len(pca)
    shot = tmp_path / "report.png"
    subprocess.run(common + ["--hide-scrollbars", "--window-size=1400,2400",
                             "--virtual-time-budget=5000", f"--screenshot={shot}", url],
                   capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000


def test_report_of_a_folder_that_is_no_comparison_is_one_line(compared, tmp_path, capsys):
    run_dir = compared.parent / "simple"
    before = tree_state(run_dir)
    assert report.main([str(run_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a comparison or sweep folder" in err[0]
    assert tree_state(run_dir) == before


def test_report_is_written_again_on_request(compared, tmp_path):
    out = shutil.copytree(compared, tmp_path / "again")
    (out / report_page.FILE).unlink()
    assert report.main([str(out)]) == 0
    assert (out / report_page.FILE).stat().st_size > 10_000


def test_a_sweep_over_several_data_sets_gets_one_page_of_all(compared, tmp_path):
    sweep = tmp_path / "sweep"
    for name in ("compare-digits", "compare-other"):  # as aezoo.sweep lays them out
        shutil.copytree(compared, sweep / name)
    assert report.main([str(sweep)]) == 0
    page = (sweep / report_page.FILE).read_text()
    assert page.count('<table class="sortable scores">') == 2
    assert "compare-digits" in page and "compare-other" in page
