"""The sweep file: a [defaults] table, [runs.NAME] tables and a [grid] of lists to cross.

    [defaults]
    data = "digits"
    epochs = 30

    [runs.deep]
    model = "deep"

    [grid]                     # every combination, crossed with every [runs.NAME]
    grow_every = [3, 5]        # (or with [defaults] alone when there are none)
    hidden = [[128, 64], [64]] # an option whose value is a list takes a list of lists
    layers = ["dense:32 relu dense:8", ["conv:8", "relu", "pool"]]   # layer lists, either form

The grid's runs are named from their values, in the grid's order, the same on every
invocation: deep-grow_every=3-hidden=128,64; a layer list is spelled dense.32,relu,dense.8 (or
its head and a hash when long). Ray Tune's grid_search, W&B grid sweeps
and Hydra's multirun do the same.
"""
import itertools
import re

from aezoo.config import OPTIONS, Config, merge, read_toml
from aezoo.errors import UsageError
from aezoo.models import NAMES
from aezoo.results.compared import WRITTEN as COMPARISON_FILES
from aezoo.runs.owner import SWEEP_FILES
from aezoo.models.kinds import short
from aezoo.models.option import LayerList

SET_BY_SWEEP = ("out", "name")  # each run's folder is OUT/NAME
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._=,-]*")
# What a sweep writes into OUT beside its runs, listed once: its own files (runs/owner.py), a
# comparison's (results/compared.py), the study, the workers' logs and the stop request.
# No run may take one of these names.
STUDY, LOGS, STOP = "study.journal", "logs", "stop"
RESERVED = SWEEP_FILES + COMPARISON_FILES + (STUDY, LOGS, STOP)
MAX_RUNS = 10000  # a grid that multiplies into more is a typo, not a sweep
# A run's name is a folder name (255 bytes at most on common file systems) and, with .log
# and .tmp after it, a file name: checked here, before the sweep folder is made.
MAX_NAME = 200


def read(path):
    """{run name: its options (defaults applied)} from a sweep file, checked key by key."""
    return parse(read_toml(path), path)


def parse(table, path="sweep"):
    """{run name: its options (defaults applied)} of a sweep's tables (a file's, or a dict
    given from Python), checked key by key; `path` names them in errors."""
    if not isinstance(table, dict):
        raise UsageError(f"{path}: expected a dict of defaults, runs and grid, not {table!r}")
    unknown = sorted(set(table) - {"defaults", "runs", "grid"})
    if unknown:
        raise UsageError(f"{path}: unknown top-level key {unknown[0]!r} "
                         f"(a sweep file has [defaults], [runs.NAME], [grid] or [search] tables)")
    defaults, runs, grid = table.get("defaults", {}), table.get("runs"), table.get("grid")
    if not isinstance(defaults, dict):
        raise UsageError(f"{path}: defaults must be a table ([defaults])")
    if runs is not None and (not isinstance(runs, dict) or not runs):
        raise UsageError(f"{path}: runs must hold tables, e.g. [runs.simple] with model = \"simple\"")
    if runs is None and grid is None:
        raise UsageError(f"{path}: no runs; add a table per run, "
                         f"e.g. [runs.simple] with model = \"simple\"")
    tables = {}
    for name, options in (runs or {}).items():
        if not isinstance(name, str):
            raise UsageError(f"{path}: run name {name!r}: expected a string, the run's folder name")
        if not isinstance(options, dict):
            raise UsageError(f"{path}: runs.{name} must be a table ([runs.{name}])")
        tables[name] = options
    if grid is not None:
        tables = crossed(path, tables or {"": {}}, combinations(path, grid))
    experiments = {}
    for name, options in tables.items():
        where = f"{path} [runs.{name}]"
        if not NAME.fullmatch(name):
            raise UsageError(f"{where}: a run name is a folder name: letters, digits, '.', '_', '-'")
        if len(name.encode()) > MAX_NAME:
            raise UsageError(f"{path}: run name {name[:40]}... has {len(name.encode())} "
                             f"characters; a run name (a folder name) has at most {MAX_NAME}")
        if name in RESERVED or name.startswith("compare-"):
            raise UsageError(f"{where}: {name} is a file the sweep writes; choose another run name")
        options = {**defaults, **options}
        for key in SET_BY_SWEEP:
            if key in options:
                raise UsageError(f"{where}: {key} is set by the sweep "
                                 f"(the run's folder is OUT/{name})")
        merge(Config(), options, where)  # unknown keys and wrong types, named by file and run
        if not options.get("model"):
            raise UsageError(f"{where}: no model; set model = \"deep\" (or another) "
                             f"in it or in [defaults]")
        if options["model"] not in NAMES:
            raise UsageError(f"{where}: model = {options['model']!r}, expected one of "
                             f"{', '.join(NAMES)}")
        experiments[name] = options
    return experiments


def combinations(path, grid):
    """[(name part, {option: value})] of the grid's product, in its keys' order."""
    if not isinstance(grid, dict) or not grid:
        raise UsageError(f"{path}: [grid] must be a table of lists, e.g. grow_every = [3, 5]")
    for key, values in grid.items():
        if key not in OPTIONS or key in SET_BY_SWEEP:
            raise UsageError(f"{path} [grid]: unknown option {key!r}")
        listed = OPTIONS[key].type is list
        layered = OPTIONS[key].type is LayerList  # each a string of layers or a list of them
        if (not isinstance(values, list) or not values
                or (listed and not all(isinstance(v, list) for v in values))
                or (layered and not all(isinstance(v, (str, list)) for v in values))):
            shape = "a list of lists, e.g. [[128, 64], [64]]" if listed else "a list, e.g. [3, 5]"
            raise UsageError(f"{path} [grid]: {key} = {values!r}, expected {shape}")
        if len({repr(v) for v in values}) < len(values):
            raise UsageError(f"{path} [grid]: {key} lists a value twice")
    count = 1
    for values in grid.values():
        count *= len(values)
    if count > MAX_RUNS:
        raise UsageError(f"{path} [grid]: {count} combinations; at most {MAX_RUNS}")
    found = []
    for values in itertools.product(*grid.values()):
        options = dict(zip(grid, values))
        found.append(("-".join(f"{k}={part(path, k, v)}" for k, v in options.items()), options))
    return found


def part(path, key, value):
    """A grid value as its run's name shows it; a layer list shortened (config.json keeps it)."""
    if OPTIONS[key].type is not LayerList:
        return spelled(value)
    try:
        return short(value)
    except ValueError as e:
        raise UsageError(f"{path} [grid]: {e}")


def spelled(value):
    """A value as a run name shows it: 5, 0.001, true, 128,64."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ",".join(spelled(v) for v in value)
    return str(value)


def label(name):
    return f"runs.{name}" if name else "[defaults]"


def crossed(path, tables, combos):
    """Every run table with every combination: NAME-key=value-..., or the combination alone."""
    found, made_of = {}, {}
    for name, options in tables.items():
        for part, values in combos:
            clash = sorted(set(values) & set(options))
            if clash:
                raise UsageError(f"{path} [runs.{name}]: {clash[0]} is also in [grid]; set it in "
                                 f"one place")
            new = f"{name}-{part}" if name else part
            if new in found:  # a later run would take the earlier's folder: one run lost
                (other, other_part) = made_of[new]
                raise UsageError(f"{path} [grid]: {label(name)} with {part} and {label(other)} with "
                                 f"{other_part} are both named {new}; rename one of the runs")
            found[new], made_of[new] = {**options, **values}, (name, part)
    return found
