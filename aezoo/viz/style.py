"""What every frame shares: its resolution and its smallest text, and matplotlib off screen."""
import matplotlib

matplotlib.use("Agg")  # frames are drawn into arrays, never shown
# A run's name, a path or a label is text: "$x$" is shown as written, never parsed as math.
matplotlib.rcParams["text.parse_math"] = False

from aezoo.viz.video_settings import DPI  # noqa: E402,F401  (pixels per inch of a frame)
FONT = 8   # points: 11 px at DPI 100, the smallest text of a frame
MIN_THUMB = 64  # pixels a sample gets at least in a comparison column (rows wrap)
