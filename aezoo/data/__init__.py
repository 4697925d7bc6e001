"""Data sets: arrays with a kind and a value range, loaded by name.

    from aezoo.data import load
    dataset = load("digits")       # Dataset: train, test, kind, value_range, labels

Loading knows nothing of models, training or pictures: a model that needs its
data in [0, 1] checks `value_range` itself. Imports nothing of aezoo but
aezoo.errors.
"""
from aezoo.data.dataset import Dataset  # noqa: F401
from aezoo.data.formats import md5_of, read_idx, read_npy  # noqa: F401
from aezoo.data.sets import IDX_SETS, cache_dir, load  # noqa: F401
