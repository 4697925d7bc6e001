"""Frames to files, shared by every video aezoo writes (progress, comparison).

    GIF  Pillow through imageio v3: loops forever, 1000/fps ms a frame, the last held longer
    MP4  H.264 / yuv420p by the ffmpeg that imageio-ffmpeg's wheel bundles (offline works),
         with a timeout: a hung ffmpeg costs the MP4, never the run

Frames are uint8 RGB arrays of one size, drawn with matplotlib (Agg). Both
sides are padded to a multiple of 16, H.264's macro block (and yuv420p needs
even sides). A missing, broken or hung ffmpeg costs the MP4 only: the GIF is
still written and one line says why the MP4 is not.
"""
import os
import subprocess
import sys

import imageio.v3 as iio
import imageio_ffmpeg
import matplotlib
import numpy as np
from PIL import Image

from aezoo.errors import UsageError
from aezoo.viz.video_settings import FORMATS, FPS_RANGE, check_fps  # noqa: F401  (for its callers)

MAX_FRAMES = 120     # hundreds of epochs still render in seconds and stay a few MB
BLOCK = 16           # H.264 macro block: frame sides are padded to a multiple of it
HOLD_LAST_MS = 2000  # the GIF lingers on the final epoch before it loops
MIN_GIF_MS = 20      # browsers play GIF delays below 20 ms as 100 ms
FFMPEG_TIMEOUT = 300  # seconds an MP4 may take before ffmpeg counts as hung (the GIF stays)
def pick(n, limit=None):
    """Indices of at most `limit` (MAX_FRAMES) of `n` frames, evenly spread, first and last kept."""
    limit = limit or MAX_FRAMES
    if n <= limit:
        return list(range(n))
    return sorted(set(np.round(np.linspace(0, n - 1, limit)).astype(int).tolist()))


def pad(frame, block=BLOCK):
    """`frame` padded with white on the right and bottom to sides that are multiples of `block`."""
    h, w = frame.shape[:2]
    out = np.full((-(-h // block) * block, -(-w // block) * block, 3), 255, np.uint8)
    out[:h, :w] = frame[..., :3]
    return out


def figure_pixels(fig):
    """The figure rendered by Agg as a padded uint8 (H, W, 3) array."""
    fig.canvas.draw()
    return pad(np.asarray(fig.canvas.buffer_rgba()))


def gif_durations(n, fps):
    """Milliseconds per frame (imageio's GIF `duration` is in ms: 0.25 would mean 0)."""
    frame = max(MIN_GIF_MS, int(round(1000.0 / fps)))
    return [frame] * (n - 1) + [max(frame, HOLD_LAST_MS)]


def named_colours():
    """RGB triples a frame draws exactly and a GIF must keep: the tab10 colours (the latent
    view's classes, the curves), white, black and the greys of axes and labels."""
    tab10 = [tuple(int(round(255 * c)) for c in matplotlib.colormaps["tab10"](i)[:3])
             for i in range(10)]
    greys = [(v, v, v) for v in (255, 0, 77, 89, 102, 128, 153, 204)]
    return list(dict.fromkeys(tab10 + greys))


def shared_palette(frames, samples=8):
    """Frames reduced to one 256-colour palette taken from a few of them.

    Pillow would pick a palette per frame: colours that did not change would
    flicker, and a held column would not hold. With one palette, unchanged
    pixels stay identical and the GIF stores only what changed (about 3x smaller).
    The named colours are in the palette as they are, so a pixel of one stays that
    colour (median cut alone averaged tab10's green into a grey, and the legend lied);
    median cut picks the rest.
    """
    named = named_colours()
    picked = [frames[i] for i in np.linspace(0, len(frames) - 1, min(samples, len(frames))).astype(int)]
    cut = Image.fromarray(np.concatenate(picked)).quantize(256 - len(named),
                                                           method=Image.Quantize.MEDIANCUT)
    rest = np.asarray(cut.getpalette()[:3 * (256 - len(named))], np.int32).reshape(-1, 3)
    palette = np.concatenate([np.asarray(named, np.int32), rest])
    # Each colour goes to its exact nearest palette entry (Pillow's own mapping caches by
    # colour buckets and moved tab10's grey to a neighbour): a table over the colours seen.
    nearest = np.full(1 << 24, -1, np.int16)
    out = []
    for f in frames:
        packed = (f[..., 0].astype(np.int32) << 16) | (f[..., 1].astype(np.int32) << 8) | f[..., 2]
        seen = np.unique(packed)
        new = seen[nearest[seen] < 0]
        for chunk in np.array_split(new, -(-len(new) // 4096)) if len(new) else []:
            rgb = np.stack([chunk >> 16, (chunk >> 8) & 255, chunk & 255], axis=1)
            distance = ((rgb[:, None, :] - palette[None, :, :]) ** 2).sum(axis=2)
            nearest[chunk] = distance.argmin(axis=1)
        out.append(palette[nearest[packed]].astype(np.uint8))
    return out


def write_gif(path, frames, fps):
    # Pillow merges a frame identical to the one before it (adding the delays):
    # our frames always differ, at least in the epoch of their title.
    durations = gif_durations(len(frames), fps)
    iio.imwrite(path, np.stack(shared_palette(frames)), extension=".gif",
                duration=durations if len(frames) > 1 else durations[0], loop=0)  # Pillow: an int for one


def write_mp4(path, frames, fps):
    """H.264 by imageio-ffmpeg's own ffmpeg, fed raw frames, within FFMPEG_TIMEOUT seconds.

    +faststart puts the index first, so a browser starts playing before the download ends.
    """
    height, width = frames[0].shape[:2]
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "rawvideo",
               "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", f"{fps:g}", "-i", "-", "-an",
               "-vcodec", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", path]
    try:
        done = subprocess.run(command, input=np.stack(frames).tobytes(), capture_output=True,
                              timeout=FFMPEG_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"it did not finish within {FFMPEG_TIMEOUT:g} s")
    if done.returncode:
        raise RuntimeError(done.stderr.decode(errors="replace").strip() or
                           f"exit status {done.returncode}")


WRITERS = {"gif": write_gif, "mp4": write_mp4}


def parse_formats(text):
    """'gif,mp4' -> ('gif', 'mp4'); anything else is a UsageError naming the bad part."""
    formats = tuple(f.strip().lower().lstrip(".") for f in str(text).split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageError(f"--format {text!r}: expected gif, mp4 or gif,mp4")
    return formats


def write(stem, frames, fps, formats=FORMATS, prog="aezoo"):
    """Write `stem`.gif / `stem`.mp4; returns the paths written.

    Each file is written beside its final name and moved into place, so an
    interrupted render never leaves half a video where a whole one was.
    """
    written = []
    for fmt in formats:
        path = f"{stem}.{fmt}"
        partial = f"{stem}.partial.{fmt}"  # ffmpeg picks the container from the extension
        try:
            WRITERS[fmt](partial, frames, fps)
            os.replace(partial, path)
            written.append(path)
        except Exception as e:  # noqa: BLE001 - any ffmpeg failure costs the MP4 only
            if fmt != "mp4":
                raise
            stale = os.path.exists(path)
            if stale:  # an older video of a shorter run would pass for this one
                os.remove(path)
            reason = " ".join(str(e).split())[:200] or type(e).__name__
            print(f"{prog}: {os.path.basename(path)} not written{' (old one removed)' if stale else ''}"
                  f", ffmpeg cannot be used: {reason}", file=sys.stderr)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
    return written
