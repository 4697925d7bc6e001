"""input -> code -> input: one ReLU layer each way (the Keras blog's 784-32-784)."""
import chainer.functions as F
import numpy as np

from aezoo.models.base import Autoencoder, dense


class SimpleAE(Autoencoder):
    defaults = {"code_dim": 32}

    def __init__(self, input_shape, code_dim=32, **regularizers):
        super().__init__(input_shape, **regularizers)
        self.code_dim = code_dim
        size = int(np.prod(input_shape))
        with self.init_scope():
            self.encoder = dense(size, code_dim)
            self.decoder = dense(code_dim, size)

    def encode(self, x):
        return F.relu(self.encoder(x.reshape(len(x), -1)))

    def decode_logits(self, code):
        return self.decoder(code).reshape((len(code),) + self.input_shape)

    def arch(self):
        return {"code_dim": self.code_dim}
