"""LSTM sequence autoencoders: the Keras blog's LSTM -> RepeatVector -> LSTM, the snippet's
keras form, and a real seq2seq (models/recurrent.py has them all; --cell mixes cells).

    aezoo run lstm --mode repeat --data sine  the blog's, sigmoid gates as Keras 3
"""
from aezoo.models.recurrent import RecurrentAE


class LSTMAE(RecurrentAE):
    def __init__(self, input_shape, *, mode: str = "keras", hidden: list = (100,),
                 cell: str = "lstm", code_dim: int = 16, readout: str = "replace",
                 keras_version: int = 2, reset_after: bool = None,
                 recurrent_activation: str = "sigmoid", unit_forget_bias: bool = True,
                 reverse_target: bool = None, teacher_forcing: float = 0.0):
        super().__init__(input_shape, mode=mode, hidden=hidden, cell=cell, code_dim=code_dim,
                         readout=readout, keras_version=keras_version, reset_after=reset_after,
                         recurrent_activation=recurrent_activation,
                         unit_forget_bias=unit_forget_bias, reverse_target=reverse_target,
                         teacher_forcing=teacher_forcing)
