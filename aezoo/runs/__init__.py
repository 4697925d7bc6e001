"""What a run folder holds and how it is written and read back.

    config.json        the resolved options, the initial model, data, versions (rundir.py)
    architecture.json  the model's layers at the start and after every growth (rundir.py)
    metrics.jsonl      a line per epoch and per event (metrics.py)
    recon/             each epoch's arrays and their picture (recon.py)
    checkpoint*.npz    the checkpoints' names and meta records (checkpoints.py)

The folders that export, compare and sweep write into are theirs by a marker (owner.py).
Written atomically (atomic.py), so a crash leaves the old version or the new; locked
against a second process by one flock (locks.py).
Training writes these files and the videos and comparisons read them: both
import this part, which imports nothing of aezoo but aezoo.errors.
"""
