"""Loss curves: train and test loss against epoch, growth events as dashed lines.

Drawn by loss.png in a run folder and by the curve panel of every video frame.
"""
import math
import os
import warnings

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.backends.backend_agg import RendererAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from aezoo.runs import metrics, rundir  # noqa: E402
from aezoo.viz.style import plain_text  # noqa: E402

FILE = "loss.png"


def unit(kind):
    """What a per-element score is per: a pixel of an image, a value of a sequence or vector."""
    return "pixel" if kind == "image" else "value"


def train_key(records, loss_name):
    return next((k for k in (f"train_{loss_name}", "train_reconstruction")
                 if any(k in r for r in records)), "train_reconstruction")


def growth_label(event):
    """'64-32' (the new widths) or 'depth 3' for a growth event line."""
    widths = event.get("widths")
    return "-".join(str(w) for w in widths) if widths else f"depth {event.get('depth')}"


def draw(ax, epochs, events, loss_name, upto=None, limits=None, kind="image", fontsize=8,
         floor=None):
    """Curves on `ax` (also used by video frames, with `upto` and fixed `limits`); growth
    dashed, labelled inside the axes with the new widths; the data's entropy `floor` (the
    lowest BCE possible), where known, dotted."""
    shown = [r for r in epochs if upto is None or r["epoch"] <= upto]
    # The train curve in the test curve's unit: a model that reports the score itself
    # (vae: BCE per pixel beside its per-image loss) gives it; else its reconstruction term.
    key = train_key(shown, loss_name)
    train = [(r["epoch"], r[key]) for r in shown if key in r]
    test = [(r["epoch"], r[f"test_{loss_name}"]) for r in shown]
    if train:
        ax.plot(*zip(*train), label=f"train {loss_name}", color="tab:blue")
    if test:
        ax.plot(*zip(*test), label=f"test {loss_name}", color="tab:orange", marker=".")
    for event in events:
        if event.get("event") == "growth" and (upto is None or event["epoch"] <= upto):
            ax.axvline(event["epoch"] - 0.5, color="gray", linestyle="--", linewidth=1)
            ax.text(event["epoch"] - 0.5, 0.97, growth_label(event) + " ", rotation=90,
                    va="top", ha="right", fontsize=fontsize, color="0.35",
                    transform=ax.get_xaxis_transform())
    if limits:
        ax.set_xlim(*limits[0])
        ax.set_ylim(*limits[1])
    if floor and loss_name == "bce":
        ax.axhline(floor, color="0.35", linestyle=":", linewidth=1.2)
        # Between the growth lines (all of the run's, so it stays put through a video).
        grown = [e["epoch"] - 0.5 for e in events if e.get("event") == "growth"]
        ax.text(free_x(ax, grown, " entropy floor", fontsize), floor, " entropy floor",
                color="0.3", fontsize=fontsize, va="bottom", transform=ax.get_yaxis_transform())
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))  # epochs are whole: no 2.5
    ax.set_xlabel("epoch", fontsize=fontsize)
    ax.set_ylabel(f"{loss_name} per {unit(kind)}", fontsize=fontsize)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=fontsize)


def text_pixels(text, fontsize, dpi):
    """(width, height) in pixels of one line of `text` at `fontsize` points."""
    width, height, _ = RendererAgg(1, 1, dpi).get_text_width_height_descent(
        text, FontProperties(size=fontsize), ismath=False)
    return width, height


def axes_pixels(ax):
    """(width, height) of `ax` in pixels, from its position in the figure."""
    box, fig = ax.get_position(), ax.figure
    return box.width * fig.get_figwidth() * fig.dpi, box.height * fig.get_figheight() * fig.dpi


def free_x(ax, lines, text, fontsize, pad=0.01):
    """Where (axes fraction) `text` starts so that no vertical line at the data x's `lines`
    crosses it: the leftmost gap wide enough, else the widest."""
    (x0, x1), width = ax.get_xlim(), axes_pixels(ax)[0]
    need = text_pixels(text, fontsize, ax.figure.dpi)[0] / width + 2 * pad
    edges = sorted({0.0, 1.0} | {(x - x0) / (x1 - x0) for x in lines if x0 < x < x1})
    gaps = list(zip(edges, edges[1:]))
    fits = [(a, b) for a, b in gaps if b - a >= need]
    start = fits[0][0] if fits else max(gaps, key=lambda gap: gap[1] - gap[0])[0]
    return start + pad


def baseline_labels(baselines, limits, ax, fontsize):
    """[(label, value)] for dotted lines [(name, value)] on `ax`'s log axis from `limits`:
    lines closer than a text's height share one label ("pca-64 / entropy floor"), put on
    the highest of them, so that no other line crosses a label."""
    low, high = np.log(limits[0]), np.log(limits[1])
    tall = axes_pixels(ax)[1]
    need = text_pixels("Xg", fontsize, ax.figure.dpi)[1] + 2
    groups = []
    for name, value in sorted(baselines, key=lambda line: line[1]):
        above = (np.log(value) - np.log(groups[-1][-1][1])) / (high - low) * tall if groups else 0
        if groups and above < need:
            groups[-1].append((name, value))
        else:
            groups.append([(name, value)])
    return [(" / ".join(name for name, _ in reversed(group)), group[-1][1]) for group in groups]


def drawable(value):
    """Whether a log axis can show `value`: a finite number above 0. A perfect score (0) and a
    diverged or edited one (NaN, inf) are left off the axis, never an error."""
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def log_limits(values, margin=1.15):
    """(low, high) of a log axis showing every drawable value, `margin` times wider each way;
    (0.1, 1) when none is drawable (a run whose every score is 0, NaN or inf)."""
    shown = [v for v in values if drawable(v)]
    return (min(shown) / margin, max(shown) * margin) if shown else (0.1, 1.0)


def off_axis_note(ax, baselines, fontsize):
    """Name, at the axis's foot, the baselines a log axis cannot show (an exact PCA: 0)."""
    off = [f"{name}: {value:.3g}" for name, value in baselines if not drawable(value)]
    if off:
        ax.text(0.01, 0.01, " " + "; ".join(off) + " (off the log axis)", color="0.3",
                fontsize=fontsize, va="bottom", transform=ax.transAxes)


def log_axis(ax, limits):
    """A log y axis with plain numbers: epoch 0 sits far above the rest, late gains stay visible."""
    with warnings.catch_warnings():  # curves of zeros only (a perfect score): nothing to log
        warnings.filterwarnings("ignore", "Data has no positive values")
        ax.set_yscale("log")
    ax.set_ylim(*limits)
    within_decade = limits[1] / limits[0] < 10
    ax.yaxis.set_minor_locator(ticker.LogLocator(subs=(2, 3, 4, 5, 6, 8) if within_decade else (2, 5)))
    plain = ticker.FuncFormatter(lambda v, _: f"{v:.3g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)


@plain_text()
def save(path, epochs, events, loss_name, title, kind="image", floor=None):
    # A bare Figure with fixed margins: pyplot's figure manager and tight_layout
    # would add about 30 ms to the 50 ms this costs.
    fig = Figure(figsize=(6, 4), dpi=100)
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.12, top=0.92)
    ax = fig.add_subplot()
    draw(ax, epochs, events, loss_name, kind=kind, fontsize=9, floor=floor)
    keys = (f"test_{loss_name}", train_key(epochs, loss_name))
    values = [r.get(k) for r in epochs for k in keys] + (
        [floor] if floor and loss_name == "bce" else [])
    log_axis(ax, log_limits(values))  # the frames' and compare.png's axis
    ax.tick_params(which="both", labelsize=9)
    ax.set_title(title, fontsize=10)
    fig.savefig(path)


def save_run(run_dir, cfg):
    """loss.png of a run folder from its metrics.jsonl."""
    epochs, events = metrics.read(run_dir)
    described = rundir.read_config(run_dir)["data"]
    if epochs:
        save(os.path.join(run_dir, FILE), epochs, events, cfg.loss, f"{cfg.model} on {cfg.data}",
             described.get("kind", "image"), described.get("entropy_floor"))


STYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def end_label_heights(ends, low, high, gap=0.045):
    """y positions for labels at the curves' ends, in log space at least `gap` of the axis
    apart (runs that end together would print on top of each other), in order of `ends`."""
    span = np.log(high) - np.log(low)
    order = sorted(range(len(ends)), key=lambda i: ends[i])
    placed = {}
    previous = -np.inf
    for i in order:
        y = max(np.log(ends[i]), previous + gap * span)
        placed[i] = y
        previous = y
    return [float(np.exp(placed[i])) for i in range(len(ends))]


@plain_text()
def save_comparison(path, runs, labels, metric, baselines, dpi=100):
    """Test `metric` (bce, mse) of every run against epoch, each run its own colour, line style
    and marker, labelled at its end; growth as marks on the curve; `baselines` [(name, value)]
    as dotted lines (PCA, the entropy floor)."""
    fig, ax = plt.subplots(figsize=(9, 5.4), dpi=dpi)
    ends, last = [], max(run.epochs[-1]["epoch"] for run in runs)
    for i, (run, label) in enumerate(zip(runs, labels)):
        color, style = f"C{i % 10}", STYLES[(i + i // 10) % len(STYLES)]
        epochs = [r["epoch"] for r in run.epochs]
        values = [r[f"test_{metric}"] for r in run.epochs]
        ax.plot(epochs, values, label=label, color=color, linestyle=style, linewidth=1.6,
                marker=MARKERS[i % len(MARKERS)], markevery=max(1, len(epochs) // 8),
                markersize=5)
        grown = [e["epoch"] for e in run.events if e.get("event") == "growth"]
        at = {r["epoch"]: r[f"test_{metric}"] for r in run.epochs}
        ax.plot([e for e in grown if e in at], [at[e] for e in grown if e in at], "|",
                color=color, markersize=14, markeredgewidth=2)
        finite = [(e, v) for e, v in zip(epochs, values) if drawable(v)]
        if finite:  # labelled at its last point the axis shows
            ends.append((*finite[-1], label, color))
    values = [r[f"test_{metric}"] for run in runs for r in run.epochs] + [v for _, v in baselines]
    limits = log_limits(values)
    off_axis_note(ax, baselines, 9)
    baselines = [(name, value) for name, value in baselines if drawable(value)]
    for _, value in baselines:
        ax.axhline(value, color="0.35", linestyle=":", linewidth=1.2)
    for name, y in baseline_labels(baselines, limits, ax, 9):
        ax.text(0.005, y * 1.005, f" {name}", color="0.3", fontsize=9, va="bottom",
                transform=ax.get_yaxis_transform())
    log_axis(ax, limits)
    heights = end_label_heights([v for _, v, _, _ in ends], *limits)
    texts = []
    for (epoch, value, label, color), y in zip(ends, heights):
        texts.append(ax.annotate(
            label, (epoch, value), xytext=(1.015, y), textcoords=ax.get_yaxis_transform(),
            fontsize=9, color=color, va="center", annotation_clip=False,
            arrowprops=dict(arrowstyle="-", color=color, linewidth=0.6, alpha=0.6)))
    ax.set_xlim(-0.5, last + max(0.5, 0.02 * last))
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.tick_params(which="both", labelsize=9)
    ax.set_xlabel("epoch", fontsize=10)
    ax.set_ylabel(f"test {metric.upper()} per {unit(runs[0].kind)}", fontsize=10)
    ax.set_title(f"test {metric.upper()} on {runs[0].data_name} (|: growth; dotted: baselines)",
                 fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, handlelength=3.5, loc="upper right")
    fig.tight_layout()
    # The end labels stand right of the axes: make room for the widest.
    renderer = fig.canvas.get_renderer()
    widest = max((matplotlib.text.Text.get_window_extent(t, renderer).width for t in texts),
                 default=0)  # the text alone, not its line to the curve
    width = fig.get_figwidth() * fig.dpi
    fig.subplots_adjust(right=max(0.5, min(fig.subplotpars.right,
                                           1 - (widest + 0.015 * width + 12) / width)))
    fig.savefig(path)
    plt.close(fig)
