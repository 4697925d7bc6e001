"""The one frame composer: the frames of a progress video, a latent video or a comparison.

`compose(runs, epochs)` gives the frames of a progress video (one run: progress.py,
the reconstruction panel beside the curves, a title on top), of its latent view
alone, or of a comparison (several runs, or labels given: columns.py, one
labelled column a run). The panels (panels.py) draw all of them, chosen by the
data's view, so a new view of a run is one more panel, not a third copy of a layout.
"""
import matplotlib.pyplot as plt

from aezoo.viz import video
from aezoo.viz.columns import Columns
from aezoo.viz.panels import PANELS, GridPanel, LinePanel  # noqa: F401  (what frames are drawn with)
from aezoo.viz.progress import FRAME_SIZE, LATENT_SIZE, LatentOnly, Progress  # noqa: F401
from aezoo.viz.style import DPI, MIN_THUMB, plain_text  # noqa: F401


@plain_text()
def layout(runs, labels=None, baselines=(), dpi=DPI, view="progress"):
    """The figure of a progress frame (one unlabelled run), of its latent view alone, or of a
    comparison, with its show(epoch); `baselines` [(name, value)] are dotted lines of the
    comparison's shared panel."""
    if view == "latent":
        return LatentOnly(runs[0], dpi)
    if labels is None and len(runs) == 1:
        return Progress(runs[0], dpi)
    return Columns(runs, labels or [r.name for r in runs], baselines, dpi)


@plain_text()
def compose(runs, epochs, labels=None, baselines=(), dpi=DPI, view="progress", tick=None):
    """uint8 RGB frames, one per epoch in `epochs`; progress layout for one unlabelled run.
    `tick()`, if given, is called after each frame (a progress bar)."""
    shown = layout(runs, labels, baselines, dpi, view)
    out = []
    try:
        for epoch in epochs:
            shown.show(epoch)
            out.append(video.figure_pixels(shown.fig))
            if tick is not None:
                tick()
    finally:
        plt.close(shown.fig)
    return out
