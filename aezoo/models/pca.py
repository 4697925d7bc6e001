"""PCA baseline: the best linear code of a given size, scored the way runs are.

PCA is fitted on a run's training split and scored on its test split, so its
row in scores.md answers "how much better than PCA" for the same numbers of
code and the same images. Scores match the trainer's: per-pixel BCE (with the
image's own entropy, as softplus(a) - x*a gives), per-pixel MSE, and squared
error summed over the pixels of an image, averaged over the images.
"""
import numpy as np
from sklearn.decomposition import PCA

EPS = 1e-7  # PCA may reconstruct outside (0, 1); Keras clips its BCE with the same epsilon


def fit(train, k, seed=0):
    """PCA with `k` components (at most as many as the data allows) on (N, ...) images."""
    x = np.asarray(train, np.float64).reshape(len(train), -1)  # Pixels too: the whole split
    k = min(k, *x.shape)
    # Constant data (all zeros: a perfect score is possible) has no variance to explain:
    # sklearn's ratio 0/0 warns, yet the fit and its reconstructions are exact.
    with np.errstate(invalid="ignore", divide="ignore"):
        return PCA(n_components=k, random_state=seed).fit(x)


def reconstruct(pca, images, clip=True):
    """PCA reconstructions of `images` in their shape, clipped to [0, 1] like an image
    (unless clip=False: data outside [0, 1], such as sequences)."""
    x = images.reshape(len(images), -1).astype(np.float64)
    r = pca.inverse_transform(pca.transform(x))
    return (np.clip(r, 0.0, 1.0) if clip else r).reshape(images.shape)


def scores(x, r, bce=True):
    """Test scores of reconstructions `r` (in [0, 1]) of images `x`; without bce, of any
    real values (test_bce is None)."""
    x = x.reshape(len(x), -1).astype(np.float64)
    r = r.reshape(len(r), -1).astype(np.float64)
    squared = np.square(r - x)
    found = {"test_bce": None, "test_mse": float(squared.mean()),
             "test_sqerr": float(squared.sum(axis=1).mean())}
    if bce:
        r = np.clip(r, EPS, 1 - EPS)  # log(0) where PCA gives exactly 0 or 1
        found["test_bce"] = float(-(x * np.log(r) + (1 - x) * np.log(1 - r)).mean())
    return found


def baseline(dataset, k, seed=0):
    """Scores of a k-component PCA fitted on dataset.train, evaluated on dataset.test.

    Clipping to [0, 1] can only lower PCA's errors, so the baseline is never
    handicapped by it. "params" counts the components and the mean.
    """
    pca = fit(dataset.train, k, seed)
    size = int(np.prod(dataset.shape))
    low, high = dataset.value_range
    unit = low >= 0 and high <= 1  # images: clipped like one, and scored by BCE too
    return {"code_size": int(pca.n_components_), "params": int(pca.n_components_ * size + size),
            **scores(dataset.test, reconstruct(pca, dataset.test, unit), unit)}
