"""What saving a run's per-epoch files costs, as a share of the training they record.

    .venv/bin/python benchmarks/epoch_cost.py [--epochs 10] [--model simple]

Trains one run on the bundled digits and one on MNIST-sized data (the 10,000
images of ../shared/data/mnist split 8,000 / 2,000, or random images of that
size when the file is absent), batch 128, and times, in the same process and
the same epochs, the training (updates and evaluation) and the epoch-end
callbacks that write files: snapshot arrays and PNG, metrics line and
checkpoint every epoch; loss.png at the end (and every 30 s of a long run),
reported apart as the number of epochs of training it equals. Prints ratios
only; README's figures come from here.

With --tensorboard the same run is trained a second time, right after, with
--tensorboard on: its event files' share of the training is printed beside the
files' share, as the percentage points they add (docs/tensorboard.md).
"""
import argparse
import os
import sys
import tempfile

import numpy as np

from aezoo.speed.clock import clock_parts
from aezoo.train.build import configured
from aezoo.train.plan import plan
from aezoo.train.start import prepare

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist",
                      "t10k-images-idx3-ubyte.gz")


def measure(model, data, epochs, folder, tensorboard=False):
    cfg, given = configured(model, ({"data": data, "epochs": epochs, "batch_size": 128,
                                     "video": False, "out": os.path.join(folder, "run"),
                                     "tensorboard": tensorboard}, "bench"))
    trainer = prepare(plan(cfg, given)).trainer
    spent = clock_parts(trainer)
    trainer.run(epochs)
    return spent


def share(spent, key, spec=".1f", unit=" %"):
    return f"{100 * spent[key] / spent['training']:{spec}}{unit}"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--model", default="simple")
    p.add_argument("--tensorboard", action="store_true",
                   help="also time the same run with --tensorboard (needs aezoo[tensorboard])")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        mnist = f"idx:{SHARED}"
        if not os.path.exists(SHARED):
            images = np.random.RandomState(0).randint(0, 256, (10000, 28, 28)).astype(np.uint8)
            np.save(os.path.join(folder, "mnist-sized.npy"), images)
            mnist = f"npy:{os.path.join(folder, 'mnist-sized.npy')}"
        for name, data in (("digits", "digits"), ("MNIST-sized", mnist)):
            spent = measure(args.model, data, args.epochs, os.path.join(folder, name))
            epoch = spent["training"] / (args.epochs + 1)  # the untrained epoch 0 is evaluated too
            print(f"{args.model} on {name}, {args.epochs} epochs: per-epoch files cost "
                  f"{100 * spent['files'] / spent['training']:.0f} % of the training time; "
                  f"loss.png at the end, {spent['loss.png'] / epoch:.1f} epochs of it; all files "
                  f"{100 * (spent['files'] + spent['loss.png']) / spent['training']:.0f} %",
                  flush=True)
            if args.tensorboard:
                board = measure(args.model, data, args.epochs, os.path.join(folder, name + "-tb"),
                                tensorboard=True)
                print(f"  with --tensorboard: per-epoch files {share(board, 'files')}, event "
                      f"files {share(board, 'tensorboard')} of the training: "
                      f"+{share(board, 'tensorboard', '.2f', '')} percentage points", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
