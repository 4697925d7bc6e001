"""What every layer kind declares, once: the base class of the files beside this one.

    class DropoutKind(Kind):
        name, params = "dropout", (("rate", float, 0.5),)   # "dropout" or "dropout:0.1"
        def check(self): ...                                 # ValueError: what is wrong
        def forward(self, link, x, context): ...             # Chainer, train and test modes
        numpy = staticmethod(dropout_numpy)                  # export's forward.py

A kind is written `name[:value[:value...]]`, positional in the order of `params`, or by
name (`conv:16:stride=2`). Shapes are one sample's: (units,) for dense layers, (C, H, W)
for maps. A kind says how it changes a shape (`out_shape`, ValueError when it cannot take
it), builds its Chainer link (`link`, None for weightless kinds), runs (`forward`), mirrors
itself for a decoder (`mirror`), and describes itself for layers() (`entry`); its `numpy`
function is copied into the exported forward.py, so it may use numpy alone.
"""
from aezoo.models.layers import describe


class Kind:
    name = None
    params = ()          # ((option, type, default), ...): the positional form's order
    help = ""            # one line for the Layers page and `aezoo run --help`
    weighted = False     # has weights: heads a block of a mirrored decoder
    spatial = False      # changes a map's size (pool, unpool, upsample): mirrored in its block
    stochastic = False   # draws from the run's generator in training (dropout)
    numpy = None         # staticmethod(fn(x, layer, w)): the numpy forward of export
    entry_type = None    # the "type" of its layers() entry (default: its name)

    def __init__(self, **options):
        unknown = set(options) - {p for p, _, _ in self.params}
        if unknown:
            raise ValueError(f"{self.name} takes no option {sorted(unknown)[0]!r}"
                             + (f" (it takes {', '.join(p for p, _, _ in self.params)})"
                                if self.params else ""))
        self.options = {p: options.get(p, default) for p, _, default in self.params}
        for p, kind, _ in self.params:
            if self.options[p] is None and not self.optional(p):
                raise ValueError(f"{self.name} needs its {p}, e.g. {self.name}:{self.example()}")
        self.check()

    def __getattr__(self, key):  # the options by name: self.units
        options = self.__dict__.get("options", {})
        if key in options:
            return options[key]
        raise AttributeError(key)

    @classmethod
    def optional(cls, option):
        return any(p == option and default is not None for p, _, default in cls.params) \
            or option in cls.nullable

    nullable = ()  # options that may stay None (reshape's shape from the context)

    @classmethod
    def example(cls):
        return "32"

    @classmethod
    def parse(cls, values):
        """The kind from the strings after its name ("48" of "dense:48")."""
        options, names = {}, [p for p, _, _ in cls.params]
        for i, value in enumerate(values):
            key, eq, text = value.partition("=")
            if not eq:
                if i >= len(names):
                    raise ValueError(f"{cls.name} takes at most {len(names)} value"
                                     f"{'s' if len(names) != 1 else ''}"
                                     + (f" ({', '.join(names)})" if names else ""))
                key, text = names[i], value
            kind = {p: k for p, k, _ in cls.params}.get(key)
            if kind is None:
                raise ValueError(f"{cls.name} takes no option {key!r}"
                                 + (f" (it takes {', '.join(names)})" if names else ""))
            options[key] = convert(key, kind, text)
        return cls(**options)

    def check(self):
        """ValueError when an option's value is out of range."""

    def spec(self):
        """The canonical text: name, then every option that differs from its default."""
        parts, skipped = [self.name], []
        for p, kind, default in self.params:
            value = self.options[p]
            if value == default:
                skipped.append(p)
                continue
            text = spelled(value)
            parts.append(f"{p}={text}" if skipped else text)
        return ":".join(parts)

    def __repr__(self):
        return f"<layer {self.spec()}>"

    def __eq__(self, other):
        return isinstance(other, Kind) and self.spec() == other.spec()

    def __hash__(self):
        return hash(self.spec())

    def out_shape(self, shape):
        return tuple(shape)

    def link(self, shape, init):
        """The Chainer link for inputs of `shape`, weights from initializer `init`; None."""
        return None

    def forward(self, link, x, context):
        """The layer in Chainer; `context.rng` is the run's numpy Generator. By default
        its link's call (Linear flattens a map (N, C, H, W) to (N, C H W) itself)."""
        return link(x)

    def mirror(self, shape_in, shape_out):
        """The decoder's layers that undo this one: from `shape_out` back to `shape_in`."""
        return []

    def entry(self, shape_in, shape_out, link):
        """This layer's layers() entry (models/layers.py), holding its link."""
        return describe(self.entry_type or self.name, shape_in, shape_out, None, link,
                        **self.exported(link))

    def exported(self, link):
        """What its numpy forward reads besides the weights (of `link`, its link or None)."""
        return {}


def convert(key, kind, text):
    try:
        if kind is tuple:
            return tuple(int(v) for v in text.split(",") if v)
        if kind is bool:
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return text.lower() in ("true", "1")
        return kind(text)
    except ValueError:
        name = {int: "a whole number", float: "a number", tuple: "sizes like 4,2,2",
                bool: "true or false"}.get(kind, kind.__name__)
        raise ValueError(f"{key} {text!r} is not {name}")


def spelled(value):
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, float) else str(value)
