"""The contract every autoencoder honours.

    encode(x) -> code            x: (N, *input_shape)
    decode_raw(code) -> a        the decoder's output before the head (logits for sigmoid)
    decode(code), reconstruct(x) -> reconstructions, through the model's head
    target(x)                    what the reconstruction should be (x; a GRU: x reversed)
    model(x) -> loss             reports its terms with chainer.report; under
                                 train=False also the head's scores (bce, mse, sqerr),
                                 and with input noise denoised_* on corrupted inputs
    arch() -> dict               the options that rebuild this shape
    layers() -> list of dicts    the current layers, uniformly (see layers.py)

A model's options are the keyword-only arguments of its constructor: their
names, defaults and annotations are declared there once, `option_help` says
what each means, and the command line and config files derive from them.

Models know nothing of files, plots or epochs. Regularizers come in as
functions (`regularize`): `noise` corrupts the training input, `penalty`
scores the code.
"""
import inspect

import chainer

from aezoo.models.heads import Bernoulli
from aezoo.models.layers import plain
from aezoo.models.option import Option, limits_of


class Autoencoder(chainer.Chain):
    option_help = {}     # option name -> one line of --help
    option_choices = {}  # option name -> the values it may take, where they are few
    option_defaults = {}  # option name -> a subclass's own default (lstm: cell "lstm")
    option_limits = {}   # option name -> Limits, where a type's own (limits_of) is not right
    generative = False   # abilities.Generative sets it: decode(z ~ N(0, I)) is a sample
    best_score = "loss"  # the reported test value whose lowest epoch is the best (train/best.py)
    run_defaults = {}    # run options this model uses unless told otherwise ({"loss": "mse"})
    masks_padding = False  # True: takes variable-length data, NaN on padded steps
    rmsprop = {}         # RMSprop settings other than Chainer's defaults (gru: Keras's)
    kept = None          # the evaluation's train/capture.Kept: forward hands it (code, raw)
    renamed = {}         # parameter path now -> in an older aezoo's checkpoints ("output/": "readout/")

    def __init__(self, input_shape):
        super().__init__()
        self.input_shape = tuple(input_shape)
        self.head = Bernoulli()
        self.noise = self.penalty = None

    @classmethod
    def options(cls):
        """{name: Option(default, type, help)} from the constructor's keyword-only arguments."""
        parameters = inspect.signature(cls.__init__).parameters.values()
        defaults = {p.name: cls.option_defaults.get(p.name, p.default) for p in parameters}
        return {p.name: Option(list(defaults[p.name]) if isinstance(defaults[p.name], tuple)
                               else defaults[p.name], p.annotation,
                               cls.option_help.get(p.name, ""), cls.option_choices.get(p.name),
                               cls.option_limits.get(p.name, limits_of(p.name, p.annotation)))
                for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}

    @classmethod
    def fit_to_data(cls, options, input_shape, given):
        """Options adapted to the data's sample shape; `given` names those the user set."""
        return options

    @classmethod
    def upgrade_arch(cls, arch):
        """A shape saved by an older aezoo, in today's constructor keywords."""
        return arch

    def regularize(self, noise=None, penalty=None):
        self.noise, self.penalty = noise, penalty
        return self

    def use_loss(self, name):
        """Train with the head's loss `name` (ValueError if the head has no such loss)."""
        self.head = type(self.head)(name)
        return self

    def encode(self, x):
        raise NotImplementedError

    def decode_raw(self, code):
        raise NotImplementedError

    def arch(self):
        raise NotImplementedError

    def _layers(self):
        """The layers as layers.describe() builds them (with their links)."""
        raise NotImplementedError

    def layers(self):
        """The current layers, uniformly described as plain JSON (see layers.py)."""
        names = {id(link): path for path, link in self.namedlinks(skipself=True)}
        return [plain(entry, names) for entry in self._layers()]

    def n_params(self):
        return int(sum(p.size for p in self.params()))

    def line_score(self):
        """(name, reported key) of the number an epoch's line shows: the best-epoch score
        (a VAE's elbo), else the loss under its head's name (bce, mse), or "loss" when a
        penalty (sparsity) is added to it."""
        if self.best_score != "loss":
            return self.best_score, self.best_score
        return ("loss" if self.penalty is not None else self.head.loss_name), "loss"

    def training_only_params(self):
        """Parameters that layers() leaves out, being used only in training (0 for most)."""
        return 0

    def target(self, x):
        """What the reconstruction is scored against: the input itself, for most models."""
        return x

    def decode(self, code):
        return self.head.output(self.decode_raw(code))

    def reconstruct(self, x):
        return self.head.output(self.encode_decode(x)[1])

    def encode_decode(self, x):
        """(code, raw output); a model that blends paths (growth fade-in) overrides this."""
        code = self.encode(x)
        return code, self.decode_raw(code)

    def forward(self, x):
        training = chainer.config.train
        noisy = self.noise(x) if self.noise is not None and training else x
        code, raw = self.encode_decode(noisy)
        if self.kept is not None and not training:  # the snapshot's rows: no second pass
            self.kept.take(code, raw)
        target = self.target(x)  # clean, whatever the noise
        reconstruction = self.head.loss(raw, target)
        loss = reconstruction
        terms = {"reconstruction": reconstruction}
        if self.penalty is not None:
            terms["penalty"] = self.penalty(code)
            loss = loss + terms["penalty"]
        chainer.report({"loss": loss, **terms}, self)
        if not training:
            chainer.report(self.head.scores(raw, target), self)
            if self.noise is not None:  # the denoising task itself: corrupted test inputs
                _, raw = self.encode_decode(self.noise.fixed(x))
                chainer.report({f"denoised_{k}": v for k, v in
                                self.head.scores(raw, target).items()}, self)
        return loss
