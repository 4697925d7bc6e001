"""report.html: a comparison or a sweep in one file that any browser opens from the disk.

    aezoo report outputs/sweep-quick
    aezoo report outputs/compare-20261126-120000

aezoo compare (and so a sweep) writes it at its end. DIR is a comparison's
folder (it holds compared.json) or a sweep's whose runs were compared data set
by data set (DIR/compare-*/). The page holds the sortable score table, the
comparison plot and video, and for each run its progress video, its latent
view, its growth events and its resolved options. Pictures and videos are
embedded as data: URIs (a file larger than EMBED_MAX is linked relatively),
and its one script is inline: no network, no server. A run without
progress.mp4 (sweeps train with --no-video) gets one rendered for the page,
without touching its folder. The script also writes, once every image and
video has loaded or failed, what happened into <html data-loaded="...">,
which the tests read in headless Chromium.
"""
import base64
import csv
import html
import json
import math
import os
import re
import sys
import tempfile
import time
import urllib.parse

from aezoo import __version__
from aezoo.errors import UsageError
from aezoo.results import compared, long_steps, manifest
from aezoo.runs.atomic import atomic
from aezoo.runs.folder import RunFolder

FILE = "report.html"
# A search's pictures (aezoo/sweeps/pictures.py draws them into the sweep folder), shown first
SEARCH_PICTURES = (("search-history.png", "the search: each trial's score (a pruned trial's where "
                                         "it stopped), and the best so far"),
                   ("search-importances.png", "how much each searched option mattered (fANOVA)"),
                   ("search-parallel.png", "every trial's values and its score"),
                   ("search-epochs.png", "what each trial reported epoch by epoch (pruned ones "
                                         "stop early)"))
EMBED_MAX = 32 * 2 ** 20  # bytes: larger files are linked, not embedded
MEDIA = {".png": "image/png", ".gif": "image/gif", ".mp4": "video/mp4"}
REPORT_FRAMES = 40        # frames at most of a video rendered for the page (a preview)
SHOWN = ("run", "model", "epochs", "params", "code_size", "final_test_bce", "best_test_bce",
         "best_epoch", "final_test_mse", "final_test_sqerr", "sqerr_vs_pca", "seconds_per_epoch",
         "stopped_early")
HEADINGS = {"best_epoch": "best epoch (run's own loss)", "code_size": "code",
            "sqerr_vs_pca": "sq. err vs PCA", "seconds_per_epoch": "s / epoch",
            "stopped_early": "stopped early at"}
GROWTH = ("epoch", "depth", "widths", "params", "init", "dead_units", "test_bce_jump")

STYLE = """body{font:15px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1400px;
padding:0 1em;color:#222}h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0}th,td{padding:.25em .6em;border-bottom:1px solid
#e4e4e4;text-align:right}th:first-child,td:first-child{text-align:left}th.sortable{cursor:pointer;
background:#f2f2f2}th.sortable:after{content:" \\2195";color:#999}tr.baseline{color:#666;
font-style:italic}img,video{max-width:100%;height:auto;border:1px solid #ddd}figure{margin:.5em
1em .5em 0;display:inline-block;vertical-align:top}figcaption{color:#555;font-size:.9em}
details{margin:.5em 0}code{background:#f4f4f4;padding:0 .2em}
figure.wide{display:block;width:min(1920px,calc(100vw - 2em));position:relative;left:50%;
transform:translateX(-50%);margin:.5em 0}figure.wide video,figure.wide img{width:auto}"""

SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, column) {
    th.classList.add("sortable");
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var up = th.dataset.order !== "up"; th.dataset.order = up ? "up" : "down";
      function key(row) { var v = row.cells[column].dataset.value; return v === undefined ?
        row.cells[column].textContent : v; }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        if (x === "" || y === "") return (x === "") - (y === "");
        var d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return up ? d : -d; });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
var failed = [];
window.addEventListener("error", function (e) {
  failed.push(e.target && e.target.src ? "load " + e.target.src.slice(0, 80) : String(e.message));
}, true);
window.addEventListener("load", function () {
  var videos = Array.prototype.slice.call(document.querySelectorAll("video"));
  var waits = videos.map(function (v) { return new Promise(function (done) {
    if (v.readyState >= 1 || v.error) return done();
    v.addEventListener("loadedmetadata", done); v.addEventListener("error", done);
    setTimeout(done, 10000); }); });
  Promise.all(waits).then(function () {
    document.documentElement.dataset.loaded = JSON.stringify({
      images: Array.prototype.map.call(document.images, function (i) {
        return [i.alt, i.complete ? i.naturalWidth : 0]; }),
      videos: videos.map(function (v) { return [v.title, v.readyState]; }),
      errors: failed });
  });
});
"""


def comparisons(folder):
    """The comparison folders a report covers: `folder` itself, or its compare-* folders."""
    if compared.is_comparison(folder):
        return [folder]
    found = sorted(os.path.join(folder, name) for name in (os.listdir(folder) if
                                                         os.path.isdir(folder) else [])
                   if name.startswith("compare-")
                   and compared.is_comparison(os.path.join(folder, name)))
    if not found:
        raise UsageError(f"{folder} is not a comparison or sweep folder (no compared.json in it "
                         f"or in its compare-* folders); run aezoo compare first")
    return found


def source(path, out):
    """A data: URI of the file at `path`, or for a very large one its path relative to `out`."""
    if os.path.getsize(path) > EMBED_MAX:
        # A link is a URL: "#" or "%" in a folder's name is percent-encoded, not a fragment.
        relative = urllib.parse.quote(os.path.relpath(path, out).replace(os.sep, "/"))
        return html.escape(relative, quote=True)
    with open(path, "rb") as f:
        data = base64.b64encode(f.read()).decode("ascii")
    return f"data:{MEDIA[os.path.splitext(path)[1]]};base64,{data}"


def media(path, out, caption, wide=False):
    """An <img> or <video> of `path` in a captioned figure; a `wide` one (the comparison's
    frames, up to 1920 px) may leave the text's column, so its text is shown at full size."""
    title = html.escape(caption, quote=True)
    if path.endswith(".mp4"):
        tag = (f'<video title="{title}" src="{source(path, out)}" controls muted loop '
               f'autoplay playsinline preload="auto"></video>')
    else:
        tag = f'<img alt="{title}" src="{source(path, out)}">'
    kind = ' class="wide"' if wide else ""
    return f"<figure{kind}>{tag}<figcaption>{html.escape(caption)}</figcaption></figure>"


def run_video(run, view, scratch):
    from aezoo.viz import frame, video  # drawing's libraries load when a video is made
    """The run's progress.mp4 (latent: latent.mp4), else one rendered into `scratch`."""
    stem = {"progress": "progress", "latent": "latent"}[view]
    for ext in (".mp4", ".gif"):
        if os.path.exists(os.path.join(run.dir, stem + ext)):
            return os.path.join(run.dir, stem + ext)
    epochs = [run.saved[i]["epoch"] for i in video.pick(len(run.saved), REPORT_FRAMES)]
    fps = video.check_fps(run.config.get("fps") or 4.0)
    with long_steps.Steps(PROG, f"{run.name}: {view} video for the page", len(epochs)) as tick:
        frames = frame.compose([run], epochs, view=view, tick=tick)
    written = video.write(os.path.join(scratch, f"{len(os.listdir(scratch))}-{stem}"), frames,
                          fps, ("mp4",), prog="aezoo report")
    if not written:  # no usable ffmpeg: a GIF plays everywhere
        written = video.write(os.path.join(scratch, f"{len(os.listdir(scratch))}-{stem}"),
                              frames, fps, ("gif",), prog="aezoo report")
    return written[0]


def cell(value, text=False):
    """A table cell: a number sortable by its value, or `text` as it is (a run named "nan"
    or "1e3" is a name). A NaN or infinite score is shown as such, sorted last."""
    if value in ("", None):
        return '<td data-value="">–</td>'
    try:
        number = float(value)
    except (ValueError, TypeError):
        text = True
    if text:
        return f"<td>{html.escape(str(value))}</td>"
    if not math.isfinite(number):
        return f'<td data-value="">{html.escape(str(value))}</td>'
    shown = (f"{int(number):,}" if number.is_integer() and abs(number) >= 1 else
             f"{number:,.1f}" if abs(number) >= 1000 else f"{number:#.4g}")  # 4 significant digits
    return f'<td data-value="{number!r}">{shown}</td>'


def score_table(folder):
    with open(os.path.join(folder, "scores.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    head = "".join(f"<th>{html.escape(HEADINGS.get(c, c.replace('_', ' ')))}</th>" for c in SHOWN)
    body = "".join(f'<tr class="{"baseline" if r["model"] == "pca" else "run"}">'
                   + "".join(cell(r.get(c), c in ("run", "model")) for c in SHOWN) + "</tr>"
                   for r in rows)
    return (f'<table class="sortable scores"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def growth_table(run):
    events = [e for e in run.events if e.get("event") == "growth"]
    if not events:
        return "<p>No growth: the architecture stayed as it started.</p>"
    head = "".join(f"<th>{c.replace('_', ' ')}</th>" for c in GROWTH)
    body = "".join("<tr>" + "".join(
        cell("-".join(map(str, e[c])) if c == "widths" and e.get(c) else e.get(c))
        for c in GROWTH) + "</tr>" for e in events)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def options_table(run):
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td><code>{html.escape(json.dumps(v))}</code>"
                   f"</td></tr>" for k, v in sorted(run.config.items()))
    return f"<details><summary>options (config.json)</summary><table>{rows}</table></details>"


def run_section(run, label, out, scratch):
    parts = [f'<section class="run-detail" id="run-{html.escape(label, quote=True)}">',
             f"<h3>{html.escape(label)}</h3>",
             f"<p>{html.escape(run.config['model'])} on {html.escape(run.data_name)}, "
             f"{run.last} epochs · <code>{html.escape(run.dir)}</code></p>",
             media(run_video(run, "progress", scratch), out, f"{label}: progress")]
    try:
        parts.append(media(run_video(run, "latent", scratch), out, f"{label}: latent space"))
    except UsageError:  # a run saved before the latent view: nothing to show
        parts.append("<p>No latent codes in this run's snapshots.</p>")
    parts += ["<h4>growth</h4>", growth_table(run), options_table(run), "</section>"]
    return "\n".join(parts)


def comparison_section(folder, out, scratch):
    runs = [RunFolder(d) for d in compared.read(folder)[0]]
    names = [r.name for r in runs]
    labels = names if len(set(names)) == len(names) else [os.path.normpath(r.dir) for r in runs]
    title = os.path.relpath(folder, out) if folder != out else "scores"
    parts = [f"<h2>{html.escape(title)}: {html.escape(runs[0].data_name)}</h2>",
             "<p>Click a column's heading to sort. Italic rows are PCA with the same code size "
             "on the same split.</p>", score_table(folder)]
    for name, caption in (("compare.png", "test loss of every run"),
                          ("compare.mp4", "side by side, epoch by epoch")):
        path = os.path.join(folder, name)
        if not os.path.exists(path) and name.endswith(".mp4"):
            path = path[:-4] + ".gif"
        if os.path.exists(path):
            parts.append(media(path, out, caption, wide=name == "compare.mp4"))
    parts += [run_section(run, label, out, scratch) for run, label in zip(runs, labels)]
    return "\n".join(parts)


def search_section(folder):
    """A search's pictures, when the sweep folder holds them; else nothing."""
    found = [(os.path.join(folder, name), caption) for name, caption in SEARCH_PICTURES
             if os.path.exists(os.path.join(folder, name))]
    if not found:
        return ""
    return "\n".join(["<h2>the search</h2>"] + [media(p, folder, c) for p, c in found])


DIGEST = re.compile(r'<meta name="aezoo-inputs" content="([0-9a-f]+)">')
PROG = "aezoo report"


def inputs(sections, folder=None):
    """The digest of everything the page shows: each comparison's files and its runs'.
    (Not compared.json itself, which gets its own digest after the page is written.)"""
    files, runs = [], []
    for folder in sections:
        run_dirs = compared.read(folder)[0]
        runs += run_dirs
        files += [os.path.join(folder, name) for name in ("scores.csv", "compare.png",
                                                          "compare.mp4", "compare.gif")]
    files += [os.path.join(folder or sections[0], name) for name, _ in SEARCH_PICTURES]
    return manifest.digest({"files": manifest.of_files(files, {}, folder or sections[0]),
                            "runs": [manifest.run_inputs(d) for d in runs]})


def made_from(path):
    """The digest a report.html was made from (None: none, or not aezoo's page)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            found = DIGEST.search(f.read(4096))
    except OSError:
        return None
    return found and found.group(1)


def check_writable(folder):
    """One line now if report.html cannot be written into `folder` (read-only, full)."""
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as e:
        raise UsageError(f"{folder}: cannot write {FILE} there ({e.strerror or e}); nothing was "
                         f"rendered")


def write(folder):
    """Write `folder`/report.html; returns its path. A page made from the same inputs is kept,
    and one line says so."""
    sections = comparisons(folder)
    path = os.path.join(folder, FILE)
    digest = inputs(sections, folder)
    if made_from(path) == digest:
        print(f"{PROG}: nothing changed since {path} was written: kept it", file=sys.stderr)
        return path
    check_writable(folder)  # before minutes of rendering the videos, not after
    with tempfile.TemporaryDirectory(prefix="aezoo-report-") as scratch:
        body = "\n".join([search_section(folder)] + [comparison_section(c, folder, scratch)
                                                      for c in sections])
    name = html.escape(os.path.basename(os.path.abspath(folder)))
    page = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="aezoo-inputs" content="{digest}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>aezoo: {name}</title><style>{STYLE}</style></head><body>"
            f"<h1>aezoo: {name}</h1><p>Made by aezoo {__version__} on "
            f"{time.strftime('%Y-%m-%d %H:%M')}.</p>\n{body}\n<script>{SCRIPT}</script>"
            f"</body></html>\n")
    with atomic(path) as f:
        f.write(page)
    return path
