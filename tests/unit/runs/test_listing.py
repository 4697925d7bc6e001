"""aezoo runs: the run folders under a folder, newest first, with their scores; a damaged one
is named and skipped, a missing folder is one line."""
import json
import os

from aezoo.commands import runs as runs_command
from aezoo.runs import listing, metrics
from aezoo.run import main
from conftest import TINY


def test_runs_lists_every_run_newest_first_with_its_best_score(tmp_path, capsys):
    root = tmp_path / "outputs"
    assert main(["simple", "--epochs", "2", *TINY, "--quiet", "--out", str(root / "a")]) == 0
    assert main(["vae", "--epochs", "1", *TINY, "--quiet", "--out", str(root / "sweep" / "b")]) == 0
    config = root / "a" / "config.json"  # make a the older run, whatever the clock said
    record = json.loads(config.read_text())
    record["created"] = "2000-01-01T00:00:00"
    config.write_text(json.dumps(record))
    (root / "notes").mkdir()  # not a run: not listed
    capsys.readouterr()
    assert runs_command.main([str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["run", "model", "data", "epochs", "best", "test", "(epoch)",
                              "size", "date"]
    assert [line.split()[0] for line in out[1:]] == [os.path.join("sweep", "b"), "a"]
    a = [r for r in metrics.read(root / "a")[0] if r["epoch"] > 0]
    best = min(a, key=lambda r: r["test_bce"])
    assert out[2].split()[1:5] == ["simple", "digits", "2", "bce"]
    assert f"bce {best['test_bce']:.4g} ({best['epoch']})" in out[2]
    assert "2000-01-01 00:00" in out[2]
    b = metrics.read(root / "sweep" / "b")[0][1]
    assert f"elbo {b['test_elbo']:.4g} (1)" in out[1]


def test_a_damaged_run_is_named_and_the_others_still_listed(tmp_path, capsys):
    root = tmp_path / "outputs"
    assert main(["simple", "--epochs", "1", *TINY, "--quiet", "--out", str(root / "good")]) == 0
    bad = root / "bad"
    bad.mkdir()
    (bad / "config.json").write_text("{not json")
    (bad / "metrics.jsonl").write_text("")
    capsys.readouterr()
    assert runs_command.main([str(root)]) == 0
    captured = capsys.readouterr()
    assert [line.split()[0] for line in captured.out.splitlines()[1:]] == ["good"]
    assert captured.err.startswith(f"aezoo runs: {bad} skipped: ")
    assert (bad / "config.json").read_text() == "{not json"  # listing writes nothing


def test_a_missing_folder_is_one_line_and_status_2(tmp_path, capsys):
    assert runs_command.main([str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"aezoo runs: error: {tmp_path / 'nowhere'} is not a folder"


def test_an_empty_folder_says_there_are_no_runs(tmp_path, capsys):
    assert runs_command.main([str(tmp_path)]) == 0
    assert "no run folders" in capsys.readouterr().err


def test_sizes_and_times_read_as_people_write_them():
    assert [listing.size(n) for n in (512, 1536, 812_000, 3_400_000)] == \
        ["512 B", "1.5 KB", "812 KB", "3.4 MB"]
    assert [listing.elapsed(s) for s in (43.2, 259, 3720)] == ["43 s", "4 min 19 s", "1 h 02 min"]


def test_a_grown_runs_best_is_at_its_final_depth(grown_wide_early):
    """aezoo runs shows a grown run's best from its final network, even where its wider code
    before the growth scored lower."""
    from aezoo.runs.listing import summarize
    copy, final = grown_wide_early
    summary = summarize(str(copy))
    assert summary.best == min(r["test_bce"] for r in final) > 0.001
    assert summary.best_epoch in (3, 4)
