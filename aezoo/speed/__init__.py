"""What `aezoo bench` measures with: PyTorch twins of aezoo's models, and a clock for a run's parts.

    twins.py   a PyTorch module built from a model's layers(), with the same weights
    side.py    one side of the bench (aezoo, stock Chainer, PyTorch) in its own process
    clock.py   seconds a trainer spends training, writing files and drawing loss.png

May import torch (twins.py, and side.py in PyTorch's own process), errors, models and train.
"""
