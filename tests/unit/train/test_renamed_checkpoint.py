"""A checkpoint of an older aezoo, whose parameters had other names (the gru's `decoder` and
`readout` before the cells), loads into today's model: weights and optimizer state."""
import json
import types

import numpy as np
from chainer import serializers

from aezoo.models.gru import GRUAE
from aezoo.train import serialize
from aezoo.train.build import default_config, resolve
from aezoo.train.callbacks import TrainState
from aezoo.train.optimizers import build_optimizer


def trained(seed):
    model = GRUAE((5, 2), mode="seq2seq", hidden=[3], code_dim=2)
    for i, param in enumerate(model.params()):
        param.array[...] = np.random.RandomState(seed + i).randn(*param.shape)
    optimizer = build_optimizer(resolve(default_config("gru"), set()), model)
    loss = model(np.random.RandomState(seed).randn(4, 5, 2).astype(np.float32))
    model.cleargrads()
    loss.backward()
    optimizer.update()
    return model, optimizer


def test_an_older_checkpoint_loads_by_its_old_names(tmp_path):
    model, optimizer = trained(0)
    trainer = types.SimpleNamespace(model=model, optimizer=optimizer, epoch=3,
                                    rng=np.random.default_rng(0), state=TrainState())
    serialize.save(str(tmp_path), trainer, "0.2.0")
    with np.load(tmp_path / "checkpoint.npz") as npz:  # as aezoo 0.2 named them
        arrays = {k.replace("/decoders/0/", "/decoder/").replace("/output/", "/readout/"): npz[k]
                  for k in npz.files}
    assert "model/readout/W" in arrays and "optimizer/decoder/kernel/ms" in arrays
    np.savez(tmp_path / "checkpoint.npz", **arrays)
    fresh, fresh_optimizer = trained(100)
    meta = serialize.load(str(tmp_path), fresh, fresh_optimizer)
    assert meta["epoch"] == 3 and json.loads(json.dumps(meta["arch"]))["mode"] == "seq2seq"
    for (name, a), (_, b) in zip(sorted(model.namedparams()), sorted(fresh.namedparams())):
        np.testing.assert_array_equal(a.array, b.array, err_msg=name)
    old, new = (serializers.DictionarySerializer() for _ in range(2))
    old.save(optimizer)
    new.save(fresh_optimizer)
    assert old.target.keys() == new.target.keys()
    for key, value in old.target.items():
        np.testing.assert_array_equal(value, new.target[key], err_msg=key)
