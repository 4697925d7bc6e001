"""GRU sequence autoencoders: the widely copied Keras model, exactly, the Keras blog's
RepeatVector form, and a real seq2seq (models/recurrent.py has them all; --cell mixes cells).

    aezoo run gru --data sine                  Keras 2's GRU -> GRU, hard_sigmoid gates
"""
from aezoo.models.recurrent import RecurrentAE


class GRUAE(RecurrentAE):
    # The same family, options and constructor; only the defaults differ (--cell mixes cells).
    option_defaults = {"cell": "gru", "recurrent_activation": "hard_sigmoid"}
