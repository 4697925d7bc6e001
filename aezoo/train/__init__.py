"""Training: from a config to a trained run.

    setup.py       a run from a config: data, model, optimizer, run folder, callbacks
    loop.py        the training loop (knows the model contract, nothing else of a model)
    growth.py      progressive growth: options, schedule, binding new layers, callbacks
    checkpoint.py  model, optimizer, RNG and callback state, written atomically
    device.py      the one device-placement path (CPU or CuPy)

May import aezoo.config, aezoo.errors, aezoo.record, aezoo.data, aezoo.viz
(the snapshot and curve callbacks) and the model registry (aezoo.models), never
a concrete model module or a command.
"""
