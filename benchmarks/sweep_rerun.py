"""What running a finished sweep again costs, as a share of its first run.

    .venv/bin/python benchmarks/sweep_rerun.py [--epochs 20]

Runs experiments/quick.toml (its 7 image models on digits) with its epochs set
to --epochs, in a temporary folder, then the same sweep again. The second run
skips every finished run, and the comparison and report are reused because
their inputs' digest is unchanged (results/manifest.py), so it costs the
process's start and the check. Prints both times and their ratio; the issue's
target is at most 25 %. The docs' Sweeps page quotes it.
"""
import argparse
import contextlib
import io
import os
import re
import sys
import tempfile
import time

from aezoo.commands import sweep

QUICK = os.path.join(os.path.dirname(__file__), "..", "experiments", "quick.toml")


def timed(argv):
    began = time.perf_counter()
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = sweep.main(argv)
    if status != 0:
        sys.exit(f"sweep_rerun: the sweep ended with status {status}:\n{err.getvalue()}")
    return time.perf_counter() - began, err.getvalue()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=20, help="epochs of every run (quick.toml: 60)")
    args = p.parse_args(argv)
    with open(QUICK) as f:
        text = re.sub(r"(?m)^epochs = \d+", f"epochs = {args.epochs}", f.read())
    with tempfile.TemporaryDirectory(prefix="aezoo-bench-") as folder:
        path = os.path.join(folder, "quick.toml")
        with open(path, "w") as f:
            f.write(text)
        out = os.path.join(folder, "out")
        first, _ = timed([path, "--out", out])
        again, said = timed([path, "--out", out])
    reused = "reused it" in said and "kept it" in said
    print(f"quick.toml, {args.epochs} epochs a run: first {first:.1f} s, again {again:.2f} s "
          f"= {100 * again / first:.2f} % of the first (comparison and report reused: "
          f"{'yes' if reused else 'NO'})")
    return 0 if reused else 1


if __name__ == "__main__":
    sys.exit(main())
