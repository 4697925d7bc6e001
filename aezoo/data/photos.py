"""photo-patches: 32x32 colour patches of the two photographs scikit-learn ships, offline.

    aezoo run conv --data photo-patches

scikit-learn's load_sample_images() gives china.jpg and flower.jpg (427 x 640 RGB each;
Creative Commons BY 2.0, by danielbuechele and vultilion on Flickr, as
sklearn/datasets/images/README.txt says). Each is cut into non-overlapping 32x32 patches
(13 x 20 = 260 a photograph, 520 in all: no test patch shares a pixel with a training
patch), labelled by their photograph (0 china, 1 flower), and split like a folder: seeded,
stratified by label.
"""
import numpy as np

from aezoo.data.dataset import Dataset
from aezoo.data.image_folder import stratified

PATCH = 32
NAMES = ["china", "flower"]  # load_sample_images()'s order


def photo_patches(options):
    from sklearn.datasets import load_sample_images
    patches, labels = [], []
    for label, image in enumerate(load_sample_images().images):  # (427, 640, 3) uint8
        rows, cols = image.shape[0] // PATCH, image.shape[1] // PATCH
        cut = image[:rows * PATCH, :cols * PATCH].reshape(rows, PATCH, cols, PATCH, 3)
        patches.append(cut.transpose(0, 2, 1, 3, 4).reshape(-1, PATCH, PATCH, 3))
        labels.append(np.full(rows * cols, label, np.int64))
    x = np.concatenate(patches).astype(np.float32) / 255.0
    labels = np.concatenate(labels)
    train, test = stratified(labels, options.test_fraction, "--data photo-patches", NAMES)
    return Dataset("photo-patches", x[train], x[test], labels[train], labels[test],
                   class_names=NAMES)
