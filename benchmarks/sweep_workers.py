"""How long a sweep's runs take with 1 and 2 local workers and on an embedded Ray cluster.

    .venv/bin/python benchmarks/sweep_workers.py [--epochs 10] [--runs 4]
    .venv/bin/python benchmarks/sweep_workers.py --file experiments/growth.toml --epochs 30 \
        --ways "workers 1,workers 2"          # the warm workers' goal: 4 digits runs

Takes the first --runs runs of --file (default experiments/growth_mnist.toml, on the shared
MNIST split: ../shared/data/mnist), shortened to --epochs, and times the runs phase of each way
(the line "trained N run(s) in M:SS" of aezoo sweep), one thread a run, each into a
fresh folder, the ways interleaved. Prints the times and the ratios to one worker.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WAYS = {"workers 1": ["--workers", "1", "--threads", "1"],
        "workers 2": ["--workers", "2", "--threads", "1"],
        "ray local": ["--ray", "local", "--threads", "1"]}


def shortened(runs, epochs, folder, source="experiments/growth_mnist.toml"):
    """The sweep file's first `runs` runs with `epochs` epochs (its [defaults] kept)."""
    text = open(os.path.join(REPO, source)).read()
    head, *tables = re.split(r"(?m)^(?=\[runs\.)", text)
    head = re.sub(r"(?m)^epochs\s*=.*$", f"epochs = {epochs}", head)
    head = head.replace("../shared/", os.path.join(os.path.dirname(REPO), "shared") + "/")
    path = os.path.join(folder, "short.toml")
    with open(path, "w") as f:
        f.write(head + "".join(re.sub(r"(?m)^epochs\s*=.*$", f"epochs = {epochs}", t)
                               for t in tables[:runs]))
    return path


def runs_phase(path, out, options):
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "aezoo", "sweep", path, "--out", out, *options],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    found = re.search(r"trained \d+ run\(s\) in (?:(\d+):)?(\d+):(\d+)", done.stderr)
    h, m, s = (int(found.group(i) or 0) for i in (1, 2, 3))
    return 3600 * h + 60 * m + s, time.monotonic() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--runs", type=int, default=4)
    p.add_argument("--ways", default=",".join(WAYS))
    p.add_argument("--file", default="experiments/growth_mnist.toml")
    args = p.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        path = shortened(args.runs, args.epochs, folder, args.file)
        times = {}
        for way in args.ways.split(","):
            times[way] = runs_phase(path, os.path.join(folder, way.replace(" ", "-")), WAYS[way])
            print(f"{way}: runs {times[way][0]} s, whole sweep {times[way][1]:.0f} s", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        base = times.get("workers 1", (None,))[0]
        for way, (runs, _) in times.items():
            if base:
                print(f"{way}: {runs / base:.2f}x the time of one worker")


if __name__ == "__main__":
    main()
