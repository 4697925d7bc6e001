"""Trainer callbacks: named hooks, and the state they keep across a resume, typed.

    class Mine(Callback):
        def on_epoch_end(self, trainer): ...

The loop fires six hooks, in this order within an epoch (and one when the run ends):

    on_epoch_start    before the epoch's first batch (growth adds its layer pair here)
    on_batch_start    before each update (schedules set the batch's learning rate)
    on_batch_end      after each update (trainer.loss holds the batch's loss)
    on_epoch_end      after the epoch's evaluation (trainer.metrics); epoch 0 too
    on_params_changed when the model gained parameters (growth fires it)
    on_run_end        once trainer.run ends, however (finished, stopped, Ctrl-C, an error):
                      work still in flight lands here (the checkpoint writer waits)

Callbacks fire in the order of the run's list, which train/start.py writes
down once. What a callback needs after a resume lives in trainer.state, a
TrainState that every checkpoint saves as JSON (`to_json`/`from_json`).
"""
from dataclasses import asdict, dataclass, field, fields, is_dataclass

HOOKS = ("epoch_start", "batch_start", "batch_end", "epoch_end", "params_changed", "run_end")


class Callback:
    """A trainer callback: override the hooks it needs; the others do nothing."""

    def on_epoch_start(self, trainer):
        pass

    def on_batch_start(self, trainer):
        pass

    def on_batch_end(self, trainer):
        pass

    def on_epoch_end(self, trainer):
        pass

    def on_params_changed(self, trainer):
        pass

    def on_run_end(self, trainer):
        pass


class OnHook(Callback):
    """One function on one hook: trainer.add_callback("epoch_end", fn) for a quick callback."""

    def __init__(self, hook, fn):
        if hook not in HOOKS:
            raise ValueError(f"hook {hook!r}: expected one of {', '.join(HOOKS)}")
        setattr(self, f"on_{hook}", fn)


@dataclass
class Best:
    """The best epoch so far by `score` (train/best.py); depth: the model's when it was found."""
    score: str
    epoch: int = None
    value: float = None
    depth: int = None


@dataclass
class GrowthLosses:
    """Batch losses around the latest growth (train/growth.py): the jump it caused."""
    recent: list = field(default_factory=list)
    before: list = field(default_factory=list)
    after: list = field(default_factory=list)


@dataclass
class TrainState:
    untrained_test_loss: float = None  # epoch 0's test loss: the divergence check's yardstick
    warned_rising: bool = False        # the rising-loss warning was given
    best: Best = None
    stopped_early: int = None          # the epoch --patience ended the run at
    patience_from: int = 0             # a resumed run counts patience from here
    growth: GrowthLosses = None

    def to_json(self):
        """A JSON-able dict, without the fields still at their defaults (as older aezoo wrote)."""
        defaults = TrainState()
        return {f.name: asdict(value) if is_dataclass(value) else value
                for f in fields(self) if (value := getattr(self, f.name)) != getattr(defaults, f.name)}

    @classmethod
    def from_json(cls, record):
        """The state a checkpoint saved (any aezoo version's: unknown keys are dropped)."""
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in record.items() if k in known})
        if isinstance(state.best, dict):
            state.best = Best(**state.best)
        if isinstance(state.growth, dict):
            state.growth = GrowthLosses(**state.growth)
        return state
