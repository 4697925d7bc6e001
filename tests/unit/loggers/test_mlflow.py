"""--mlflow: a run logged to MLflow, read back with MLflow's own client (params, every
epoch's metrics, growth, the artifacts, the status), its resume continuing the same MLflow
run, the default SQLite store beside the run folder (without the extra: test_seam.py)."""
import os
from pathlib import Path

import pytest

from aezoo.commands import run
from aezoo.runs import metrics
from conftest import TINY, ctrl_c_in_epoch, only_epoch_0_checkpoint_lands

if os.environ.get("AEZOO_REQUIRE_MLFLOW") != "1":  # CI (.ci/run) sets it: never skipped there
    pytest.importorskip("mlflow", reason="the extra aezoo[mlflow] is not installed")


def runs_of(uri, experiment):
    """{run name: Run} of an experiment of the store at `uri`."""
    from mlflow.tracking import MlflowClient
    client = MlflowClient(uri)
    found = client.get_experiment_by_name(experiment)
    assert found is not None, f"no experiment {experiment!r} in {uri}"
    return client, {r.info.run_name: r for r in client.search_runs([found.experiment_id])}


def history(client, found, key):
    return [(m.step, m.value) for m in client.get_metric_history(found.info.run_id, key)]


@pytest.mark.slow  # MLflow's import and store: seconds
def test_a_run_is_read_back_with_mlflows_client_and_its_resume_continues_it(
        tmp_path, monkeypatch, capsys):
    uri = f"sqlite:///{tmp_path / 'store' / 'tracking.db'}"
    (tmp_path / "store").mkdir()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "outputs" / "simple-run"
    assert run.main(["simple", *TINY, "--epochs", "3", "--mlflow", "--quiet",
                     "--out", str(folder)]) == 0
    assert capsys.readouterr().err == ""  # MLflow's own INFO lines do not show
    client, found = runs_of(uri, "aezoo")
    logged = found["simple-run"]
    assert logged.info.status == "FINISHED"
    assert logged.data.params["model"] == "simple" and logged.data.params["epochs"] == "3"
    assert logged.data.params["data"] == "digits" and logged.data.params["batch_size"] == "64"
    assert "mlflow" not in logged.data.params or logged.data.params["mlflow"] == "True"
    lines = metrics.read(folder)[0]
    assert history(client, logged, "test_loss") == [(r["epoch"], pytest.approx(r["test_loss"]))
                                                    for r in lines]
    assert [s for s, _ in history(client, logged, "train_loss")] == [1, 2, 3]
    assert {"test_bce", "lr", "params", "seconds"} <= set(logged.data.metrics)
    assert logged.data.tags["aezoo.run_dir"] == str(folder)
    artifacts = {a.path for a in client.list_artifacts(logged.info.run_id)}
    assert {"loss.png", "config.json", "architecture.json", "frames"} <= artifacts
    assert [a.path for a in client.list_artifacts(logged.info.run_id, "frames")] == \
        ["frames/epoch_0003.png"]
    local = client.download_artifacts(logged.info.run_id, "frames/epoch_0003.png",
                                      str(tmp_path))
    assert open(local, "rb").read() == (folder / "recon" / "epoch_0003.png").read_bytes()
    assert logged.info.artifact_uri.startswith((tmp_path / "store" / "mlartifacts").as_uri())
    assert not (tmp_path / "mlruns").exists()  # not MLflow's default, in the working folder

    assert run.main(["--resume", str(folder), "--epochs", "4", "--quiet"]) == 0
    client, again = runs_of(uri, "aezoo")
    assert list(again) == ["simple-run"]  # the same MLflow run, continued
    resumed = again["simple-run"]
    assert resumed.info.status == "FINISHED" and "aezoo.resumed.3" in resumed.data.tags
    assert [s for s, _ in history(client, resumed, "test_loss")] == [0, 1, 2, 3, 4]
    assert resumed.data.params["epochs"] == "3"  # params are the run's as it began


@pytest.mark.slow
def test_without_a_tracking_uri_the_store_is_sqlite_in_the_output_root_with_the_videos(
        tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "outputs"
    assert run.main(["deep", "--data", "digits", "--batch-size", "64", "--grow-every", "1",
                     "--epochs", "2", "--mlflow", "--quiet", "--out", str(root / "grown")]) == 0
    assert (root / "mlflow.db").is_file()
    client, found = runs_of(f"sqlite:///{root / 'mlflow.db'}", "aezoo")
    logged = found["grown"]
    growth = [e for e in metrics.read(root / "grown")[1] if e["event"] == "growth"]
    assert [k for k in logged.data.tags if k.startswith("aezoo.growth.")] == ["aezoo.growth.2"]
    assert str(growth[0]["params"]) in logged.data.tags["aezoo.growth.2"]
    assert [v for _, v in history(client, logged, "depth")] == [1, 1, 2]
    assert logged.info.artifact_uri.startswith(f"file://{root / 'mlartifacts'}")
    assert os.path.isfile(root / "mlartifacts" / "aezoo" / logged.info.run_id / "artifacts"
                          / "loss.png")
    assert not (tmp_path / "mlruns").exists()  # nothing in the working folder
    videos = sorted(p.name for p in (root / "grown").glob("progress.*"))
    assert videos and set(videos) <= {a.path for a in client.list_artifacts(logged.info.run_id)}


@pytest.mark.slow
def test_an_interrupted_run_is_killed_and_its_resume_finishes_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'm.db'}")
    folder = tmp_path / "run"
    restore = ctrl_c_in_epoch(monkeypatch, 2)
    assert run.main(["simple", *TINY, "--epochs", "3", "--mlflow", "--quiet",
                     "--out", str(folder)]) == 130
    client, found = runs_of(f"sqlite:///{tmp_path / 'm.db'}", "aezoo")
    assert found["run"].info.status == "KILLED"
    restore()
    assert run.main(["--resume", str(folder), "--quiet"]) == 0
    client, found = runs_of(f"sqlite:///{tmp_path / 'm.db'}", "aezoo")
    assert found["run"].info.status == "FINISHED"
    assert [s for s, _ in history(client, found["run"], "test_loss")] == [0, 1, 2, 3]


@pytest.mark.slow
def test_a_resume_from_epoch_0_continues_the_same_mlflow_run(tmp_path, monkeypatch):
    uri = f"sqlite:///{tmp_path / 'm.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    folder = tmp_path / "run"
    with monkeypatch.context() as patched:
        only_epoch_0_checkpoint_lands(patched)
        assert run.main(["simple", *TINY, "--epochs", "2", "--mlflow", "--quiet",
                         "--out", str(folder)]) == 0
    assert run.main(["--resume", str(folder), "--quiet"]) == 0
    client, found = runs_of(uri, "aezoo")
    experiment = client.get_experiment_by_name("aezoo").experiment_id
    assert len(client.search_runs([experiment])) == 1  # not a second MLflow run of the folder
    assert found["run"].info.status == "FINISHED" and "aezoo.resumed.0" in found["run"].data.tags


@pytest.mark.slow
def test_aezoo_fit_with_mlflow_logs_the_run_and_its_video(tmp_path, monkeypatch):
    import aezoo
    uri = f"sqlite:///{tmp_path / 'fit.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    fitted = aezoo.fit("simple", data="digits", epochs=1, mlflow=True, quiet=True,
                       out=str(tmp_path / "fitted"), progress=False)
    client, found = runs_of(uri, "aezoo")
    logged = found["fitted"]
    assert logged.info.status == "FINISHED" and logged.data.params["epochs"] == "1"
    assert [s for s, _ in history(client, logged, "test_loss")] == [0, 1]
    artifacts = {a.path for a in client.list_artifacts(logged.info.run_id)}
    videos = {p.name for p in Path(fitted.path).glob("progress.*")}
    assert videos and videos <= artifacts
