"""Data sets carry a kind, a value range and, where the files have them, labels."""
import numpy as np

from aezoo.data import load


def test_datasets_carry_kind_range_and_labels(tmp_path):
    digits = load("digits")
    assert (digits.kind, digits.value_range) == ("image", (0.0, 1.0))
    assert digits.test_labels.shape == (len(digits.test),) and set(digits.test_labels) == set(range(10))
    np.save(tmp_path / "v.npy", np.linspace(-2, 3, 40 * 6, dtype=np.float32).reshape(40, 6))
    vectors = load(f"npy:{tmp_path / 'v.npy'}")
    assert vectors.kind == "vector" and vectors.value_range == (-2.0, 3.0)
    assert vectors.test_labels is None
