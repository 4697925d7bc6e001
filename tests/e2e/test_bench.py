"""aezoo bench: the quick bench runs every workload; a bad thread count or --json file is one
line, before anything is measured."""
import pytest

from aezoo.commands import bench

def test_bench_quick_runs_every_workload(tmp_path, capsys):
    import json
    from aezoo.commands import bench
    assert bench.main(["--quick", "--json", str(tmp_path / "b.json")]) == 0
    out = capsys.readouterr().out
    found = json.loads((tmp_path / "b.json").read_text())
    assert set(found["results"]) == set(bench.WORKLOADS)
    for name, r in found["results"].items():
        assert r["samples_per_s"]["aezoo"] > 0 and r["samples_per_s"]["stock"] > 0
        assert name in out
    assert 0 < found["artifacts_share"] and found["sgemm_gflops"] > 0
    shares = found["shares"]  # each logger's share, by the cost it declares
    assert shares["files"] == found["artifacts_share"] and shares["loss.png"] > 0
    assert {"terminal", "loss.png"} <= set(shares)
    try:
        import tensorboardX  # noqa: F401
        assert 0 < shares["tensorboard"] < 1 and "tensorboard" in out.splitlines()[-1]
    except ImportError:
        assert "tensorboard" not in shares
    if not found["torch"]:
        assert "comparison was skipped" in out


def test_bench_refuses_a_bad_thread_count(capsys):
    from aezoo.commands import bench
    assert bench.main(["--threads", "0"]) == 2
    assert "--threads 0: expected 1 to 1024" in capsys.readouterr().err


@pytest.mark.parametrize("where, message", [
    ("/nonexistent/x.json", "folder /nonexistent does not exist"),
    (".", "is a folder; expected a file name"),
])
def test_a_json_file_that_cannot_be_written_is_refused_before_measuring(where, message, capsys,
                                                                        monkeypatch):
    measured = []
    monkeypatch.setattr(bench, "sgemm_peak", lambda n: measured.append(n) or 1.0)
    assert bench.main(["--quick", "--json", where]) == 2
    err = capsys.readouterr().err.strip()
    assert f"--json {where}" in err and message in err and len(err.splitlines()) == 1
    assert measured == []
