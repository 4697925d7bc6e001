"""Several processes draw what one process draws: each draws for the whole batch and keeps
its share's rows, so the numbers and the generator's state after them are the one-process
run's (distributed/mpi.py: SharedDraws)."""
import types

import numpy as np
import pytest

from aezoo.distributed.mpi import Cluster, SharedDraws


def cluster(rank, size):
    fake = types.SimpleNamespace(rank=rank, size=size, total=None)
    fake.share = lambda indices: Cluster.share(fake, indices)
    return fake


@pytest.mark.parametrize("method", ["standard_normal", "random"])
def test_every_share_draws_its_rows_of_the_one_process_draw(method):
    batch = np.arange(37)  # shares of 13, 12, 12
    alone = np.random.default_rng(5)
    expected = getattr(alone, method)((37, 4), dtype=np.float32)
    got = []
    for rank in range(3):
        c = cluster(rank, 3)
        rows = c.share(batch)
        rng = np.random.default_rng(5)
        got.append(getattr(SharedDraws(rng, c), method)((len(rows), 4), dtype=np.float32))
        assert rng.bit_generator.state == alone.bit_generator.state  # moved on as one process
    np.testing.assert_array_equal(np.concatenate(got), expected)


def test_a_draw_of_another_shape_is_the_same_on_every_process():
    c = cluster(1, 2)
    c.share(np.arange(10))
    assert SharedDraws(np.random.default_rng(3), c).random() == np.random.default_rng(3).random()
