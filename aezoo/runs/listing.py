"""Run folders summed up in a line each: what `aezoo runs` lists and a run's closing summary.

    aezoo runs                  # the runs under outputs/, newest first
    aezoo runs outputs/sweep-quick

A run folder is a folder holding config.json and metrics.jsonl; sweeps and
comparisons hold theirs one level down, so the search goes a few levels deep.
The score is the run's own: a VAE's ELBO (nats per image), else its test loss
by the name of its loss (bce, mse), the best over its trained epochs.
"""
import os
from dataclasses import dataclass

from aezoo.errors import UsageError
from aezoo.runs import metrics, rundir
from aezoo.runs.paths import shown

DEPTH = 3  # folder levels searched below DIR (outputs/sweep-x/compare-y/run is 3)


@dataclass
class Summary:
    dir: str
    model: str
    data: str
    epochs: int         # the last epoch with a metrics line
    score: str          # "elbo", "bce", "mse"
    best: float = None  # the lowest test score of a trained epoch
    best_epoch: int = None
    final: float = None
    created: str = ""   # ISO time the run began
    bytes: int = 0


def score_of(records, config):
    """The name of the run's own score in its metrics lines (elbo, bce or mse)."""
    if any("test_elbo" in r for r in records):
        return "elbo"
    return config.get("loss") or "bce"


def summarize(run_dir):
    """The Summary of one run folder (read only); a UsageError for a folder that is not one."""
    record = rundir.read_config(run_dir)
    config = record["config"]
    epochs, _ = metrics.read(run_dir)
    score = score_of(epochs, config)
    trained = [r for r in epochs if r["epoch"] > 0 and f"test_{score}" in r]
    grown = metrics.final_network(trained)  # a growing run's best: at its final depth
    best = min(grown, key=lambda r: r[f"test_{score}"]) if grown else None
    data = record.get("data", {}).get("name", config.get("data", "?"))
    kind, _, path = str(data).partition(":")
    return Summary(
        dir=run_dir, model=config.get("model", "?"),
        data=f"{kind}:{os.path.basename(path)}" if path else data,
        epochs=epochs[-1]["epoch"] if epochs else 0, score=score,
        best=best and best[f"test_{score}"], best_epoch=best and best["epoch"],
        final=trained[-1][f"test_{score}"] if trained else None,
        created=record.get("created") or "", bytes=folder_bytes(run_dir))


def folder_bytes(folder):
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:  # removed while we looked
                pass
    return total


def is_run(folder):
    return (os.path.isfile(os.path.join(folder, rundir.CONFIG))
            and os.path.isfile(os.path.join(folder, metrics.FILE)))


def find(root, depth=DEPTH):
    """Run folders under `root` (itself included), at most `depth` levels down."""
    if not os.path.isdir(root):
        raise UsageError(f"{root} is not a folder")
    found = []

    def walk(folder, level):
        if is_run(folder):
            found.append(folder)
            return  # a run's own subfolders (recon/) hold no runs
        if level == depth:
            return
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isdir(path) and not os.path.islink(path):
                walk(path, level + 1)

    walk(root, 0)
    return found


def listed(root):
    """Summaries of the runs under `root`, newest first; a folder that cannot be read as a run
    (a damaged config.json) is left out and named in the second list."""
    summaries, skipped = [], []
    for folder in find(root):
        try:
            summaries.append(summarize(folder))
        except (UsageError, OSError, ValueError, KeyError) as e:
            skipped.append((folder, str(e).splitlines()[0] if str(e) else type(e).__name__))
    summaries.sort(key=lambda s: (s.created, s.dir), reverse=True)
    return summaries, skipped


def size(n):
    """'812 KB', '3.4 MB'."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" or n >= 100 else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def table(summaries, root):
    """The listing as aligned text lines: a header, then a row a run."""
    rows = [("run", "model", "data", "epochs", "best test (epoch)", "size", "date")]
    for s in summaries:
        best = "–" if s.best is None else f"{s.score} {s.best:.4g} ({s.best_epoch})"
        date = s.created.replace("T", " ")[:16] if s.created else "–"
        rows.append((os.path.relpath(s.dir, root) if s.dir != root else s.dir, s.model, s.data,
                     str(s.epochs), best, size(s.bytes), date))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    right = {3, 5}
    return ["  ".join(c.rjust(w) if i in right else c.ljust(w)
                      for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in rows]


def elapsed(seconds):
    """'43 s', '4 min 19 s', '1 h 02 min'."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def closing(run_dir, seconds, videos=()):
    """A finished run's summary lines: best epoch and score, final score, time, folder and
    the next commands."""
    s = summarize(run_dir)
    run_dir, videos = shown(run_dir), [shown(v) for v in videos]  # as the user would type them
    lines = ["summary"]
    if s.best is not None:
        lines.append(f"  best     epoch {s.best_epoch}: test {s.score} {s.best:.4f}")
        lines.append(f"  final    epoch {s.epochs}: test {s.score} {s.final:.4f}")
    lines += [f"  time     {elapsed(seconds)}", f"  folder   {run_dir}"]
    watch = [v for v in videos if v.endswith(".gif")] or list(videos)
    nexts = ([f"open {watch[0]}"] if watch else [f"aezoo render {run_dir}"]) + [
        f"aezoo compare {run_dir} OTHER_RUN", f"aezoo export {run_dir}", "aezoo runs"]
    lines.append("  next     " + nexts[0])
    lines += ["           " + n for n in nexts[1:]]
    return lines

