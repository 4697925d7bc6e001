"""aezoo.load's model on numpy arrays: one sample or a batch, a wrong shape is a ValueError
naming the expected one, and its repr says which model, layers, size and epoch it is."""
import numpy as np
import pytest

import aezoo
from aezoo.api import fits
from aezoo.data import load as load_data
from aezoo.runs import checkpoints


def test_one_image_gives_one_result_and_a_batch_a_batch(grown):
    run, _, _ = grown
    model = aezoo.load(str(run))
    images = load_data("digits").test[:3]
    batch = model.reconstruct(images)
    one = model.reconstruct(images[1])
    assert batch.shape == (3, 8, 8) and one.shape == (8, 8)
    np.testing.assert_allclose(one, batch[1], rtol=1e-5, atol=1e-6)
    code = model.encode(images[1])
    assert code.shape == (model.code_size,)
    np.testing.assert_allclose(model.decode(code), model.decode(code[None])[0], rtol=1e-5)


@pytest.mark.parametrize("method, shape, expected", [
    ("reconstruct", (3, 8), r"input of shape \(3, 8\): expected one sample of shape \(8, 8\) "
                            r"or a batch \(N, 8, 8\)"),
    ("encode", (2, 1, 8, 8), r"input of shape \(2, 1, 8, 8\): expected one sample of shape "
                             r"\(8, 8\)"),
    ("reconstruct", (0, 8, 8), r"with N > 0"),
    ("decode", (5,), r"code of shape \(5,\): expected one sample of shape \(\d+,\)"),
])
def test_a_wrong_shape_is_a_value_error_naming_the_expected_shape(grown, method, shape, expected):
    model = aezoo.load(str(grown[0]))
    with pytest.raises(ValueError, match=expected):
        getattr(model, method)(np.zeros(shape, np.float32))


def test_repr_names_the_model_its_layers_size_and_epoch(grown):
    run = str(grown[0])
    last, best = aezoo.load(run), aezoo.load(run, which="best")
    assert last.epoch == checkpoints.read_meta(run)["epoch"] == 4 and last.best is False
    assert best.epoch == checkpoints.read_meta(run, "best")["epoch"] and best.best is True
    text = repr(last)
    assert text.startswith("<aezoo deep: 8x8 > ")
    assert "(code)" in text and f"{last.model.n_params():,} params" in text
    assert text.endswith(f"epoch 4 (last checkpoint), from {run}>")
    assert f"epoch {best.epoch} (best checkpoint)" in repr(best)


def test_a_sequence_sample_may_have_any_number_of_steps():
    assert fits((7, 3), (30, 3), sequence=True) and not fits((7, 3), (30, 3), sequence=False)
    assert not fits((7, 4), (30, 3), sequence=True)
