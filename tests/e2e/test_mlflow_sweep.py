"""aezoo sweep --workers 2 --mlflow: every run of the sweep is an MLflow run in one experiment
named after the sweep, in a new SQLite store that two processes write at once (none may fail
on a locked database), read back with MLflow's client."""
import os

import pytest

from aezoo.commands import sweep

if os.environ.get("AEZOO_REQUIRE_MLFLOW") != "1":  # CI (.ci/run) sets it: never skipped there
    pytest.importorskip("mlflow", reason="the extra aezoo[mlflow] is not installed")

SWEEP = """
[defaults]
model = "simple"
data = "digits"
epochs = 1
batch_size = 64
[grid]
code_dim = [4, 8]
"""


def test_two_workers_log_every_run_into_the_sweeps_experiment(tmp_path, monkeypatch, capsys):
    from mlflow.tracking import MlflowClient
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "board.toml"
    path.write_text(SWEEP)
    out = tmp_path / "outputs" / "board"
    assert sweep.main([str(path), "--out", str(out), "--workers", "2", "--mlflow"]) == 0
    assert "database is locked" not in capsys.readouterr().err
    client = MlflowClient(f"sqlite:///{tmp_path / 'outputs' / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("board")
    runs = {r.info.run_name: r for r in client.search_runs([experiment.experiment_id])}
    assert sorted(runs) == ["code_dim=4", "code_dim=8"]
    for name, found in runs.items():
        assert found.info.status == "FINISHED" and found.data.params["code_dim"] == name[-1]
        steps = [m.step for m in client.get_metric_history(found.info.run_id, "test_loss")]
        assert steps == [0, 1]
        assert found.data.tags["aezoo.run_dir"] == str(out / name)
    for log in out.glob("*.log"):  # each worker's lines: no MLflow error among them
        assert "Traceback" not in log.read_text()
