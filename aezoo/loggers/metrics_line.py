"""metrics.jsonl: the epoch's line (scores, seconds, parameters, learning rate, depth) and the
growth's event lines, appended as they come (runs/metrics.py reads them)."""
from aezoo.loggers.contract import Logger


class MetricsLine(Logger):
    on_resume = "drops the lines after the checkpoint's epoch (an interrupted run's), then appends"

    def start(self, run):
        from aezoo.runs import metrics
        self.run_dir = run.run_dir
        if run.resumed:
            metrics.truncate(run.run_dir, run.epoch)

    def epoch(self, epoch):
        from aezoo.runs import metrics
        metrics.append(self.run_dir, epoch.metrics)

    def growth(self, record):
        from aezoo.runs import metrics
        metrics.append(self.run_dir, record)
