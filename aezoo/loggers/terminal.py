"""What a run prints while it trains, as Keras users expect.

    epoch 7/40  train bce 0.4120  test bce 0.4050  best  0.37 s
    grew to depth 2: 64-128-64, 33,152 params, test bce +0.001

Every number is named (a VAE's line shows its elbo, as its summary does).

One line kept per epoch, growth and other events as lines, and in a terminal a
run-level bar with the ETA below them (tqdm; the loop's batch bar sits under it).
Where stderr is not a terminal (CI, `| tee`) the same lines, plain, as they come.
--quiet prints none of it. train/start.py says its own lines (what it does, how the
run ended) through say(), so they land above the bar too.
"""
import math
import sys

from tqdm import tqdm

from aezoo.loggers.contract import Logger


class Terminal(Logger):
    on_resume = "counts the bar from the checkpoint's epoch"
    cost = "terminal"

    def __init__(self, stream=None, quiet=False):
        self.stream, self.quiet, self.bar = stream or sys.stderr, quiet, None
        self.total, self.input_width, self.score = None, None, None

    def start(self, run):
        self.quiet = self.quiet or run.cfg.quiet
        self.total, self.score = run.cfg.epochs, run.score
        self.input_width = math.prod(run.dataset.shape)  # a growing model's first width
        if run.tty and not self.quiet:
            self.bar = tqdm(total=self.total, initial=run.epoch, desc="run", unit="epoch",
                            position=0, file=self.stream, dynamic_ncols=True)

    def say(self, line):
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def epoch(self, epoch):
        m, (name, key) = epoch.metrics, self.score
        parts = [f"epoch {epoch.number}/{self.total}"]
        if f"train_{key}" in m:
            parts.append(f"train {name} {m[f'train_{key}']:.4f}")
        parts.append(f"test {name} {m[f'test_{key}']:.4f}")
        if epoch.number == 0:
            parts.append("untrained")
        elif epoch.best:
            parts.append("best")
        if "seconds" in m:
            parts.append(seconds(m["seconds"]))
        self.say("  ".join(parts))
        if self.bar is not None and epoch.number > 0:
            self.bar.update(1)

    def growth(self, record):
        if record["event"] == "growth":
            score = next(k for k in record if k.endswith("_jump") and k.startswith("test_"))
            name = score[len("test_"):-len("_jump")]
            shape = "-".join(map(str, [self.input_width] + record["widths"]))  # input to code
            self.say(f"grew to depth {record['depth']}: {shape}, {record['params']:,} params, "
                     f"test {name} {record[score]:+.3f}")
        elif record["event"] == "faded_in":
            self.say(f"faded in: depth {record['depth']}'s new code is the model's code now")

    def end(self, how):
        if self.bar is not None:  # the bar goes before start.py's closing lines
            self.bar.close()
            self.bar = None


def seconds(value):
    """'0.043 s', '0.37 s', '1.25 s', '12.3 s': two or three significant digits, never '0.0 s'."""
    return f"{value:.2g} s" if value < 1 else f"{value:.3g} s" if value < 100 else f"{value:.0f} s"
