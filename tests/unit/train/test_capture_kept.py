"""The snapshot takes its codes and reconstructions from the epoch's evaluation (capture.Kept)
instead of running the model again: the arrays it saves are those the separate pass gave, to
1e-6 (not bitwise: the evaluation runs batches of 1,000 rows and the separate pass only the
rows shown, and the BLAS may block a product of another height differently), for a growing
deep model mid-fade, conv, vae, a GRU, and batch norm and dropout in evaluation mode."""
import numpy as np
import pytest

from aezoo.train.build import configured
from aezoo.train.capture import EpochArrays
from aezoo.train.plan import plan
from aezoo.train.start import prepare
from aezoo.train.tell import Tell

CASES = {
    "deep growing, mid-fade": ("deep", {"hidden": [32, 16], "grow_every": 2, "fade_in": 2,
                                          "epochs": 3}),
    "deep, batch norm and dropout": ("deep", {"hidden": [32], "batch_norm": True,
                                              "dropout": 0.3}),
    "conv": ("conv", {"hidden": [4, 4, 4]}),
    "vae": ("vae", {"hidden": [32], "code_dim": 2}),
    "gru": ("gru", {"hidden": [8], "data": "synthetic:300,6,5"}),
}


def trained(tmp_path, name, options):
    cfg, given = configured(name, ({"data": "digits", "epochs": 2, "video": False,
                                    "quiet": True, "out": str(tmp_path / "run"), **options},
                                   "test"))
    trainer = prepare(plan(cfg, given)).trainer
    capture = next(c.capture for c in trainer.callbacks if isinstance(c, Tell))
    assert isinstance(capture, EpochArrays)
    trainer.run(cfg.epochs)
    return trainer, capture


@pytest.mark.parametrize("case", list(CASES))
def test_the_snapshot_from_the_evaluation_is_what_a_separate_pass_gives(case, tmp_path):
    trainer, capture = trained(tmp_path, *CASES[case])
    model = trainer.model
    if case.startswith("deep growing"):
        assert model.fading, "the test wants the model mid-fade"
    assert trainer.kept is not None and trainer.kept.epoch == trainer.epoch
    calls = []
    for method in ("encode_decode", "encode"):  # the kept snapshot runs neither
        original = getattr(model, method)
        setattr(model, method, lambda *a, _o=original, _m=method: calls.append(_m) or _o(*a))
    from_evaluation = capture(trainer)
    assert calls == []
    trainer.kept = None  # now the separate pass, as before
    separate = capture(trainer)
    assert calls and set(from_evaluation) == set(separate)
    for key, value in separate.items():
        kept, value = np.asarray(from_evaluation[key]), np.asarray(value)
        assert kept.dtype == value.dtype and kept.shape == value.shape, key
        if value.dtype.kind == "f":
            assert np.allclose(kept, value, rtol=0, atol=1e-6, equal_nan=True), key
        else:
            assert np.array_equal(kept, value), key


def test_a_model_grown_after_the_evaluation_is_run_again(tmp_path):
    trainer, capture = trained(tmp_path, "deep", {"hidden": [32, 16]})
    assert trainer.kept.get(2, trainer.model, capture.indices) is not None
    trainer.model.add_layer(8)  # what a growth at the epoch's end does
    assert trainer.kept.get(2, trainer.model, capture.indices) is None
    assert capture(trainer)["codes"].shape[1] == 8  # the grown model's code
