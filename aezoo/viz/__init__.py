"""Pictures: arrays in, pixels out. Snapshots' arrays, metrics and layers become frames and videos.

    tiles.py         an epoch's arrays tiled into one grey grid (the PNG beside each .npz)
    panels.py        the reconstruction panels by the data's view: grid_panel.py, line_panel.py
    curves.py        loss curves: loss.png and the curve panel of frames
    latent.py        the latent view: the fixed projection and its panel
    architecture.py  the strip that draws the network from its layers()
    sequences.py     sequences as pictures (rows, heat maps)
    progress.py      one run's frame (and its latent view alone)
    columns.py       the comparison frame: a column a run and one shared curve panel
    frame.py         the composer: which frame for which runs, and the frames of a video
    video.py         frames to GIF and MP4
    video_settings.py  fps, formats and dpi checked without drawing (config, a reused comparison)
    style.py         the frames' resolution and text size

May import aezoo.errors and aezoo.runs (the run folder read back); never
chainer, cupy, a model, the training loop or a command: the arrays come from
train/capture.py through the run folder.
"""
