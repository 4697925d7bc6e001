"""loss.png: the run's curves from metrics.jsonl, at the end however the run ends (when an
epoch was logged), and meanwhile at most every EVERY seconds.

A matplotlib figure costs about 50 ms, several epochs of a small model on
digits: redrawing it every epoch would double such a run's time.
"""
import time

from aezoo.loggers.contract import Logger

EVERY = 30.0  # seconds between redraws while training


class LossPlot(Logger):
    on_resume = "draws the whole run again, from metrics.jsonl"
    cost = "loss.png"

    def start(self, run):
        self.run_dir, self.cfg, self.last = run.run_dir, run.cfg, time.monotonic()

    def epoch(self, epoch):
        if time.monotonic() - self.last >= EVERY and epoch.number < self.cfg.epochs:
            self.draw()

    def end(self, how):
        self.draw()

    def draw(self):
        from aezoo.viz import curves
        curves.save_run(self.run_dir, self.cfg)
        self.last = time.monotonic()
