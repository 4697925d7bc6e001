"""Per-epoch files as a share of training, as aezoo bench measures it, for a chosen deep model.

    .venv/bin/python benchmarks/files_share.py [--hidden 1000,500,250]

The bench's own measurement (3 epochs, 4,000 MNIST-sized random images, the
deep model; with --hidden, that model with a 30-value code). To compare two
commits, run it alternately with PYTHONPATH at each one's source.
"""
import argparse
import os
import tempfile

import numpy as np

from aezoo.commands import bench
from aezoo.speed.clock import clock_parts
from aezoo.train.build import configured
from aezoo.train.plan import plan
from aezoo.train.start import prepare


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hidden", help="e.g. 1000,500,250 (default: the bench's deep model)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        if not args.hidden:
            share = bench.artifacts(folder, 3)["files"]  # its other keys: the loggers
        else:
            np.save(os.path.join(folder, "x.npy"), (bench.images(4000) * 255).astype(np.uint8))
            cfg, given = configured("deep", ({
                "data": f"npy:{os.path.join(folder, 'x.npy')}", "epochs": 3, "video": False,
                "quiet": True, "out": os.path.join(folder, "run"), "code_dim": 30,
                "hidden": [int(v) for v in args.hidden.split(",")]}, "bench"))
            trainer = prepare(plan(cfg, given)).trainer
            spent = clock_parts(trainer)
            trainer.run(3)
            share = spent["files"] / spent["training"]
    print(f"deep {args.hidden or 'default'}: per-epoch files {100 * share:.0f} % of training "
          f"(load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
