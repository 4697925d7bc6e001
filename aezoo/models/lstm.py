"""LSTM sequence autoencoders: the Keras blog's LSTM -> RepeatVector -> LSTM, the snippet's
keras form, and a real seq2seq (models/recurrent.py has them all; --cell mixes cells).

    aezoo run lstm --mode repeat --data sine  the blog's, sigmoid gates as Keras 3
"""
from aezoo.models.recurrent import RecurrentAE


class LSTMAE(RecurrentAE):
    # The same family, options and constructor; only the defaults differ (--cell mixes cells).
    option_defaults = {"cell": "lstm", "recurrent_activation": "sigmoid"}
