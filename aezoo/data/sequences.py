"""Sequence data sets, (N, T, D) arrays of kind "sequence".

    sine              noisy sine windows: 80 steps a cycle, 50 cycles, uniform noise of
                      amplitude 0.05, windows of --seq-len steps (default 30), D = 1; the
                      same every time (a fixed seed), generated offline
    digits-rows       each 8x8 digit read as 8 steps of 8 values (mnist-rows,
    mnist-rows        fashion-mnist-rows: 28 steps of 28), labels kept
    npz:PATH          x (N, T, D) and, for sequences of different lengths, lengths (N,)
    synthetic:N,T,D   smooth random multichannel sequences in (-1, 1), seeded (shaped like
                      the Keras snippet's speech features: synthetic:269,30,2000)

Variable-length sequences are held as one array: the steps after a sequence's
length are NaN. The GRU carries its state over them and its loss leaves them out;
a model that cannot do that refuses such data.
"""
import numpy as np

from aezoo.data import formats
from aezoo.data.dataset import Dataset, split
from aezoo.errors import UsageError

SINE = dict(period=80, cycles=50, noise=0.05)
SEQUENCE_SEED = 0  # generated sets never change, whatever --seed says
MAX_VALUES = 10 ** 8  # values a synthetic set may have (400 MB of float32)


def sine(seq_len, test_fraction=0.2):
    """Windows of one noisy sine; the test windows come after the training ones in time,
    with seq_len - 1 windows dropped between them so that no step is in both."""
    steps = SINE["period"] * SINE["cycles"]
    if not 2 <= seq_len <= steps // 4:
        raise UsageError(f"--seq-len {seq_len}: expected 2 to {steps // 4} for --data sine")
    t = np.arange(steps)
    noise = np.random.RandomState(SEQUENCE_SEED).uniform(-1, 1, steps) * SINE["noise"]
    series = (np.sin(2 * np.pi * t / SINE["period"]) + noise).astype(np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(series, seq_len)[:, :, None].copy()
    n_test = int(round(len(windows) * test_fraction))
    n_train = len(windows) - n_test - (seq_len - 1)
    if n_test < 1 or n_train < 1:
        raise UsageError(f"--data sine: {len(windows)} windows of {seq_len} steps cannot be split "
                         f"with --test-fraction {test_fraction} and no step in both parts")
    train, test = windows[:n_train], windows[len(windows) - n_test:]
    return Dataset("sine", train, test, kind="sequence")


def rows(dataset, name):
    """An image data set read row by row: (N, H, W) images become H steps of W values."""
    found = dataset.as_sequences()
    found.name = name
    return found


def read_npz(path, test_fraction):
    """x (N, T, D), finite on its real steps, and optional lengths (N,) from 1 to T."""
    arrays = formats.read_npz(path)
    x = arrays.get("x")
    if x is None or x.ndim != 3 or x.size == 0:
        raise UsageError(f"{path}: expected an array x of shape (N, T, D), got "
                         f"{'none' if x is None else x.shape}")
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise UsageError(f"{path}: expected x of real numbers, got dtype {x.dtype}")
    x = x.astype(np.float32)
    lengths = arrays.get("lengths")
    real = np.ones(x.shape[:2], bool)  # steps within their sequence's length
    if lengths is not None:
        if (lengths.shape != (len(x),) or not np.issubdtype(lengths.dtype, np.integer)
                or lengths.min() < 1 or lengths.max() > x.shape[1]):
            raise UsageError(f"{path}: expected lengths of {len(x)} whole numbers from 1 to "
                             f"{x.shape[1]}, got shape {lengths.shape}, dtype {lengths.dtype}")
        real = np.arange(x.shape[1])[None, :] < lengths[:, None]
        x[~real] = np.nan  # padding: see the module docstring
    if not np.isfinite(x[real]).all():
        raise UsageError(f"{path}: x holds NaN or infinite values within the sequences' "
                         f"lengths")
    return split(f"npz:{path}", x, test_fraction, kind="sequence")


def synthetic(spec, test_fraction):
    """`synthetic:N,T,D`: each sequence mixes 8 slow random waves through fixed loadings."""
    try:
        n, t, d = (int(v) for v in spec.split(","))
    except ValueError:
        raise UsageError(f"--data synthetic:{spec}: expected synthetic:N,T,D, like "
                         f"synthetic:269,30,2000")
    if min(n, t, d) < 1 or n < 2 or n * t * d > MAX_VALUES:
        raise UsageError(f"--data synthetic:{spec}: expected N >= 2, T, D >= 1 and at most "
                         f"{MAX_VALUES} values")
    rng = np.random.RandomState(SEQUENCE_SEED)
    waves = 8
    frequency = rng.uniform(0.5, 3.0, (n, 1, waves)) * 2 * np.pi / max(t, 2)
    phase = rng.uniform(0, 2 * np.pi, (n, 1, waves))
    latent = np.sin(np.arange(t)[None, :, None] * frequency + phase)  # (n, t, waves)
    loadings = rng.normal(0, 1 / np.sqrt(waves), (waves, d))
    x = np.tanh(latent @ loadings + rng.normal(0, 0.05, (n, t, d)))
    return split(f"synthetic:{spec}", x.astype(np.float32), test_fraction, kind="sequence")
