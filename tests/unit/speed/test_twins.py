"""The bench's PyTorch side is what a PyTorch user writes: nn.Sequential of torch's own layers,
nn.BCEWithLogitsLoss, torch.optim.Adam with its defaults (foreach), and the same first loss."""
import chainer
import numpy as np
import pytest

from aezoo.commands import bench
from aezoo.speed.side import build

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch, CPU)")


@pytest.mark.parametrize("workload", list(bench.WORKLOADS))
def test_each_twin_is_plain_pytorch_with_the_default_adam(workload):
    from aezoo.speed.twins import optimizer, twin
    name, options, data, batch = bench.WORKLOADS[workload]
    cfg, model, batches = build(name, options, bench.samples(data, 2), 2,
                                chainer.get_device("@numpy"))
    net, loss_fn = twin(model)
    assert isinstance(net, torch.nn.Sequential)
    own = {type(m).__module__.split(".")[0] for m in net.modules() if not list(m.children())}
    assert own <= {"torch", "aezoo"}
    kinds = {type(m) for m in net.modules()}
    assert {"deep": torch.nn.Linear, "conv": torch.nn.Conv2d, "gru": torch.nn.GRU,
            "lstm": torch.nn.LSTM}[name] in kinds
    if model.head.needs_unit_range:
        assert isinstance(loss_fn, torch.nn.BCEWithLogitsLoss)
    opt = optimizer(cfg.optimizer, net.parameters(), 1e-3)
    if cfg.optimizer == "adam":
        fresh = torch.optim.Adam(torch.nn.Linear(2, 2).parameters(), lr=1e-3)
        assert opt.defaults == fresh.defaults  # nothing but the learning rate set
    x = torch.from_numpy(np.asarray(batches[0]))
    with torch.no_grad():
        theirs = float(loss_fn(net(x), x))
    with chainer.using_config("train", False):
        assert theirs == pytest.approx(float(model(batches[0]).array), rel=1e-4)
