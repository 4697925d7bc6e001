"""What every frame shares: its resolution and its smallest text, and matplotlib off screen."""
import matplotlib

matplotlib.use("Agg")  # frames are drawn into arrays, never shown
# A run's name, a path or a label is text: "$x$" is shown as written, never parsed as math.
matplotlib.rcParams["text.parse_math"] = False

DPI = 100  # pixels per inch of a frame; --dpi D scales every side by D / DPI
FONT = 8   # points: 11 px at DPI 100, the smallest text of a frame
MIN_THUMB = 64  # pixels a sample gets at least in a comparison column (rows wrap)
