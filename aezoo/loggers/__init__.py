"""Loggers: the sinks of a run, every one told the same things (contract.py says what).

    terminal      the line of every epoch, growth's lines, the run bar (terminal.py)
    recon         recon/epoch_NNNN.npz and .png, the arrays every picture is drawn from
    metrics       metrics.jsonl, a line an epoch and an event line a growth
    loss.png      the run's curves
    tensorboard   with --tensorboard: event files in RUN_DIR/tensorboard (the extra)
    mlflow        with --mlflow: an MLflow run (the extra aezoo[mlflow])

LOGGERS is the one list: a run has the loggers its options want (Logger.wanted), told
in this order by train/tell.py. The options a logger declares join Config (config.py),
whether they may change on a resume is its own word (RESUMABLE below), and aezoo bench
reports the time of each by the share it names (speed/clock.py). A new logger is a
file here and a line in LOGGERS.

It imports only errors, runs, viz and the models' Option; whatever is heavy (matplotlib,
imageio, tensorboardX, MLflow) inside the logger's calls, since config.py reads the
declarations here and `aezoo --help` must stay light.
"""
from aezoo.loggers.loss_plot import LossPlot
from aezoo.loggers.metrics_line import MetricsLine
from aezoo.loggers.mlflow import MLflow
from aezoo.loggers.recon_files import ReconFiles
from aezoo.loggers.tensorboard import TensorBoard
from aezoo.loggers.terminal import Terminal

LOGGERS = {
    "terminal": Terminal,
    "recon": ReconFiles,
    "metrics": MetricsLine,
    "loss.png": LossPlot,
    "tensorboard": TensorBoard,
    "mlflow": MLflow,
}


def run_options():
    """{name: Option} of every logger's options, in LOGGERS' order."""
    return {name: option for cls in LOGGERS.values() for name, option in cls.options.items()}


RESUMABLE = tuple(name for cls in LOGGERS.values() if cls.resumable for name in cls.options)


def wanted(cfg):
    """The loggers of the run `cfg` (a run folder's: the terminal alone has none), unstarted."""
    return [cls() for cls in LOGGERS.values() if cls.wanted(cfg)]


def rendered(cfg, run_dir, paths):
    """Tell the run's loggers of its videos, rendered after its end (Logger.rendered)."""
    for cls in LOGGERS.values():
        if cls.wanted(cfg):
            cls.rendered(cfg, run_dir, paths)


def check(cfg):
    """A UsageError when a logger the run wants cannot work here; nothing written."""
    for cls in LOGGERS.values():
        if cls.wanted(cfg):
            cls.check(cfg)

