"""The training loop reports what the model reports: a model with its own head, loss and
scores on data far outside [0, 1], and no BCE anywhere."""
import chainer
import chainer.functions as F
import numpy as np
import pytest

from aezoo.data import Dataset
from aezoo.models.base import Autoencoder
from aezoo.models.layers import dense
from aezoo.train import device
from aezoo.train.loop import Trainer


class Identity:
    """A head for unbounded data: the raw output is the reconstruction, MSE its loss."""
    needs_unit_range = False

    def output(self, a):
        return a

    def loss(self, a, x):
        return F.mean_squared_error(a, x)

    def scores(self, a, x):
        return {"mae": F.mean_absolute_error(a, x)}


class LinearAE(Autoencoder):
    def __init__(self, input_shape, *, code_dim: int = 3):
        super().__init__(input_shape)
        self.head = Identity()
        with self.init_scope():
            self.enc, self.dec = dense(int(np.prod(input_shape)), code_dim), dense(code_dim, 5)

    def encode(self, x):
        return self.enc(x)

    def decode_raw(self, code):
        return self.dec(code)


def test_the_loop_reports_what_the_model_reports_and_knows_no_bce():
    rng = np.random.RandomState(0)
    x = (rng.randn(300, 5) * 3).astype(np.float32)  # far outside [0, 1]
    train, test = x[:200], x[200:]
    assert Dataset("toy", train, test).value_range[0] < -3
    model = LinearAE((5,))
    optimizer = chainer.optimizers.Adam().setup(model)
    trainer = Trainer(model, optimizer, train, test, 50, device.get("cpu"),
                      np.random.default_rng(0), progress=False)
    trainer.run(3)
    scores = trainer.metrics
    assert {"test_loss", "test_reconstruction", "test_mae", "train_loss"} <= set(scores)
    assert not any("bce" in key or "sqerr" in key for key in scores)
    out = model.reconstruct(test).array
    assert scores["test_mae"] == pytest.approx(np.abs(out - test).mean(), rel=1e-5)
    assert scores["test_loss"] == pytest.approx(np.square(out - test).mean(), rel=1e-5)
