"""What `aezoo bench` measures with: PyTorch twins of aezoo's models, and a clock for a run's parts.

    twins.py   a PyTorch module built from a model's layers(), with the same weights
    clock.py   seconds a trainer spends training, writing files and drawing loss.png

May import torch (twins.py only, when the bench runs), errors, models and train.
"""
