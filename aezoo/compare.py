"""Compare finished runs on one data set: score table, loss plot, side-by-side video.

    python -m aezoo.compare outputs/sweep-quick/simple outputs/sweep-quick/deep --out outputs/cmp

writes into --out (default outputs/compare-<timestamp>):
    scores.md, scores.csv  one row per run, then a PCA row per code size, fitted
                           on the same training split and scored on the same test split
    compare.png            test BCE against epoch for every run, growth events dashed
    compare.gif/.mp4       one column per run, synchronized by epoch; a run that
                           ended earlier holds its last frame

Numbers come from each run's metrics.jsonl, parameters from its last epoch (a
grown model counts its final size) and the code size from its checkpoint.
"""
import csv
import json
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402

from aezoo import api, checkpoint, cli, data, pca, render, rundir, video  # noqa: E402
from aezoo.config import UsageError, check_fps  # noqa: E402
from aezoo.files import atomic  # noqa: E402

COLUMNS = ("run", "model", "data", "epochs", "params", "code_size", "final_test_bce",
           "best_test_bce", "best_epoch", "final_test_sqerr", "best_test_sqerr", "sqerr_vs_pca",
           "seconds_per_epoch")
COLUMN_HEIGHT = 320  # pixels of a video column; its width comes from column_width(n)
DPI = 100
LOSSLESS = 1e-9  # PCA squared error below this (as many components as pixels): no ratio


def load_runs(run_dirs):
    """render.Run for each folder; one data set for all, or a UsageError."""
    if not run_dirs:
        raise UsageError("name at least one run folder")
    seen = set()
    for d in run_dirs:
        if os.path.realpath(d) in seen:
            raise UsageError(f"run folder {d} is given twice")
        seen.add(os.path.realpath(d))
    runs = [render.Run(d) for d in run_dirs]
    keys = {data_key(r) for r in runs}
    if len(keys) > 1:
        named = ", ".join(f"{r.dir} ({describe(r.record['data'])})" for r in runs)
        raise UsageError(f"runs on different data cannot be compared: {named}")
    return runs


def data_key(run):
    d = run.record["data"]
    return d["name"], tuple(d["shape"]), d["n_train"], d["n_test"]


def describe(d):
    return f"{d['name']}, {d['n_train']} train / {d['n_test']} test"


def labels(runs):
    """Run names for tables and columns: folder names, or paths when two share a name."""
    names = [r.name for r in runs]
    if len(set(names)) < len(names):
        return [os.path.normpath(r.dir) for r in runs]
    return names


def code_size(run_dir):
    """Numbers per sample in the trained model's code (None without a checkpoint)."""
    if not os.path.exists(os.path.join(run_dir, checkpoint.FILE)):
        return None
    try:
        return api.load(run_dir).code_size
    except (KeyError, ValueError) as e:  # e.g. a checkpoint of an older aezoo
        raise UsageError(f"{run_dir}: its model cannot be loaded to measure the code ({e})")


def score(run, label):
    records = run.epochs
    final = records[-1]
    best = min(records, key=lambda r: r["test_bce"])
    seconds = [r["seconds"] for r in records if "seconds" in r]
    return {"run": label, "model": run.config["model"], "data": run.record["data"]["name"],
            "epochs": final["epoch"], "params": final.get("params", run.record["model"]["params"]),
            "code_size": code_size(run.dir), "final_test_bce": final["test_bce"],
            "best_test_bce": best["test_bce"], "best_epoch": best["epoch"],
            "final_test_sqerr": final["test_sqerr"],
            "best_test_sqerr": min(r["test_sqerr"] for r in records),
            "seconds_per_epoch": sum(seconds) / len(seconds) if seconds else None}


def baselines(runs, sizes):
    """{code size: PCA row} on the runs' own split (the data is loaded as they loaded it)."""
    cfg = runs[0].config
    dataset = data.load(cfg["data"], cfg.get("data_dir"), cfg.get("test_fraction", 0.2))
    recorded = runs[0].record["data"]
    if (len(dataset.train), len(dataset.test)) != (recorded["n_train"], recorded["n_test"]):
        raise UsageError(f"data {cfg['data']} now splits into {len(dataset.train)} train / "
                         f"{len(dataset.test)} test, but the runs used {describe(recorded)}")
    rows = {}
    for k in sorted(sizes):
        fit = pca.baseline(dataset, k)
        rows[k] = {"run": f"pca-{fit['code_size']}", "model": "pca", "data": dataset.name,
                   "epochs": None, "params": fit["params"], "code_size": fit["code_size"],
                   "final_test_bce": fit["test_bce"], "best_test_bce": fit["test_bce"],
                   "best_epoch": None, "final_test_sqerr": fit["test_sqerr"],
                   "best_test_sqerr": fit["test_sqerr"], "seconds_per_epoch": None}
    return rows


def table(runs):
    """Rows of scores.csv: the runs in the order given, then one PCA row per code size."""
    rows = [score(run, label) for run, label in zip(runs, labels(runs))]
    pcas = baselines(runs, {r["code_size"] for r in rows if r["code_size"]})
    for row in rows + list(pcas.values()):
        reference = pcas.get(row["code_size"])
        ratio = None
        if reference and reference["final_test_sqerr"] > LOSSLESS:
            ratio = row["final_test_sqerr"] / reference["final_test_sqerr"]
        row["sqerr_vs_pca"] = ratio
    # Codes larger than the image share one PCA row: all its components.
    return rows + list({r["run"]: r for r in pcas.values()}.values())


def write_csv(path, rows):
    with atomic(path) as f:
        out = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        out.writeheader()
        for row in rows:  # repr keeps every digit of metrics.jsonl; None is an empty cell
            out.writerow({k: "" if row[k] is None else repr(row[k]) if isinstance(row[k], float)
                          else row[k] for k in COLUMNS})


def write_markdown(path, rows, runs):
    def fmt(value, spec):
        return "–" if value is None else format(value, spec)

    lines = [f"# Scores on {describe(runs[0].record['data'])}", "",
             "Test scores from each run's metrics.jsonl; BCE per pixel, squared error summed "
             "over an image's pixels. `vs PCA` is the final squared error over that of PCA with "
             "the same code size on the same split (below 1: better than PCA).", "",
             "| run | model | epochs | params | code | final BCE | best BCE (epoch) | "
             "final sq. err | best sq. err | vs PCA | s/epoch |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in rows:
        best = fmt(r["best_test_bce"], ".4f") + (f" ({r['best_epoch']})" if r["best_epoch"]
                                                  is not None else "")
        lines.append(
            f"| {r['run']} | {r['model']} | {fmt(r['epochs'], 'd')} | {r['params']:,} | "
            f"{fmt(r['code_size'], 'd')} | {r['final_test_bce']:.4f} | {best} | "
            f"{r['final_test_sqerr']:.3f} | {r['best_test_sqerr']:.3f} | "
            f"{fmt(r['sqerr_vs_pca'], '.2f')} | {fmt(r['seconds_per_epoch'], '.3g')} |")
    with atomic(path) as f:
        f.write("\n".join(lines) + "\n")


def plot(path, runs, rows):
    """Test BCE of every run against epoch; PCA baselines as dotted horizontals."""
    fig, ax = plt.subplots(figsize=(8, 5), dpi=DPI)
    for i, (run, label) in enumerate(zip(runs, labels(runs))):
        color = f"C{i % 10}"
        ax.plot([r["epoch"] for r in run.epochs], [r["test_bce"] for r in run.epochs],
                label=label, color=color, marker="." if len(run.epochs) < 60 else None)
        for event in run.events:
            if event.get("event") == "growth":
                ax.axvline(event["epoch"] - 0.5, color=color, linestyle="--", linewidth=1, alpha=0.7)
    for row in rows:
        if row["model"] == "pca":
            ax.axhline(row["final_test_bce"], color="gray", linestyle=":", linewidth=1)
            ax.text(0, row["final_test_bce"], f" {row['run']}", color="gray", fontsize=8,
                    va="bottom", transform=ax.get_yaxis_transform())
    ax.set_yscale("log")
    render.log_axis(ax, ax.get_ylim())
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("test BCE per pixel")
    ax.set_title(f"test BCE on {runs[0].data_name} (dashed: growth; dotted: PCA)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def column_width(n):
    """Pixels per video column: 384, narrower for many runs (frames stay near 1920 wide)."""
    return 384 if n <= 5 else max(240, 1920 // n // video.BLOCK * video.BLOCK)


def frame_epochs(runs):
    """Epochs shown: every epoch any run saved, at most video.MAX_FRAMES of them."""
    epochs = sorted({r["epoch"] for run in runs for r in run.saved})
    return [epochs[i] for i in video.pick(len(epochs))]


def frames(runs, epochs):
    n, width = len(runs), column_width(len(runs))
    fig = plt.figure(figsize=(n * width / DPI, COLUMN_HEIGHT / DPI), dpi=DPI)
    limits = {loss: render.loss_limits([r for r in runs if r.loss == loss], loss)
              for loss in {r.loss for r in runs}}
    columns = []
    for i, (run, label) in enumerate(zip(runs, labels(runs))):
        left = i / n
        fig.text(left + 0.5 / n, 0.975, label, ha="center", va="top", fontsize=10, weight="bold")
        caption = fig.text(left + 0.5 / n, 0.9, "", ha="center", va="top", fontsize=8)
        grid_ax = fig.add_axes((left + 0.14 / n, 0.56, 0.83 / n, 0.26))
        loss_ax = fig.add_axes((left + 0.2 / n, 0.12, 0.74 / n, 0.38))
        render.draw_grid(grid_ax, run.grid(epochs[0]))
        columns.append((run, caption, grid_ax.images[0], loss_ax))
    out = []
    try:
        for epoch in epochs:
            for run, caption, image, loss_ax in columns:
                shown = run.at(epoch)
                depth = run.depth(shown)
                caption.set_text(f"{run.config['model']} · epoch {shown}"
                                 f"{' (ended)' if epoch > run.last else ''} · test "
                                 f"{run.loss.upper()} {run.test_loss(shown):.4f}"
                                 + (f" · depth {depth}" if depth else ""))
                image.set_data(run.grid(shown))
                render.draw_curves(loss_ax, run, shown, limits[run.loss])
                loss_ax.set_ylabel("")
                loss_ax.legend(loc="upper right", fontsize=7)
            out.append(video.figure_pixels(fig))
    finally:
        plt.close(fig)
    return out


MARKER = "compared.json"  # the runs a folder's comparison shows; it may be redone there


def compare(run_dirs, out=None, fps=4.0, formats=video.FORMATS, owned=False):
    """Write the comparison of `run_dirs` into `out`; returns the paths written.

    `out` must be new, empty or an earlier comparison's folder, unless the
    caller `owned` it (a sweep folder holds its runs beside the comparison).
    """
    runs = load_runs(run_dirs)
    fps = check_fps(fps)
    rows = table(runs)  # may still fail (data missing): before anything is written
    out = out or os.path.join("outputs", "compare-" + time.strftime("%Y%m%d-%H%M%S"))
    if (not owned and os.path.isdir(out) and os.listdir(out)
            and not os.path.exists(os.path.join(out, MARKER))):
        raise UsageError(f"--out {out} holds files that aezoo.compare did not write; "
                         f"choose a new or empty folder")
    rundir.make_folder(out)
    with atomic(os.path.join(out, MARKER)) as f:
        json.dump([os.path.abspath(d) for d in run_dirs], f, indent=1)
    written = [os.path.join(out, name) for name in ("scores.csv", "scores.md", "compare.png")]
    write_csv(written[0], rows)
    write_markdown(written[1], rows, runs)
    plot(written[2], runs, rows)
    epochs = frame_epochs(runs)
    if len(epochs) < len({r["epoch"] for run in runs for r in run.saved}):
        print(f"aezoo.compare: video shows {len(epochs)} of the epochs, spread evenly "
              f"(first and last kept)", file=sys.stderr)
    if formats:
        written += video.write(os.path.join(out, "compare"), frames(runs, epochs), fps, formats,
                               prog="aezoo.compare")
    return written


def main(argv=None):
    return cli.guarded("aezoo.compare", _main, argv)


def _main(argv):
    p = cli.Parser(prog="python -m aezoo.compare", description=__doc__.split("\n")[0])
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run folders on one data set")
    p.add_argument("--out", help="folder for the comparison (default outputs/compare-<timestamp>)")
    p.add_argument("--fps", type=float, default=4.0, help="video frames per second (default 4)")
    p.add_argument("--format", default="gif,mp4", help="video formats: gif, mp4 or gif,mp4")
    args = p.parse_args(argv)
    for path in compare(args.run_dirs, args.out, args.fps, video.parse_formats(args.format)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
