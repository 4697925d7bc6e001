"""What a Run, a Comparison or a Sweep shows in Jupyter: HTML, every value from a run escaped.

A run's name, options and scores come from files anyone may have written, so each
one goes through html.escape before it reaches the page; pictures are embedded as
base64 data, so the notebook shows them wherever it is opened (nbconvert, the docs).
"""
import base64
import html
import json
import math
import os

import imageio.v3 as iio

from aezoo.runs.paths import shown

SHOWN_SCORES = ("train_loss", "test_loss", "test_bce", "test_mse", "test_sqerr", "params", "depth",
                "seconds")
MAX_INLINE = 20 * 2 ** 20  # bytes of a video embedded in a notebook; larger ones are linked


def esc(value):
    return html.escape(str(value), quote=True)


def number(value):
    """A table cell's text: 4 significant digits, whole numbers with thousands separators."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return esc(value)
    if not math.isfinite(value):
        return esc(value)
    if float(value).is_integer() and abs(value) >= 1:
        return f"{int(value):,}"
    return f"{value:#.4g}"


def png_tag(rgb, alt, width=None):
    """An <img> of a uint8 RGB array, embedded as PNG."""
    data = base64.b64encode(iio.imwrite("<bytes>", rgb, extension=".png")).decode("ascii")
    size = f' style="max-width:{width}px;width:100%"' if width else ' style="max-width:100%"'
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}"{size}>'


def table(rows, columns, caption=None):
    """An HTML table of dicts; a missing value is a dash. It scrolls sideways in its own box
    where the page is narrower than it (a docs page would cut its last columns off)."""
    head = "".join(f"<th>{esc(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{number(r[c]) if c in r else '–'}</td>"
                                    for c in columns) + "</tr>" for r in rows)
    title = f"<caption>{esc(caption)}</caption>" if caption else ""
    return sideways(f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def sideways(html_table):
    """A table in a box that scrolls sideways when the page is narrower than the table."""
    return f'<div style="overflow-x:auto;max-width:100%">{html_table}</div>'



def score_columns(records):
    return ["epoch"] + [c for c in SHOWN_SCORES if any(c in r for r in records)]


def growth_rows(events):
    return [{"epoch": e["epoch"], "depth": e.get("depth"),
             "widths": "-".join(map(str, e.get("widths", []))), "params": e.get("params")}
            for e in events if e.get("event") == "growth"]


def run_html(run):
    """The latest frame, the scores (first, best, last epoch) and the growth events."""
    epochs, events, config = run.metrics, run.events, run.config
    parts = [f"<h4>aezoo run <code>{esc(run.name)}</code></h4>",
             f"<p>{esc(config.get('model'))} on {esc(config.get('data'))}, "
             f"{len(epochs) - 1 if epochs else 0} of {esc(config.get('epochs'))} epochs, "
             f"in <code>{esc(shown(run.path))}</code></p>"]
    try:
        parts.append(png_tag(run.frame(), f"progress frame of {run.name}", 900))
    except ValueError as e:  # no saved epoch yet: the scores still show
        parts.append(f"<p>No frame: {esc(e)}</p>")
    best = run.best
    rows = [dict(r, epoch=f"{r['epoch']} (untrained)") if r["epoch"] == 0 else r
            for r in ([epochs[0]] if epochs else [])]
    if best and epochs and best["epoch"] not in (0, epochs[-1]["epoch"]):
        rows.append(dict(best, epoch=f"{best['epoch']} (best)"))
    if len(epochs) > 1:
        last = epochs[-1]
        tag = " (last, best)" if best and best["epoch"] == last["epoch"] else " (last)"
        rows.append(dict(last, epoch=f"{last['epoch']}{tag}"))
    parts.append(table(rows, score_columns(epochs), "scores"))
    growth = growth_rows(events)
    parts.append(table(growth, ["epoch", "depth", "widths", "params"], "growth") if growth
                 else "<p>No growth: the architecture stayed as it started.</p>")
    options = "".join(f"<tr><td>{esc(k)}</td><td><code>{esc(json.dumps(v))}</code></td></tr>"
                      for k, v in sorted(config.items()))
    parts.append(f"<details><summary>options</summary>{sideways(f'<table>{options}</table>')}"
                 "</details>")
    return "<div class=\"aezoo-run\">" + "".join(parts) + "</div>"


class Video:
    """A video file that Jupyter shows inline (mp4 as <video>, gif as <img>)."""

    def __init__(self, path):
        self.path = path

    def __repr__(self):
        return f"<aezoo video {self.path}>"

    def _repr_html_(self):
        name = os.path.basename(self.path)
        if os.path.getsize(self.path) > MAX_INLINE:
            return f'<p>Video too large to embed: <a href="{esc(self.path)}">{esc(name)}</a></p>'
        with open(self.path, "rb") as f:
            data = base64.b64encode(f.read()).decode("ascii")
        if self.path.endswith(".gif"):
            return f'<img alt="{esc(name)}" src="data:image/gif;base64,{data}" style="max-width:100%">'
        return (f'<video controls loop autoplay muted playsinline style="max-width:100%" '
                f'title="{esc(name)}"><source type="video/mp4" src="data:video/mp4;base64,{data}">'
                f"</video>")


def png_bytes_tag(png, alt):
    """An <img> of PNG bytes, embedded."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}" style="max-width:100%">'
