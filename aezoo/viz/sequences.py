"""Sequences as grey pictures for the per-epoch PNG and the grid panels (numpy only).

    lines     D <= 8 values a step: one strip a value, the curve drawn dark on white
    heatmap   more values a step: a D x T picture, time running left to right
    rows      an image read by rows: the image itself (T rows of D)

Padded steps (NaN) stay white. Video frames draw "lines" with matplotlib instead
(viz/frame.py); these pictures are what the PNG shows.
"""
import numpy as np

STRIP = 40  # pixels of height for one value's curve
WIDTH = 120  # pixels a sequence's curve spans, about


def to_unit(values, value_range):
    """Values mapped onto [0, 1] over the data's range (clipped); NaN stays NaN."""
    low, high = value_range
    return np.clip((np.asarray(values, np.float32) - low) / ((high - low) or 1.0), 0, 1)


def pictures(batch, view, value_range):
    """(N, T, D) sequences as N grey pictures in [0, 1], white where a step is padding."""
    unit = to_unit(batch, value_range)
    if view == "rows":
        return np.nan_to_num(unit, nan=1.0)
    if view == "heatmap":
        return np.nan_to_num(unit.transpose(0, 2, 1), nan=1.0)
    return np.stack([curves(sample) for sample in unit])


def curves(sample):
    """One (T, D) sequence in [0, 1] as D stacked strips, each with its curve drawn dark."""
    steps, features = sample.shape
    step_width = max(1, WIDTH // steps)
    picture = np.ones((features * STRIP, steps * step_width), np.float32)
    for d in range(features):
        rows = np.round((1 - sample[:, d]) * (STRIP - 1))  # high values at the top
        top = d * STRIP
        for t in range(steps):
            if np.isnan(rows[t]):
                continue
            start = rows[t - 1] if t and not np.isnan(rows[t - 1]) else rows[t]
            low, high = int(min(start, rows[t])), int(max(start, rows[t]))
            picture[top + low:top + high + 1, t * step_width:(t + 1) * step_width] = 0.0
        if d:
            picture[top, :] = 0.8  # a faint line between strips
    return picture
