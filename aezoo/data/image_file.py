"""One image file, read with Pillow: its header (size, colour), then its pixels.

    header(path)                        -> ((height, width), has colour)
    decode(path, (h, w) or None, "rgb") -> uint8 (h, w, 3), or (h, w) for "gray"

The resize rule (--image-size H[xW]): scale the image so that it covers H x W, keeping
its aspect, then cut the centre (Pillow's ImageOps.fit, bicubic). Without
--image-size every image must have the same size. Modes are converted: RGBA and LA lose
their alpha, a palette is looked up, gray becomes RGB (R = G = B) and colour becomes gray
by Pillow's luma (L = 0.299 R + 0.587 G + 0.114 B). A GIF gives its first frame.

A file that cannot be used stops the run with one line naming it: not an image,
truncated or corrupt, unreadable, smaller than MIN_SIDE a side, or over Pillow's
decompression-bomb limit (Image.MAX_IMAGE_PIXELS, about 89 million pixels: its warning
is an error here).
"""
import warnings

import numpy as np

from aezoo.errors import UsageError

MIN_SIDE = 4  # a side below this is a tracking pixel or a broken export, not a picture
GRAY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")


def header(path):
    """((height, width), whether the image has colour) from the file's header; a palette has
    colour when one of its entries is not gray."""
    with _opened(path) as image:
        width, height = image.size
        if image.mode in ("P", "PA"):
            palette = np.array(image.getpalette() or [0, 0, 0]).reshape(-1, 3)
            colour = bool((palette != palette[:, :1]).any())
        else:
            colour = image.mode not in GRAY_MODES
        return (height, width), colour


def decode(path, size, color):
    """The image's pixels, uint8, converted to `color` and fitted to `size` (h, w) if given."""
    with _opened(path) as image:
        try:
            image.seek(0)  # a GIF's first frame
            picture = image.convert("RGB" if color == "rgb" else "L")
            if size is not None and picture.size != (size[1], size[0]):
                from PIL import Image, ImageOps
                picture = ImageOps.fit(picture, (size[1], size[0]), Image.Resampling.BICUBIC)
            return np.asarray(picture, np.uint8)
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise UsageError(f"{path}: a truncated or corrupt image ({e}); fix or remove it")


class _opened:
    """Image.open(path) as a context, its failures one line naming the file."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.image = self._open()
        width, height = self.image.size
        if min(width, height) < MIN_SIDE:
            self.image.close()
            raise UsageError(f"{self.path}: {width}x{height} pixels; aezoo takes images of at "
                             f"least {MIN_SIDE}x{MIN_SIDE}")
        return self.image

    def _open(self):
        # Pillow loads when an image is read: config.py checks --image-size with this file
        from PIL import Image, UnidentifiedImageError
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                return Image.open(self.path)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
                raise UsageError(f"{self.path}: too large to decode safely ({e})")
            except UnidentifiedImageError:
                raise UsageError(f"{self.path}: not an image Pillow can read (its name says "
                                 f"PNG, JPEG, BMP or GIF); fix or remove it")
            except OSError as e:
                raise UsageError(f"{self.path}: cannot be read ({e.strerror or e})")
            except (SyntaxError, ValueError, EOFError) as e:
                raise UsageError(f"{self.path}: a truncated or corrupt image ({e}); fix or "
                                 f"remove it")

    def __exit__(self, *exc):
        self.image.close()
