"""GRU sequence autoencoders: the widely copied Keras model, exactly, the Keras blog's
RepeatVector form, and a real seq2seq (models/recurrent.py has them all; --cell mixes cells).

    aezoo run gru --data sine                  Keras 2's GRU -> GRU, hard_sigmoid gates
"""
from aezoo.models.recurrent import RecurrentAE


class GRUAE(RecurrentAE):
    def __init__(self, input_shape, *, mode: str = "keras", hidden: list = (100,),
                 cell: str = "gru", code_dim: int = 16, readout: str = "replace",
                 keras_version: int = 2, reset_after: bool = None,
                 recurrent_activation: str = "hard_sigmoid", unit_forget_bias: bool = True,
                 reverse_target: bool = None, teacher_forcing: float = 0.0):
        super().__init__(input_shape, mode=mode, hidden=hidden, cell=cell, code_dim=code_dim,
                         readout=readout, keras_version=keras_version, reset_after=reset_after,
                         recurrent_activation=recurrent_activation,
                         unit_forget_bias=unit_forget_bias, reverse_target=reverse_target,
                         teacher_forcing=teacher_forcing)
