"""SimpleRNN sequence autoencoders: h = tanh(x W + h U + b), in the Keras
snippet's form, the Keras blog's RepeatVector form, and a real seq2seq (models/recurrent.py has
them all; --cell mixes cells).

    aezoo run simplernn --data sine            SimpleRNN -> SimpleRNN
"""
from aezoo.models.recurrent import RecurrentAE


class SimpleRNNAE(RecurrentAE):
    # The same family, options and constructor; only the defaults differ (--cell mixes cells).
    option_defaults = {"cell": "simplernn", "recurrent_activation": "sigmoid"}
