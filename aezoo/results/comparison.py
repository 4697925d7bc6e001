"""Compare finished runs on one data set: score table, loss plot, side-by-side video.

    aezoo compare outputs/sweep-quick/simple outputs/sweep-quick/deep --out outputs/cmp

writes into --out (default outputs/compare-<timestamp>):
    scores.md, scores.csv  one row per run, then a PCA row per code size, fitted
                           on the same training split and scored on the same test split
    compare.png            test BCE against epoch for every run, growth events dashed
    compare.gif/.mp4       one column per run, synchronized by epoch (a run that
                           ended earlier holds its last frame), and one panel
                           overlaying every run's test curve
    report.html            all of it in one file for a browser (results/report.py)

Numbers come from each run's metrics.jsonl, parameters from its last epoch (a
grown model counts its final size) and the code size from the code layer of
its architecture.json.
"""
import csv
import math
import os
import sys
import time

import numpy as np

from aezoo import data
from aezoo.results import long_steps, manifest
from aezoo.results import report as html_report
from aezoo.errors import UsageError
from aezoo.runs import owner, rundir
from aezoo.results import compared
from aezoo.runs.atomic import atomic
from aezoo.runs import checkpoints, metrics
from aezoo.viz.video_settings import DPI, FORMATS, check_dpi, check_fps
from aezoo.runs.folder import RunFolder

COLUMNS = ("run", "model", "data", "epochs", "params", "code_size", "final_test_bce",
           "best_test_bce", "best_epoch", "final_test_mse", "best_test_mse", "final_test_sqerr",
           "best_test_sqerr", "sqerr_vs_pca", "seconds_per_epoch", "stopped_early")
LOSSLESS = 1e-9  # PCA squared error below this (as many components as pixels): no ratio


def load_runs(run_dirs):
    """RunFolder for each folder; one data set for all, or a UsageError."""
    if not run_dirs:
        raise UsageError("name at least one run folder")
    seen = set()
    for d in run_dirs:
        if os.path.realpath(d) in seen:
            raise UsageError(f"run folder {d} is given twice")
        seen.add(os.path.realpath(d))
    runs = [RunFolder(d) for d in run_dirs]
    for run in runs:  # the table's columns (BCE too where every run has it: see metric())
        run.require("test_mse", "test_sqerr")
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


def code_size(run):
    """Numbers per sample in the code of the model the run's checkpoint holds (None if unknown)."""
    epoch = run.epochs[-1]["epoch"]
    if checkpoints.exists(run.dir):
        epoch = checkpoints.read_meta(run.dir)["epoch"]
    entry = rundir.architecture_at(run.dir, epoch)
    codes = [layer for layer in entry["layers"] if layer.get("code")] if entry else []
    return int(np.prod(codes[0]["out"])) if codes else None


def metric(runs):
    """The score runs are ranked and plotted by: BCE when every run has it (models of images
    in [0, 1]), else MSE, which every model reports."""
    return "bce" if all("test_bce" in r for run in runs for r in run.epochs) else "mse"


def lowest(records, key):
    """The record with the lowest finite `key` (a NaN or inf is never best); None if none."""
    finite = [r for r in records if isinstance(r.get(key), (int, float)) and math.isfinite(r[key])]
    return min(finite, key=lambda r: r[key]) if finite else None


def score(run, label):
    final = run.epochs[-1]
    records = metrics.final_network(run.epochs)  # best of a grown run: at its final depth
    best = lowest(records, f"test_{run.loss}") or final  # the run's own loss
    best_bce = lowest(records, "test_bce")
    best_mse, best_sqerr = lowest(records, "test_mse"), lowest(records, "test_sqerr")
    seconds = [r["seconds"] for r in run.epochs if "seconds" in r]
    return {"run": label, "model": run.config["model"], "data": run.record["data"]["name"],
            "epochs": final["epoch"], "params": final.get("params", run.record["model"]["params"]),
            "code_size": code_size(run), "final_test_bce": final.get("test_bce"),
            "best_test_bce": best_bce and best_bce["test_bce"],
            "best_bce_epoch": best_bce and best_bce["epoch"], "best_epoch": best["epoch"],
            "final_test_mse": final["test_mse"],
            "best_test_mse": best_mse and best_mse["test_mse"],
            "best_mse_epoch": best_mse and best_mse["epoch"],
            "final_test_sqerr": final["test_sqerr"],
            "best_test_sqerr": best_sqerr and best_sqerr["test_sqerr"],
            "seconds_per_epoch": sum(seconds) / len(seconds) if seconds else None,
            "stopped_early": stopped_early(run)}


def stopped_early(run):
    """The epoch at which --patience or a sweep's ASHA stopped the run, or None."""
    if not checkpoints.exists(run.dir):
        return None
    return checkpoints.read_meta(run.dir)["state"].get("stopped_early")


def baselines(runs, sizes, extras=None):
    from aezoo.models import pca  # scikit-learn loads when a baseline is fitted
    """{code size: PCA row} on the runs' own split (the data is loaded as they loaded it)."""
    cfg = runs[0].config
    dataset = data.load(cfg["data"], cfg.get("data_dir"), cfg.get("test_fraction", 0.2),
                        cfg.get("seq_len", 30), cfg.get("image_size"), cfg.get("color"))
    for run in runs:  # the baseline is fitted on the data the runs were trained on, or none
        changed = dataset.difference(run.record["data"])
        if changed:
            raise UsageError(f"data {cfg['data']} changed since {run.dir} was trained: {changed}")
    rows = {}
    if extras is not None:
        extras["entropy_floor"] = dataset.entropy_floor()
    if dataset.padded:  # sequences of different lengths: no fixed-size vector to fit
        return rows
    for k in sorted(sizes):
        fit = pca.baseline(dataset, k)
        rows[k] = {"run": f"pca-{fit['code_size']}", "model": "pca", "data": dataset.name,
                   "epochs": None, "params": fit["params"], "code_size": fit["code_size"],
                   "final_test_bce": fit["test_bce"], "best_test_bce": fit["test_bce"],
                   "final_test_mse": fit["test_mse"], "best_test_mse": fit["test_mse"],
                   "best_epoch": None, "final_test_sqerr": fit["test_sqerr"],
                   "best_test_sqerr": fit["test_sqerr"], "seconds_per_epoch": None}
    return rows


def table(runs, extras=None):
    """Rows of scores.csv: the runs in the order given, then one PCA row per code size;
    `extras`, a dict, receives what else the loaded data tells (its entropy floor)."""
    rows = [score(run, label) for run, label in zip(runs, labels(runs))]
    pcas = baselines(runs, {r["code_size"] for r in rows if r["code_size"]}, extras)
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
            out.writerow({k: "" if row.get(k) is None else repr(row[k]) if isinstance(row[k], float)
                          else row[k] for k in COLUMNS})  # a PCA row has no stopped_early


def write_markdown(path, rows, runs):
    def fmt(value, spec):
        return "–" if value is None else format(value, spec)

    name = metric(runs)
    per = "value" if runs[0].kind == "sequence" else "pixel"
    lines = [f"# Scores on {describe(runs[0].record['data'])}", "",
             f"Test scores from each run's metrics.jsonl; {name.upper()} per {per}, squared "
             f"error summed over a sample's {per}s. `vs PCA` is the final squared error over "
             f"that of PCA with the same code size on the same split (below 1: better than "
             f"PCA).", "",
             f"| run | model | epochs | params | code | final {name.upper()} | best "
             f"{name.upper()} (epoch) | final sq. err | best sq. err | vs PCA | s/epoch |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in rows:
        epoch = r.get(f"best_{name}_epoch")  # the epoch of the value shown (PCA: none)
        best = fmt(r[f"best_test_{name}"], ".4f") + (f" ({epoch})" if epoch is not None else "")
        lines.append(
            f"| {r['run']} | {r['model']} | {fmt(r['epochs'], 'd')}"
            f"{' (stopped early)' if r.get('stopped_early') is not None else ''} | {r['params']:,} | "
            f"{fmt(r['code_size'], 'd')} | {fmt(r[f'final_test_{name}'], '.4f')} | {best} | "
            f"{fmt(r['final_test_sqerr'], '.3f')} | {fmt(r['best_test_sqerr'], '.3f')} | "
            f"{fmt(r['sqerr_vs_pca'], '.2f')} | {fmt(r['seconds_per_epoch'], '.3g')} |")
    with atomic(path) as f:
        f.write("\n".join(lines) + "\n")


def frame_epochs(runs):
    """Epochs shown: every epoch any run saved, at most video.MAX_FRAMES of them."""
    from aezoo.viz import video
    epochs = sorted({r["epoch"] for run in runs for r in run.saved})
    return [epochs[i] for i in video.pick(len(epochs))]


MARKER = compared.FILE  # the runs a folder's comparison shows; it may be redone there
PROG = "aezoo compare"


def outputs(out, formats, report):
    """The files a finished comparison in `out` holds, in the order compare returns them."""
    names = ["scores.csv", "scores.md", "compare.png"] + [f"compare.{fmt}" for fmt in formats]
    return [os.path.join(out, name) for name in names] + (
        [os.path.join(out, html_report.FILE)] if report else [])


def reusable(out, inputs, formats, report):
    """The comparison in `out` when it was made from exactly `inputs` and is whole, else None."""
    if not compared.is_comparison(out):
        return None
    try:
        _, made_from = compared.read(out)
    except UsageError:  # damaged: made again
        return None
    found = outputs(out, formats, report)
    if made_from != inputs or not all(os.path.exists(p) for p in found):
        return None
    return found


def compare(run_dirs, out=None, fps=4.0, formats=FORMATS, owned=False, dpi=DPI,
            report=True, search=None):
    """Write the comparison of `run_dirs` into `out`; returns the paths written.

    `out` must be new, empty or an earlier comparison's folder, unless the
    caller `owned` it (a sweep folder holds its runs beside the comparison).
    `search(out)`, when given, draws the pictures of the search the runs are trials of
    (sweeps/pictures.py: of_trials) before the report, which shows them.
    When `out` holds a whole comparison made from the same inputs (the runs' files
    and these options: results/manifest.py), it is reused, and one line says so.
    """
    runs = load_runs(run_dirs)
    fps = check_fps(fps)
    dpi = check_dpi(dpi)
    out = out or os.path.join("outputs", "compare-" + time.strftime("%Y%m%d-%H%M%S"))
    if owned:  # the caller (a sweep) holds the folder and its lock
        return _compare(runs, run_dirs, out, fps, formats, dpi, report, search)
    with owner.claim(out, "aezoo compare", ours=lambda name: name in compared.WRITTEN,
                     earlier=compared.is_comparison):
        return _compare(runs, run_dirs, out, fps, formats, dpi, report, search)


def _compare(runs, run_dirs, out, fps, formats, dpi, report, search=None):
    """The comparison in `out` (its folder already ours): reused when nothing changed."""
    inputs = manifest.of_runs(run_dirs, {"fps": fps, "dpi": dpi, "formats": list(formats)})
    kept = reusable(out, inputs, formats, report)
    if kept:
        long_steps.say(PROG, f"no run changed since the comparison in {out} was made: reused it "
                        f"(its {MARKER} holds the digest of what it was made from)")
        if report:  # said after: the page is checked by its own digest (a run rendered since)
            kept[-1] = html_report.write(out)
        return kept
    from aezoo.viz import columns, curves, frame, video  # drawing's libraries load when it draws
    extras = {}
    rows = table(runs, extras)  # may still fail (data missing): before anything is written
    rundir.make_folder(out)
    compared.write(out, run_dirs)  # no digest until every file below is written
    written = [os.path.join(out, name) for name in ("scores.csv", "scores.md", "compare.png")]
    write_csv(written[0], rows)
    write_markdown(written[1], rows, runs)
    name = metric(runs)
    # An exact PCA (as many components as values) scores rounding error, 1e-31: shown as the 0
    # it is, named off the axis, instead of stretching the axis over 30 decades.
    lines = [(r["run"], 0.0 if name != "bce" and r["final_test_sqerr"] <= LOSSLESS
              else r[f"final_test_{name}"]) for r in rows if r["model"] == "pca"]
    floor = extras.get("entropy_floor")
    if name == "bce" and floor:
        lines.append(("entropy floor", floor))
    for run in runs:
        warning = run.not_finite(f"test_{name}")
        if warning:
            print(f"aezoo compare: {warning}", file=sys.stderr)
    curves.save_comparison(written[2], runs, labels(runs), name, lines, dpi)
    shown, shown_labels = on_screen(runs, rows, name)
    if formats and len(shown) < len(runs):
        print(f"{PROG}: the video shows the best {len(shown)} of the {len(runs)} runs by final "
              f"test {name.upper()} (a frame holds {columns.MOST}); the table and compare.png "
              f"show every run", file=sys.stderr)
    epochs = frame_epochs(shown)
    if len(epochs) < len({r["epoch"] for run in shown for r in run.saved}):
        print(f"{PROG}: video shows {len(epochs)} of the epochs, spread evenly "
              f"(first and last kept)", file=sys.stderr)
    if formats:
        with long_steps.Steps(PROG, "frames", len(epochs)) as tick:
            frames = frame.compose(shown, epochs, shown_labels, lines, dpi, tick=tick)
        long_steps.say(PROG, f"writing compare.{' and compare.'.join(formats)}")
        written += video.write(os.path.join(out, "compare"), frames, fps, formats, prog=PROG)
    if search:
        search(out)
    if report:
        written.append(html_report.write(out))
    if written == outputs(out, formats, report):  # whole (an MP4 may have failed): reusable
        compared.write(out, run_dirs, inputs)
    return written


def on_screen(runs, rows, name):
    """(runs, their labels) the video shows: every run, or, past what a frame holds, the best
    columns.MOST by final test score (rows: the table's, a row a run in order), in the
    order given."""
    from aezoo.viz import columns  # the frame's layout (matplotlib): loaded when it draws
    names = labels(runs)
    if len(runs) <= columns.MOST:
        return runs, names

    def score(i):  # a run without a finite score goes last
        value = rows[i][f"final_test_{name}"]
        return (0, value) if value is not None and math.isfinite(value) else (1, 0)
    best = sorted(sorted(range(len(runs)), key=score)[:columns.MOST])
    return [runs[i] for i in best], [names[i] for i in best]


def print_table(scores_md):
    """The table of scores.md on stdout, as the terminal's first answer."""
    with open(scores_md) as f:
        print("".join(line for line in f if line.startswith("|")))
