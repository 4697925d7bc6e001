"""Training: from options to a trained run.

    build.py       options -> the model class, its defaults, the data as it reads it, the model
    plan.py        plan(cfg): everything resolved and checked, nothing written (a picklable Plan)
    start.py       start(plan): claims the run folder, builds the trainer, trains
    loop.py        the training loop (knows the model contract, nothing else of a model)
    capture.py     the per-epoch arrays of fixed test samples, from the epoch's evaluation
    growth.py      progressive growth: options, schedule, binding new layers, callbacks
    best.py        the best epoch's checkpoint, early stopping
    schedules.py   learning rate and KL warm-up as functions of the epoch
    serialize.py   writing a checkpoint and loading weights (Chainer's serializers)
    optimizers.py  Adam in place; RMSprop as the model asks
    terminal.py    the lines a run prints
    device.py      the one device-placement path (CPU or CuPy)

May import aezoo.config, aezoo.errors, aezoo.runs, aezoo.data, aezoo.viz (the
pictures of the per-epoch arrays and the loss plot), the model registry aezoo.models
(with its abilities), and what a run plugs in: aezoo.gpu (CuPy), aezoo.distributed
(MPI), aezoo.loggers (TensorBoard), aezoo.keras (Keras weights); never a concrete
model module, results or a command.
Asks a model for its abilities (isinstance), never probes its attributes.
"""
