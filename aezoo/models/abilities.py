"""Abilities a model declares by inheriting them, and the run options each brings.

    class DeepAE(Growable, Autoencoder): ...     # train asks isinstance(model, Growable)

Training asks for an ability (`isinstance`/`issubclass`), never probes for an
attribute. Each ability declares the run options that only make sense with it
(`run_options`): config.py collects them into Config, and a run that sets one for
a model without the ability is one line naming the models that have it.

    Growable    grows a layer pair at a time (train/growth.py): --grow-every, ...
    Generative  decode(z ~ N(0, I)) is a sample; has a KL term: --kl-warmup
    Samples     draws its randomness from the run's Generator (set_rng), so resume is exact
    FromKeras   starts from a trained Keras model's weights: --keras-weights
"""
from aezoo.models.option import MAX_DEPTH, MAX_SIZE, Limits, Option


class Growable:
    """A model that grows: growth_plan(options) -> widths, check_growth(options),
    add_layer(width, init, sample, rng) -> new links, innermost_pair(), grow_point(x),
    depth, widths and fade_alpha."""
    run_options = {
        "grow_every": Option(0, int, "add a layer pair at the start of epochs K+1, 2K+1, ... "
                             "(0: no growth)", None, Limits(0)),
        "max_depth": Option(None, int, "stop growing at this depth (default: len(hidden) + 1, "
                            "the no-growth shape)", None, Limits(1, MAX_DEPTH)),
        "grow_width": Option(None, int, "width of each new layer (default: the next of hidden "
                             "+ code_dim, then half)", None, Limits(1, MAX_SIZE)),
        "grow_init": Option("identity", str, "initialization of a new layer pair (identity: "
                            "the model computes what it did before; random: the Chainer blog's jump)",
                            ("random", "identity")),
        # A pair settles before the next comes: these last at most --grow-every epochs.
        "fade_in": Option(0, int, "blend a new pair in over N epochs (0: at once)", None,
                          Limits(0, within="grow_every")),
        "freeze_old": Option(0, int, "train only the new pair for N epochs after growth", None,
                             Limits(0, within="grow_every")),
        "grow_warmup": Option(None, int, "raise the new pair's learning rate linearly from 0 over "
                              "N epochs after growth (default: min(2, K) for --grow-every K; 0 "
                              "for adadelta, which has no learning rate)", None,
                              Limits(0, within="grow_every")),
    }

    @staticmethod
    def growth_plan(options):
        raise NotImplementedError

    @classmethod
    def last_growth(cls, options):
        """The keywords of add_layer for the growth that reaches the full plan ({}: as the
        others; a deep model with a linear code makes that layer linear)."""
        return {}

    @classmethod
    def check_growth(cls, options):
        """ValueError when the options ask for growth this model cannot do."""

    def add_layer(self, width, init="random", sample=None, rng=None):
        raise NotImplementedError

    def innermost_pair(self):
        raise NotImplementedError

    def grow_point(self, x):
        raise NotImplementedError


class Generative:
    """decode(z) of z ~ N(0, I) is a sample of the model: snapshots keep prior samples."""
    generative = True
    run_options = {
        "kl_warmup": Option(0, int, "vae: raise the KL weight linearly from 0 to beta over N "
                            "epochs (0: none)", None, Limits(0)),
    }


class Samples:
    """Draws its randomness (a VAE's noise, a GRU's teacher-forcing coins) from the run's
    numpy Generator, which the checkpoint keeps."""
    run_options = {}

    def set_rng(self, rng):
        raise NotImplementedError


class FromKeras:
    """Takes a trained Keras model's weights (keras/weights.py), and says how its file is read:
    keras_arrays names the arrays it holds, keras_shape(arrays) gives the options they imply
    and the values the model reads a step, load_keras(arrays) takes them."""
    run_options = {
        "keras_weights": Option(None, str, "start from a trained Keras model's weights, "
                                "CELL -> CELL or CELL -> RepeatVector -> CELL (an .npz of "
                                "layer.get_weights(), see the docs' Sequences page)", None),
    }
    keras_arrays = ()

    @classmethod
    def keras_shape(cls, arrays):
        """({option: value} the weights imply, values a step); ValueError if they fit no model
        of this class."""
        raise NotImplementedError

    def load_keras(self, arrays):
        raise NotImplementedError


ABILITIES = (Growable, Generative, Samples, FromKeras)


def run_options():
    """{option: Option} that the abilities declare, in a fixed order."""
    return {name: spec for ability in ABILITIES for name, spec in ability.run_options.items()}


def having(ability, models):
    """The names of `models` ({name: class}) that have `ability`, for error messages."""
    return [name for name, cls in models.items() if issubclass(cls, ability)]
