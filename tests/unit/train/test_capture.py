"""The per-epoch latent arrays: the same labelled samples every epoch, encoded by the model
of that epoch."""
import numpy as np

import aezoo
from aezoo.data import load
from aezoo.viz import latent
from aezoo.runs.folder import RunFolder


def test_latent_arrays_hold_the_same_labelled_samples_every_epoch(grown):
    out, _, _ = grown
    test = load("digits", None, 0.2)
    run = RunFolder(str(out))
    kept = [run.read(e) for e in range(5)]
    index = kept[0]["latent_index"]
    assert len(index) == latent.count(len(test.test), 128) == min(latent.COUNT, len(test.test))
    for epoch, arrays in enumerate(kept):
        assert np.array_equal(arrays["latent_index"], index)  # fixed samples
        assert np.array_equal(arrays["latent_labels"], test.test_labels[index])
        width = 128 if epoch < 3 else 64  # depth 1's code, then the grown pair's
        assert arrays["latent_codes"].shape == (len(index), width), epoch
    # The codes are the model's own: the final checkpoint encodes the samples to them.
    codes = aezoo.load(str(out)).encode(test.test[index])
    assert np.allclose(kept[-1]["latent_codes"], codes, atol=1e-5)
    assert not np.allclose(kept[0]["latent_codes"][:, :64], kept[2]["latent_codes"][:, :64])
