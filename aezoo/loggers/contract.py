"""What a logger is: a sink of a run, told what happens and declaring what it owns.

    class Mine(Logger):
        options = {"mine": Option(False, bool, "write my files", None)}   # --mine
        cost = "mine"                                  # aezoo bench reports its share

        @classmethod
        def wanted(cls, cfg): return cfg.mine
        def start(self, run): ...       # options, data, architecture; run.resumed: from run.epoch
        def epoch(self, epoch): ...     # epoch.metrics, epoch.arrays (the snapshot's), ...
        def growth(self, record): ...   # growth, growth_batches, faded_in (as metrics.jsonl's)
        def end(self, how): ...         # finished, stopped, interrupted, diverged, ...
        @classmethod
        def rendered(cls, cfg, run_dir, paths): ...   # the videos, rendered after the end

A logger is told, never asked: it sees values (the options, the data's description,
the model's layers, the epoch's scores and arrays), never the trainer, the model or
another logger, so it cannot change the run. The seam that tells them is
train/tell.py; which loggers a run has, and in which order, is loggers/__init__.py.
A logger that fails raises: the run stops as for any other error of its files.
"""
from dataclasses import dataclass

from aezoo.models.option import Option  # noqa: F401  (a logger's options are declared with it)

# How a run ended, as end(how) is told
FINISHED, STOPPED, INTERRUPTED, DIVERGED, OUT_OF_MEMORY, FAILED = (
    "finished", "stopped", "interrupted", "diverged", "out of memory", "failed")


@dataclass
class RunInfo:
    """What a logger is told at the start: everything about the run that does not change."""
    cfg: object          # the resolved options (config.Config)
    run_dir: str         # the run folder (absolute)
    dataset: object      # the data (data/dataset.py): its description, test samples, labels
    layers: list         # the model's layers() as architecture.json records them
    params: int          # the model's parameters
    score: tuple         # (name, key) of the number an epoch's line shows (model.line_score())
    epoch: int = 0       # the epoch it starts from: 0 for a new run, else a resume's checkpoint
    tty: bool = False    # stderr is a terminal
    # it continues a checkpoint: epoch 0's too, which a run killed while its first epochs'
    # checkpoints were still being written leaves (their metrics lines written already)
    resumed: bool = False


@dataclass
class Epoch:
    """What a logger is told at an epoch's end (epoch 0: the untrained model)."""
    number: int
    metrics: dict        # the line metrics.jsonl gets: scores, seconds, params, lr, depth
    arrays: dict         # the snapshot's arrays (runs/recon.py), or None
    best: bool           # the best epoch so far
    layers: list = None  # the model's layers when they changed (grew) in this epoch


class Logger:
    """A sink of a run. Subclasses override the calls they need and declare:"""
    options = {}         # {name: Option}: the run options it owns; config.py adds them to Config
    resumable = True     # its options may be changed (turned on or off) when a run is resumed
    on_resume = "goes on from the checkpoint's epoch"  # what it does on a resume (docs/loggers.md)
    cost = "files"       # the share its time is counted in by aezoo bench (speed/clock.py)

    @classmethod
    def wanted(cls, cfg):
        """Whether the run `cfg` has this logger (one with an option: when it is set)."""
        return True

    @classmethod
    def check(cls, cfg):
        """Raise a UsageError when the logger cannot work for `cfg` (a missing extra): called
        when the run is planned, before anything is written."""

    def start(self, run):
        pass

    def epoch(self, epoch):
        pass

    def growth(self, record):
        pass

    def end(self, how):
        pass

    @classmethod
    def rendered(cls, cfg, run_dir, paths):
        """The run's videos, rendered after its end (they take seconds to minutes, and Ctrl-C
        must reach their rendering; the run is whole by then): a logger that keeps them takes
        them here, from the run folder's own record of it."""
