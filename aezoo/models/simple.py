"""input -> code -> input: one ReLU layer each way (the Keras blog's 784-32-784)."""
import numpy as np

from aezoo.models.base import Autoencoder
from aezoo.models.layers import dense, describe, reshape
from aezoo.models.relu_kernel import relu


class SimpleAE(Autoencoder):
    option_help = {"code_dim": "width of the code"}

    def __init__(self, input_shape, *, code_dim: int = 32):
        super().__init__(input_shape)
        self.code_dim = code_dim
        self.size = int(np.prod(input_shape))
        with self.init_scope():
            self.encoder = dense(self.size, code_dim)
            self.decoder = dense(code_dim, self.size)

    def encode(self, x):
        return relu(self.encoder(x.reshape(len(x), -1)))

    def decode_raw(self, code):
        return self.decoder(code).reshape((len(code),) + self.input_shape)

    def arch(self):
        return {"code_dim": self.code_dim}

    def _layers(self):
        flat, code = [self.size], [self.code_dim]
        return [reshape(self.input_shape, flat),
                describe("dense", flat, code, "relu", self.encoder, code=True),
                describe("dense", code, flat, "sigmoid", self.decoder),
                reshape(flat, self.input_shape)]
