"""aezoo bench: the quick bench runs every workload; a bad thread count is one line."""



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
    if not found["torch"]:
        assert "comparison was skipped" in out


def test_bench_refuses_a_bad_thread_count(capsys):
    from aezoo.commands import bench
    assert bench.main(["--threads", "0"]) == 2
    assert "--threads 0: expected 1 to 1024" in capsys.readouterr().err
