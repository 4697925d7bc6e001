"""Where a run reports besides its run folder's own files (docs/tensorboard.md).

    tensorboard.py  --tensorboard: event files (scalars, pictures, HParams, the projector)

May import errors, runs, viz, the model registry (its abilities) and, of train, only the
loop's hook protocol (train/callbacks.py) and the learning rate (train/optimizers.py).
"""
