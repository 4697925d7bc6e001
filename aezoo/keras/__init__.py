"""Keras models' weights in aezoo (--keras-weights, aezoo.from_keras; docs/sequences.md).

    weights.py  a Keras weights .npz read, checked against the model class that declares
                FromKeras, the run's options fitted to it, and loaded into the model

Knows no particular model: the class says which arrays it holds. May import errors,
config (the option names in messages) and data (the .npz reader).
"""
