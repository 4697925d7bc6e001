"""What a video is asked to be, checked without drawing: frames per second, formats, size.

Apart from video.py (which writes the files) and style.py (matplotlib's settings), so that
checking an option (config.py) or finding a comparison unchanged (a finished sweep run
again) loads no imageio, matplotlib or Pillow.
"""
from aezoo.errors import UsageError

FPS_RANGE = (0.1, 120.0)  # a GIF frame can last at most 655 s; faster than 120 fps nobody sees
FORMATS = ("gif", "mp4")
DPI = 100  # pixels per inch of a frame; --dpi D scales every side by D / DPI
DPI_RANGE = (50, 400)  # frames from half to four times the default size


def check_fps(fps):
    """Frames per second for videos, or a UsageError (NaN, inf, 0 and 1e-9 included)."""
    if not (isinstance(fps, (int, float)) and FPS_RANGE[0] <= fps <= FPS_RANGE[1]):
        raise UsageError(f"--fps {fps}: expected a number from {FPS_RANGE[0]:g} to {FPS_RANGE[1]:g}")
    return float(fps)


def check_dpi(dpi):
    """Dots per inch of frames (DPI = 100: the default size), or a UsageError."""
    if not (isinstance(dpi, (int, float)) and DPI_RANGE[0] <= dpi <= DPI_RANGE[1]):
        raise UsageError(f"--dpi {dpi}: expected a number from {DPI_RANGE[0]} to {DPI_RANGE[1]} "
                         f"({DPI} is the default size)")
    return float(dpi)
