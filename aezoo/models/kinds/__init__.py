"""The layer vocabulary: every layer kind by name, one explicit registry.

    layer("dropout:0.1")                   DropoutKind(rate=0.1)
    parse("dense:48 bn elu dense:8")       [DenseKind, BatchNormKind, elu, DenseKind], checked
    numpy_source()                         export's forward.py, every kind's numpy forward

A kind is one file in this folder (a subclass of kind.Kind that declares its options and
checks, its Chainer link and forward, its mirror for a decoder, its numpy forward for
export and its description) and one line in KINDS. The activations are one file, a kind
each. The recurrent cells stay models/cells.py's (a sequence model's, not a stack's).
Part of models/: imports nothing of aezoo outside models.
"""
import inspect
import textwrap

from aezoo.models.kinds import activation
from aezoo.models.kinds.batch_norm import BatchNormKind
from aezoo.models.kinds.convolution import ConvKind
from aezoo.models.kinds.dense import DenseKind
from aezoo.models.kinds.dropout import DropoutKind
from aezoo.models.kinds.initializers import nearest
from aezoo.models.kinds.kind import Kind
from aezoo.models.kinds.layer_norm import LayerNormKind
from aezoo.models.kinds.pooling import PoolKind, UnpoolKind
from aezoo.models.kinds.reshape import FlattenKind, ReshapeKind
from aezoo.models.kinds.upsampling import UpsampleKind

KINDS = {
    "dense": DenseKind,
    "conv": ConvKind,
    "pool": PoolKind,
    "unpool": UnpoolKind,
    "upsample": UpsampleKind,
    "bn": BatchNormKind,
    "layernorm": LayerNormKind,
    "dropout": DropoutKind,
    "flatten": FlattenKind,
    "reshape": ReshapeKind,
    **{name: activation.kind(name) for name in activation.ACTIVATIONS},
}
ACTIVATIONS = tuple(activation.ACTIVATIONS)


def layer(text):
    """The kind a string names ("conv:16:stride=2"), or a Kind as it is; ValueError."""
    if isinstance(text, Kind):
        return text
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{text!r} is not a layer: expected a kind like dense:32 or relu")
    name, *values = text.strip().split(":")
    if name not in KINDS:
        raise ValueError(f"unknown layer kind {name!r}{nearest(name, KINDS)}; the kinds are "
                         f"{', '.join(KINDS)}")
    return KINDS[name].parse(values)


def parse(spec, option="--layers"):
    """A list of kinds from "dense:48 relu ...", a list of strings or of Kinds;
    ValueError naming the layer's position (1 first) and its text."""
    items = spec.split() if isinstance(spec, str) else list(spec)
    if not items:
        raise ValueError(f"{option}: no layers; e.g. {option} \"dense:32 relu dense:8\"")
    found = []
    for i, item in enumerate(items, 1):
        try:
            found.append(layer(item))
        except ValueError as e:
            raise ValueError(f"{option} layer {i} ({item if isinstance(item, str) else repr(item)})"
                             f": {e}") from None
    return found


def specs(kinds):
    """The canonical strings of a list of kinds (config.json's form)."""
    return [k.spec() for k in kinds]


def short(value, limit=40):
    """A layer list as a run name may spell it: dense.48,bn,elu (letters, digits, '.', ',',
    '_', '='), the head and a hash of the whole when longer than `limit`; config.json keeps
    the full list."""
    import hashlib
    text = ",".join(k.spec().replace(":", ".") for k in parse(value))
    if len(text) <= limit:
        return text
    return text[:limit - 9].rstrip(".,") + "-" + hashlib.sha1(text.encode()).hexdigest()[:8]


def numpy_source():
    """The numpy forwards of every kind, as source for export's forward.py: each kind's
    function registered in LAYERS under its entry type, the activations in ACTIVATIONS."""
    parts, seen = [], set()
    for cls in KINDS.values():
        fn, entry = cls.numpy, cls.entry_type or cls.name
        if fn is None or entry in seen:
            continue
        seen.add(entry)
        parts.append(inspect.getsource(fn))
        parts.append(f'LAYERS["{entry}"] = {fn.__name__}\n')
    for name, fn in activation.numpy_activations().items():
        parts.append(textwrap.dedent(inspect.getsource(fn)).replace(f"def {name}(",
                                                                  f"def _{name}(", 1))
        parts.append(f'ACTIVATIONS["{name}"] = _{name}\n')
    parts.append('LAYERS["activation"] = lambda x, layer, w: x  # ACTIVATIONS does the work\n')
    return "\n\n".join(parts)
