"""What an option declares: Option(default, type, help, choices, limits) and its Limits.

A model's options are its constructor's keyword-only arguments (base.py), an ability's its
`run_options` (abilities.py), a logger's its `options` (loggers/); each becomes an Option.
This file imports neither Chainer nor numpy: config.py builds the command line from these
declarations (and from catalogue.json) before anything heavy loads.
"""
from collections import namedtuple

MAX_SIZE = 1 << 16  # units or channels of one layer
MAX_DEPTH = 64      # layers of a stack, and growth steps
# Weights of a loss term: larger ones overflow float32 in the loss, which would then be
# reported as a diverged run (try a smaller --lr) instead of the option it came from.
MAX_WEIGHT = 1e6

# An option's range, declared with it: low <= value <= high (low < value < high when open);
# None is no bound. `within` names the option whose value bounds this one: a rule between
# two options, checked after every option's own range (growth: --fade-in <= --grow-every).
Limits = namedtuple("Limits", "low high open within", defaults=(None, None, False, None))
Option = namedtuple("Option", "default type help choices limits", defaults=(None,))


def limits_of(name, kind):
    """A model option's range when its model declares none: a size (a depth up to
    MAX_DEPTH), a list of sizes, or a number >= 0."""
    if kind is int:
        return Limits(1, MAX_DEPTH if name == "depth" else MAX_SIZE)
    if kind is list:
        return Limits(1, MAX_SIZE)
    if kind is float:
        return Limits(0)
    return None


class LayerList(list):
    """The type of a layer-list option (--layers, --decoder-layers): one string of kinds
    separated by spaces on the command line, a list of strings in TOML and Python."""

    @staticmethod
    def coerce(value, option):
        """The canonical strings of `value`; ValueError naming the layer at fault."""
        from aezoo.models.kinds import parse, specs  # the kinds' links need Chainer
        return specs(parse(value, option))
