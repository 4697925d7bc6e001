"""What every frame shares: its resolution, its smallest text, its plain text, and matplotlib
off screen."""
import matplotlib

matplotlib.use("Agg")  # frames are drawn into arrays, never shown

from aezoo.viz.video_settings import DPI  # noqa: E402,F401  (pixels per inch of a frame)
FONT = 8   # points: 11 px at DPI 100, the smallest text of a frame
MIN_THUMB = 64  # pixels a sample gets at least in a comparison column (rows wrap)


def plain_text():
    """Around the drawing of a figure (a `with` block or a decorator): a run's name, a path or
    a label is text, "$x$" shown as written, never parsed as math. Scoped, so that the
    user's own matplotlib settings (a notebook's) stay as they were."""
    return matplotlib.rc_context({"text.parse_math": False})
