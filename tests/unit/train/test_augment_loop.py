"""--augment in the loop: training batches are moved copies, evaluation sees the test
images as they are, the data set itself stays untouched, and a resumed run draws the
same moves (they come from the run's Generator, which the checkpoint saves)."""
import chainer
import numpy as np
import pytest

from aezoo.data import augment, load
from aezoo.models.simple import SimpleAE
from aezoo.run import main
from aezoo.runs import checkpoints
from aezoo.train import device
from aezoo.train.loop import Trainer
from conftest import TINY, ctrl_c_in_epoch


class Recording(SimpleAE):
    """Keeps every batch it is called on, by the mode it ran in."""

    def forward(self, x):
        self.seen.setdefault(chainer.config.train, []).append(np.array(x))
        return super().forward(x)


def test_training_batches_are_moved_and_evaluation_is_not():
    data = load("digits")
    train, test = data.train[:256].copy(), data.test[:100]
    np.random.seed(0)
    model = Recording((8, 8), code_dim=4)
    model.seen = {}
    optimizer = chainer.optimizers.Adam().setup(model)
    trainer = Trainer(model, optimizer, train, test, 64, device.get("cpu"),
                      np.random.default_rng(0), progress=False, augment=augment.parse("shift:1"))
    trainer.run(1)
    np.testing.assert_array_equal(trainer.train_x, data.train[:256])  # the set is untouched
    seen = np.concatenate(model.seen[True])
    originals = {image.tobytes() for image in train}
    unmoved = sum(image.tobytes() in originals for image in seen)
    assert len(seen) == 256 and unmoved < 256 // 4  # 1 in 9 moves is (0, 0)
    np.testing.assert_array_equal(np.concatenate(model.seen[False][-1:]), test)  # clean test


@pytest.mark.slow
def test_an_augmented_run_resumes_to_the_bit(tmp_path, monkeypatch):
    argv = ["deep", "--augment", "elastic:2:1", "--epochs", "3", *TINY]
    run, broken = str(tmp_path / "run"), str(tmp_path / "broken")
    assert main([*argv, "--out", run]) == 0
    restore = ctrl_c_in_epoch(monkeypatch, 3)
    assert main([*argv, "--out", broken]) == 130
    restore()
    assert main(["--resume", broken]) == 0
    with np.load(f"{run}/{checkpoints.FILE}") as a, np.load(f"{broken}/{checkpoints.FILE}") as b:
        for key in a.files:
            if key != "meta":
                np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    plain = str(tmp_path / "plain")  # and the moves matter: without them, other weights
    assert main(["deep", "--epochs", "3", *TINY, "--out", plain]) == 0
    with np.load(f"{run}/{checkpoints.FILE}") as a, np.load(f"{plain}/{checkpoints.FILE}") as b:
        assert any(not np.array_equal(a[k], b[k]) for k in a.files if k.startswith("model/"))
