"""A TPE search with pruning against the full grid over the same growth and learning-rate space.

    .venv/bin/python benchmarks/search_vs_grid.py [--epochs 30] [--trials 16] [--workers 2]

On digits, `deep` for --epochs epochs: the grid crosses lr = 3e-4, 1e-3, 3e-3, 1e-2 with
grow_every = 2, 4, 6, 8 (16 runs, every one to the end); the search draws lr from
[3e-4, 1e-2] (log) and grow_every from 2..8 with TPE for --trials trials, pruned by
--early-stop asha. Both with --workers. Prints, for each: the best test BCE found (the score
a search minimizes), the epochs trained over all runs, and the runs phase's wall time (the
sweep's "trained N run(s) in M:SS"), with the load average before and after.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

GRID = """
[defaults]
data = "digits"
model = "deep"
epochs = {epochs}
[grid]
lr = [0.0003, 0.001, 0.003, 0.01]
grow_every = [2, 4, 6, 8]
"""
SEARCH = """
[defaults]
data = "digits"
model = "deep"
epochs = {epochs}
[search]
lr = {{low = 3e-4, high = 1e-2, log = true}}
grow_every = {{low = 2, high = 8}}
"""


def sweep(path, out, *options):
    done = subprocess.run([sys.executable, "-m", "aezoo", "sweep", path, "--out", out, *options],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    found = re.search(r"trained \d+ run\(s\) in (?:(\d+):)?(\d+):(\d+)", done.stderr)
    h, m, s = (int(found.group(i) or 0) for i in (1, 2, 3))
    return 3600 * h + 60 * m + s


def runs_of(out):
    """(best test BCE over every run and epoch, epochs trained over all runs, runs)."""
    best, epochs, runs = float("inf"), 0, 0
    for name in os.listdir(out):
        path = os.path.join(out, name, "metrics.jsonl")
        if not os.path.isfile(path):
            continue
        records = [json.loads(line) for line in open(path) if line.strip()]
        scored = [r for r in records if "event" not in r and r["epoch"] >= 1]
        if scored:
            runs += 1
            epochs += scored[-1]["epoch"]
            best = min(best, min(r["test_bce"] for r in scored))
    return best, epochs, runs


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--trials", type=int, default=16)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--early-stop", default="asha")
    args = p.parse_args()
    workers = ["--workers", str(args.workers), "--threads", "1"]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, text, options in (
                ("full grid", GRID, workers),
                (f"TPE, {args.trials} trials, --early-stop {args.early_stop}", SEARCH,
                 workers + ["--trials", str(args.trials), "--early-stop", args.early_stop])):
            path = os.path.join(folder, name.split(",")[0].replace(" ", "-") + ".toml")
            with open(path, "w") as f:
                f.write(text.format(epochs=args.epochs))
            out = os.path.join(folder, os.path.basename(path)[:-5])
            load = os.getloadavg()[0]
            seconds = sweep(path, out, *options)
            rows.append((name, *runs_of(out), seconds, load, os.getloadavg()[0]))
            print(rows[-1], flush=True)
    grid = rows[0]
    print("\n| way | runs | best test BCE | against the grid's | epochs | share of the grid's | "
          "runs phase | load before, after |\n|---|--:|--:|--:|--:|--:|--:|--:|")
    for name, best, epochs, runs, seconds, before, after in rows:
        print(f"| {name} | {runs} | {best:.4f} | {100 * (best / grid[1] - 1):+.2f} % | {epochs} | "
              f"{100 * epochs / grid[2]:.0f} % | {seconds} s | {before:.1f}, {after:.1f} |")


if __name__ == "__main__":
    main()
