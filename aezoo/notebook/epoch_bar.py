"""The progress display of aezoo.fit in Jupyter: one tqdm.auto bar over the run's epochs.

In Jupyter tqdm.auto is a widget (ipywidgets) or, without ipywidgets, a text bar; in a
terminal or a log, fit keeps the command line's own display (loggers/terminal.py).
"""
import sys

from tqdm.auto import tqdm

from aezoo.train.callbacks import Callback


def in_jupyter():
    """True in a Jupyter kernel (a notebook, JupyterLab, nbclient), not in a terminal IPython."""
    shell = sys.modules.get("IPython")
    ip = shell.get_ipython() if shell else None
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


class EpochBar(Callback):
    """A bar of the run's epochs with the last test score; made at the first epoch's end, so
    a resumed run's bar starts where it left off."""

    def __init__(self, epochs):
        self.epochs, self.bar = epochs, None

    def on_epoch_end(self, trainer):
        if self.bar is None:
            self.bar = tqdm(total=self.epochs, initial=trainer.epoch, unit="epoch",
                            desc=type(trainer.model).__name__)
        else:
            self.bar.update(trainer.epoch - self.bar.n)
        name, key = trainer.model.line_score()
        self.bar.set_postfix_str(f"test {name} {trainer.metrics[f'test_{key}']:.4f}")

    def close(self):
        if self.bar is not None:
            self.bar.close()
