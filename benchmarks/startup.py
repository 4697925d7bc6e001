"""How long aezoo takes to show life: imports, --help, a command's first line, a finished
sweep run again. Two source trees side by side, so a busy machine slows both alike.

    .venv/bin/python benchmarks/startup.py [--before DIR] [--repeat 5]

Each case is a fresh process (`python -c ...` or `python -m aezoo ...`), timed from its
start to its exit (or, for "first line", to its first output on a pseudo-terminal). With --before
(another checkout of aezoo, e.g. `git worktree add /tmp/before <commit>`) the cases run
alternately in that tree and in this one, and the ratio after / before is printed
beside the medians, with the load average before and after. The Speed page quotes it.
"""
import argparse
import os
import pty
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWEEP = """[defaults]
data = "digits"
epochs = 1
batch_size = 128
[runs.simple]
model = "simple"
[runs.deep]
model = "deep"
"""

CASES = {
    "import aezoo": ["-c", "import aezoo"],
    "import aezoo.config": ["-c", "import aezoo.config"],
    "aezoo --help": ["-m", "aezoo", "--help"],
    "aezoo run --help": ["-m", "aezoo", "run", "--help"],
    "import chainer (for scale)": ["-c", "import aezoo, chainer"],
}


def run(tree, args, cwd, first_line=False):
    """Seconds from start to exit of python ARGS in `tree` (run from `cwd`, so that `-m`
    finds the tree's aezoo, not the working folder's); with first_line, to its first output
    on a terminal (a pseudo-terminal: what a user at a shell sees)."""
    env = {**os.environ, "PYTHONPATH": tree}
    began = time.perf_counter()
    if not first_line:
        subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True)
        return time.perf_counter() - began
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command on the terminal
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, *args], env)
    select.select([fd], [], [], 600)
    took = time.perf_counter() - began
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    return took


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", help="another checkout of aezoo to compare with")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    trees = ([("before", os.path.abspath(args.before))] if args.before else []) + [("after", HERE)]
    scratch = tempfile.mkdtemp(prefix="aezoo-startup-")
    sweep = os.path.join(scratch, "tiny.toml")
    with open(sweep, "w") as f:
        f.write(SWEEP)
    cases = dict(CASES)
    for name, tree in trees:  # each tree's own finished sweep, trained once here
        out = os.path.join(scratch, f"sweep-{name}")
        subprocess.run([sys.executable, "-m", "aezoo", "sweep", sweep, "--out", out], cwd=scratch,
                       env={**os.environ, "PYTHONPATH": tree}, capture_output=True, check=True)
    cases["finished sweep again"] = None
    cases["aezoo run: first line"] = ["-m", "aezoo", "run", "simple", "--data", "digits",
                                       "--epochs", "1", "--no-video", "--out"]
    load = os.getloadavg()[0]
    times = {(case, name): [] for case in cases for name, _ in trees}
    for i in range(args.repeat):
        for case, argv in cases.items():
            for name, tree in trees:
                if case == "finished sweep again":
                    argv_now = ["-m", "aezoo", "sweep", sweep, "--out",
                                os.path.join(scratch, f"sweep-{name}")]
                    times[case, name].append(run(tree, argv_now, scratch))
                elif case == "aezoo run: first line":
                    out = os.path.join(scratch, f"run-{name}-{i}")
                    times[case, name].append(run(tree, argv + [out], scratch, first_line=True))
                else:
                    times[case, name].append(run(tree, argv, scratch))
    print(f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after; median of "
          f"{args.repeat} fresh processes, seconds")
    for case in cases:
        row = {name: statistics.median(times[case, name]) for name, _ in trees}
        ratio = f"  after/before {row['after'] / row['before']:.2f}" if "before" in row else ""
        print(f"  {case:<28}" + "".join(f"{name} {t:6.2f}  " for name, t in row.items()) + ratio)


if __name__ == "__main__":
    main()
