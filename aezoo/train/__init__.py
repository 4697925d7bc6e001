"""Training: from options to a trained run.

    build.py       options -> the model class, its defaults, the data as it reads it, the model
    plan.py        plan(cfg): everything resolved and checked, nothing written (a picklable Plan)
    start.py       start(plan): claims the run folder, builds the trainer, trains
    loop.py        the training loop (knows the model contract, nothing else of a model)
    capture.py     the per-epoch arrays: the model run on fixed test samples
    growth.py      progressive growth: options, schedule, binding new layers, callbacks
    best.py        the best epoch's checkpoint, early stopping
    schedules.py   learning rate and KL warm-up as functions of the epoch
    checkpoint.py  writing a checkpoint and loading weights (Chainer's serializers)
    optimizers.py  Adam in place; RMSprop as the model asks
    port.py        Keras weights into a run
    distributed.py several processes over MPI (ChainerMN)
    terminal.py    the lines a run prints
    device.py      the one device-placement path (CPU or CuPy)

May import aezoo.config, aezoo.errors, aezoo.runs, aezoo.data, aezoo.viz (the
pictures of snapshots and the loss plot) and the model registry aezoo.models
(with its abilities), never a concrete model module, results or a command.
Asks a model for its abilities (isinstance), never probes its attributes.
"""
