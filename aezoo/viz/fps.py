"""How fast a video plays: the one range every video's --fps is checked against.

Apart from video.py, which writes the files, so that checking an option (config.py) loads
no imageio, matplotlib or Pillow.
"""
from aezoo.errors import UsageError

FPS_RANGE = (0.1, 120.0)  # a GIF frame can last at most 655 s; faster than 120 fps nobody sees


def check_fps(fps):
    """Frames per second for videos, or a UsageError (NaN, inf, 0 and 1e-9 included)."""
    if not (isinstance(fps, (int, float)) and FPS_RANGE[0] <= fps <= FPS_RANGE[1]):
        raise UsageError(f"--fps {fps}: expected a number from {FPS_RANGE[0]:g} to {FPS_RANGE[1]:g}")
    return float(fps)
