"""The contract every autoencoder honours.

    encode(x) -> code            x: (N, *input_shape) in [0, 1]
    decode_logits(code) -> a     a: (N, *input_shape); sigmoid(a) is the image
    decode(code), reconstruct(x) -> images in [0, 1]
    model(x) -> loss             reports its terms with chainer.report
    arch() -> dict               the keyword arguments that rebuild this shape

Models know nothing of files, plots or epochs. Regularizers come in as
functions: `noise` corrupts the training input, `penalty` scores the code.
"""
import chainer
import chainer.functions as F
import chainer.initializers as I
import chainer.links as L
import numpy as np

from aezoo.losses import LOSSES


# Weights start Glorot-uniform, Keras' default, not Chainer's LeCun-normal: on the
# MNIST split of experiments/reproduce.toml, 784-32-784 reaches test BCE 0.107
# with it and 0.118-0.121 without, after the same 50 epochs.
def dense(n_in, n_out, **initial):
    return L.Linear(n_in, n_out, **{"initialW": I.GlorotUniform(), **initial})


def conv3x3(c_in, c_out):
    return L.Convolution2D(c_in, c_out, 3, pad=1, initialW=I.GlorotUniform())


def glorot_uniform(rng, n_out, n_in):
    """The same initialization as a numpy array drawn from `rng` (layers added by growth)."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_out, n_in)).astype(np.float32)


class Autoencoder(chainer.Chain):
    # Options of Config this model understands, with the model's defaults.
    defaults = {}

    def __init__(self, input_shape, loss="bce", noise=None, penalty=None):
        super().__init__()
        self.input_shape = tuple(input_shape)
        self.loss_name = loss
        self.noise = noise
        self.penalty = penalty

    @classmethod
    def arch_from_config(cls, cfg):
        """Constructor keywords for the shape `cfg` describes (the options in `defaults`)."""
        return {k: getattr(cfg, k) for k in cls.defaults}

    def encode(self, x):
        raise NotImplementedError

    def decode_logits(self, code):
        raise NotImplementedError

    def arch(self):
        raise NotImplementedError

    def decode(self, code):
        return F.sigmoid(self.decode_logits(code))

    def reconstruct(self, x):
        return F.sigmoid(self.encode_decode(x)[1])

    def encode_decode(self, x):
        """(code, logits); a model that blends paths (growth fade-in) overrides this."""
        code = self.encode(x)
        return code, self.decode_logits(code)

    def forward(self, x):
        noisy = self.noise(x) if self.noise is not None and chainer.config.train else x
        code, logits = self.encode_decode(noisy)
        reconstruction = LOSSES[self.loss_name](logits, x)
        loss = reconstruction
        terms = {"reconstruction": reconstruction}
        if self.penalty is not None:
            terms["penalty"] = self.penalty(code)
            loss = loss + terms["penalty"]
        chainer.report({"loss": loss, **terms}, self)
        return loss
