"""Dataset: train and test arrays with what a model and a picture need to know of them.

    kind          "image" for (N, H, W) gray or (N, H, W, 3) colour samples (channels last),
                  "vector" for (N, D), "sequence" for (N, T, D)
    view          how pictures show a sample: as the kind says, or for sequences "lines"
                  (D <= 8), "heatmap" (more values a step) or "rows" (an image read by rows)
    value_range   (min, max) over both splits (NaN padding left out); models whose loss
                  needs [0, 1] check it
    labels        class labels of the test samples when the data set has them, else None
    padded        True when some sequences are shorter than T (NaN after their end)
    class_names   the names of the labels (a folder's class folders), or None

train and test are float32 arrays, or Pixels (data/pixels.py): uint8 images read as
float32 a slice at a time. Whole-split passes here go CHUNK samples at a time.
"""
import hashlib
from dataclasses import dataclass

import numpy as np

from aezoo.data.pixels import chunks
from aezoo.errors import UsageError

KINDS = {2: "vector", 3: "image", 4: "image"}  # array rank -> kind, unless the loader says "sequence"
LINE_PLOT_MAX_D = 8  # sequences with up to this many values a step are drawn as lines


@dataclass
class Dataset:
    name: str
    train: np.ndarray  # (N, *shape) float32
    test: np.ndarray
    train_labels: np.ndarray = None
    test_labels: np.ndarray = None
    kind: str = None
    view: str = None
    class_names: list = None

    def __post_init__(self):
        self.kind = self.kind or KINDS[self.train.ndim]
        if self.view is None:
            self.view = self.kind if self.kind != "sequence" else (
                "lines" if self.shape[-1] <= LINE_PLOT_MAX_D else "heatmap")
        parts = [part for array in (self.train, self.test) for part in chunks(array)]
        self.padded = bool(self.kind == "sequence" and any(np.isnan(a).any() for a in parts))
        self.value_range = (float(min(np.nanmin(a) for a in parts)),
                            float(max(np.nanmax(a) for a in parts)))

    def as_sequences(self):
        """Images read row by row, for a model of sequences (the same arrays)."""
        if self.kind != "image":
            return self
        if self.channels > 1:
            raise UsageError(f"--data {self.name}: a model of sequences reads gray images row "
                             f"by row; these have {self.channels} colour channels (use "
                             f"--color gray, or an image model)")
        return Dataset(self.name, self.train, self.test, self.train_labels, self.test_labels,
                       kind="sequence", view="rows")

    @property
    def shape(self):
        return tuple(self.train.shape[1:])

    @property
    def channels(self):
        """3 for colour images (N, H, W, 3), else 1."""
        return self.shape[-1] if self.kind == "image" and len(self.shape) == 3 else 1

    def fingerprint(self):
        """A hash of both splits' values and shapes: the same data gives the same one."""
        digest = hashlib.sha1()
        for part in (self.train, self.test):
            digest.update(str(part.shape).encode())
            for piece in chunks(part):  # the same digest as the whole array's bytes
                digest.update(np.ascontiguousarray(piece, np.float32).tobytes())
        return digest.hexdigest()

    def entropy_floor(self):
        """The lowest test BCE per pixel any model can reach: the test pixels' own binary
        entropy (0 for data of 0s and 1s); None for sequences or data outside [0, 1]."""
        low, high = self.value_range
        if self.kind == "sequence" or low < 0 or high > 1:
            return None
        x = np.asarray(self.test, np.float64)
        p = np.clip(x, 1e-12, 1 - 1e-12)
        return float(np.mean(-(x * np.log(p) + (1 - x) * np.log(1 - p))))

    def describe(self):
        found = dict(name=self.name, kind=self.kind, shape=list(self.shape),
                     value_range=list(self.value_range), n_train=len(self.train),
                     n_test=len(self.test), labels=self.test_labels is not None,
                     fingerprint=self.fingerprint())
        if self.class_names:
            found["classes"] = list(self.class_names)
        floor = self.entropy_floor()
        if floor is not None:  # loss.png and frames draw it
            found["entropy_floor"] = floor
        if self.view != self.kind:  # sequences: lines, heatmap or rows
            found.update(view=self.view, padded=self.padded)
        return found

    def difference(self, described):
        """How this data differs from a run's record of its data (describe()), or None."""
        now = (list(self.shape), len(self.train), len(self.test))
        then = (list(described["shape"]), described["n_train"], described["n_test"])
        if now != then:
            return (f"it now has samples of shape {now[0]}, {now[1]} train / {now[2]} test; "
                    f"the run had {then[0]}, {then[1]} / {then[2]}")
        if described.get("fingerprint", self.fingerprint()) != self.fingerprint():
            return "its values differ from those the run was trained on"
        return None


def split(name, samples, test_fraction, labels=None, kind=None):
    """The last `test_fraction` of `samples` (and of `labels`) is the test split."""
    n_test = int(round(len(samples) * test_fraction))
    if n_test < 1 or n_test >= len(samples):
        raise UsageError(f"--data {name}: {len(samples)} samples cannot be split with "
                         f"--test-fraction {test_fraction}")
    if labels is not None and len(labels) != len(samples):
        labels = None  # a label file of another set: show no labels rather than wrong ones
    train_labels, test_labels = (None, None) if labels is None else (labels[:-n_test], labels[-n_test:])
    return Dataset(name, samples[:-n_test], samples[-n_test:], train_labels, test_labels, kind)
