"""MLflow: each run an MLflow run, with its options, every epoch's scores and its pictures.

    aezoo run deep --data digits --epochs 3 --mlflow
    mlflow ui --backend-store-uri sqlite:///outputs/mlflow.db     # then http://127.0.0.1:5000

Where: MLflow's configured tracking URI (MLFLOW_TRACKING_URI), or, when none is set, a
SQLite store in the output root, the folder that holds the run folder (outputs/mlflow.db).
A SQLite store's new experiments keep their artifacts beside it (outputs/mlartifacts/),
not in MLflow's default ./mlruns of whatever folder the run started in. A lone run goes into the experiment
"aezoo" (or MLFLOW_EXPERIMENT_NAME); a sweep's runs into one experiment named after the
sweep's folder, the output root then being the folder that holds the sweep's.

What: the options as params; every epoch's line of metrics.jsonl as metrics at step =
epoch; each growth as a tag (aezoo.growth.EPOCH: its metrics.jsonl record; a fade-in's end
as aezoo.faded_in.EPOCH); at the end
the last reconstruction grid, loss.png, config.json and architecture.json as artifacts,
and the status (FINISHED; KILLED when interrupted; FAILED when it diverged or failed);
then the videos (progress.gif, progress.mp4) once they are rendered. RUN_DIR/mlflow.json keeps the MLflow run's id, so a resumed run continues it.

Several processes write one SQLite file at once in a sweep with --workers: every call
to the store holds a lock on a file beside it (mlflow.db.lock), so none fails on a
locked database and the tables are made once. MLflow is the extra aezoo[mlflow],
imported only by a run with --mlflow (it takes seconds).
"""
import contextlib
import json
import os
import pathlib
import time

from aezoo import __version__
from aezoo.errors import UsageError
from aezoo.loggers.contract import FINISHED, INTERRUPTED, STOPPED, Logger, Option
from aezoo.runs import locks

INSTALL = "pip install 'aezoo[mlflow]'"
DATABASE, ARTIFACTS, RECORD = "mlflow.db", "mlartifacts", "mlflow.json"
EXPERIMENT = "aezoo"  # a lone run's experiment
SWEEP = "aezoo sweep"  # the marker a sweep's folder holds (runs/owner.py)
KIND = {"mlflow.experimentKind": "custom_model_development"}  # the UI opens on model training
STATUS = {FINISHED: "FINISHED", STOPPED: "FINISHED", INTERRUPTED: "KILLED"}  # else FAILED


def store(run_dir):
    """(tracking URI, experiment name, artifact location or None) of a run folder."""
    from aezoo.runs import owner
    parent = os.path.dirname(os.path.abspath(run_dir))
    in_sweep = owner.made_by(parent) == SWEEP
    root = os.path.dirname(parent) if in_sweep else parent
    name = (os.path.basename(parent) if in_sweep
            else os.environ.get("MLFLOW_EXPERIMENT_NAME") or EXPERIMENT)
    uri = os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{os.path.join(root, DATABASE)}"
    if uri.startswith("sqlite:///"):  # a file here: the artifacts beside it, not in ./mlruns
        return uri, name, os.path.join(os.path.dirname(uri[len("sqlite:///"):]), ARTIFACTS)
    return uri, name, None  # a server or a database: MLflow's own artifact store


def params(cfg):
    """The options as MLflow params (strings): lists as 128,64, unset ones left out."""
    return {k: ",".join(map(str, v)) if isinstance(v, list) else str(v)
            for k, v in cfg.to_dict().items() if v is not None}


@contextlib.contextmanager
def quiet(*names):
    """Only warnings and errors from these libraries' loggers meanwhile: a run prints its
    own lines (and none with --quiet)."""
    import logging
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


class MLflow(Logger):
    options = {"mlflow": Option(False, bool, "log the run to MLflow: MLFLOW_TRACKING_URI, or "
                                "OUT_ROOT/mlflow.db (needs the extra aezoo[mlflow])", None)}
    on_resume = ("continues the MLflow run RUN_DIR/mlflow.json names (a new one if there is "
                 "none); epochs an interrupted run logged after the checkpoint are logged again")
    cost = "mlflow"

    @classmethod
    def wanted(cls, cfg):
        return cfg.mlflow

    @classmethod
    def check(cls, cfg):
        try:
            import mlflow  # noqa: F401
        except ImportError:
            raise UsageError(f"--mlflow needs the extra aezoo[mlflow]: {INSTALL}")

    @contextlib.contextmanager
    def locked(self):
        """A SQLite store is written by one process at a time (see the module docstring)."""
        if not self.uri.startswith("sqlite:///"):
            yield
            return
        with open(self.uri[len("sqlite:///"):] + ".lock", "a") as lock:
            locks.exclusive(lock, wait=True)
            yield

    def start(self, run):
        from mlflow.exceptions import MlflowException
        self.run_dir, self.cfg = run.run_dir, run.cfg
        self.uri, name, artifacts = store(run.run_dir)
        try:
            self.open(run, name, artifacts)
        except MlflowException as e:  # a server that is down, a database it cannot use
            message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise UsageError(f"--mlflow: the tracking store {self.uri} cannot be used: {message}")

    def open(self, run, name, artifacts):
        """The MLflow run: a new one, or on a resume the one this run folder logged to."""
        from mlflow.tracking import MlflowClient
        if artifacts:
            os.makedirs(os.path.dirname(artifacts), exist_ok=True)
        with self.locked(), quiet("mlflow", "alembic"):  # a new store's tables: no INFO lines
            self.client = MlflowClient(self.uri)  # opens the store, making its tables if new
            self.run_id = self.continued() if run.resumed else None
            if self.run_id is None:
                experiment = self.client.get_experiment_by_name(name)
                experiment_id = (experiment.experiment_id if experiment else
                                 self.client.create_experiment(name, artifacts and pathlib.Path(
                                     artifacts, name).as_uri(), tags=KIND))
                self.run_id = self.client.create_run(experiment_id, run_name=os.path.basename(
                    run.run_dir), tags={"aezoo.run_dir": run.run_dir, "aezoo.version": __version__,
                                        "aezoo.data": json.dumps(run.dataset.describe())[:5000],
                                        "aezoo.model": run.cfg.model}).info.run_id
                self.log(params=params(run.cfg))
            else:
                self.client.update_run(self.run_id, status="RUNNING")
                self.client.set_tag(self.run_id, f"aezoo.resumed.{run.epoch}", time.strftime(
                    "%Y-%m-%dT%H:%M:%S"))
        with open(os.path.join(run.run_dir, RECORD), "w") as f:
            json.dump({"tracking_uri": self.uri, "run_id": self.run_id}, f)

    def continued(self):
        """The MLflow run this run folder logged to before, if it is in this store."""
        try:
            with open(os.path.join(self.run_dir, RECORD)) as f:
                record = json.load(f)
            if record["tracking_uri"] == self.uri:
                return self.client.get_run(record["run_id"]).info.run_id
        except Exception:  # no record, or a run the store no longer has: a new MLflow run
            return None

    def log(self, metrics=(), params=None, step=0):
        from mlflow.entities import Metric, Param
        now = int(time.time() * 1000)
        entries = [Metric(k, float(v), now, step) for k, v in metrics]
        pairs = [Param(k, v) for k, v in (params or {}).items()]
        for i in range(0, max(len(entries), len(pairs)), 100):  # at most 100 a call
            self.client.log_batch(self.run_id, metrics=entries[i:i + 100], params=pairs[i:i + 100])

    def epoch(self, epoch):
        found = [(k, v) for k, v in epoch.metrics.items() if k != "epoch"
                 and isinstance(v, (int, float)) and not isinstance(v, bool)]
        with self.locked():
            self.log(found, step=epoch.number)

    def growth(self, record):
        if record["event"] not in ("growth", "faded_in"):  # the model changed (not the losses)
            return
        with self.locked():
            self.client.set_tag(self.run_id, f"aezoo.{record['event']}.{record['epoch']}",
                                json.dumps(record))

    def end(self, how):
        with self.locked():
            for path, folder in self.artifacts():
                self.client.log_artifact(self.run_id, path, folder)
            self.client.set_terminated(self.run_id, STATUS.get(how, "FAILED"))

    @classmethod
    def rendered(cls, cfg, run_dir, paths):
        """The videos, into the MLflow run RUN_DIR/mlflow.json names (ended already)."""
        from mlflow.tracking import MlflowClient
        logger = cls()
        with open(os.path.join(run_dir, RECORD)) as f:
            record = json.load(f)
        logger.uri, logger.run_id = record["tracking_uri"], record["run_id"]
        with logger.locked(), quiet("mlflow", "alembic"):
            client = MlflowClient(logger.uri)
            for path in paths:
                client.log_artifact(logger.run_id, path)

    def artifacts(self):
        """(path, artifact folder) of the files a run shows itself by, those that exist."""
        from aezoo.runs import recon
        folder = os.path.join(self.run_dir, recon.FOLDER)
        saved = recon.saved_epochs(folder)
        found = [(recon.path(folder, saved[-1]), "frames")] if saved else []
        names = ("loss.png", "config.json", "architecture.json")
        found += [(os.path.join(self.run_dir, name), None) for name in names]
        return [(path, folder) for path, folder in found if os.path.exists(path)]
