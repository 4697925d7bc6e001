"""Every run option: name, type, default and help.

The same name is used everywhere: `--code-dim` on the command line, `code_dim`
in a TOML file, in config.json and in the code. Options of the run are declared
here; options of a model are the keyword-only arguments of its constructor
(models/base.py), options of an ability (growth, a KL term, Keras weights)
are declared by the ability (models/abilities.py), and options of a logger
(--tensorboard, --mlflow) by the logger (loggers/); all join Config from there,
so a new model's or logger's options need nothing here. The CLI parser is generated from OPTIONS.
"""
import math
import sys
from dataclasses import asdict, field, fields, make_dataclass

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from aezoo.data import augment
from aezoo.data.image_cache import parse_size
from aezoo.data.sets import names as data_names
from aezoo.errors import UsageError
from aezoo.loggers import RESUMABLE as LOGGER_OPTIONS, run_options as logger_options
from aezoo.models.abilities import run_options as ability_options
from aezoo.models.catalogue import all_options
from aezoo.models.option import MAX_DEPTH, MAX_WEIGHT, LayerList, Limits
from aezoo.viz.video_settings import check_fps
# Nothing here loads Chainer (the models' options come from models/catalogue.json): the
# command line's parsers and --help are built before it; checking a noise loads it.


def flag(name):
    """The command-line spelling of an option: code_dim -> --code-dim."""
    return "--" + name.replace("_", "-")


def int_list(text):
    """'128,64' -> [128, 64] (the CLI form of a list of widths)."""
    try:
        values = [int(v) for v in str(text).replace(" ", "").split(",") if v]
    except ValueError:
        raise UsageError(f"expected comma-separated integers like 128,64, got {text!r}")
    return values


class _Base:
    # what to train
    model: str = "deep"
    # split=True: the options that pick the data and its split (a data set loaded once for
    # them all; runs compared together share them)
    data: str = field(default="mnist", metadata=dict(split=True, help=data_names()))  # data/sets.py
    data_dir: str = field(default=None, metadata=dict(split=True,
        help="folder holding the IDX files of mnist/fashion-mnist (gz or plain); no download"))
    test_fraction: float = field(default=0.2, metadata=dict(split=True, limits=Limits(0, 1, open=True),
        help="share of a single idx:/npy:/npz: file or generated set held out for testing "
             "(its last part), or of each class of a folder: (drawn with a fixed seed)"))
    seq_len: int = field(default=30, metadata=dict(split=True, limits=Limits(1),
                         help="steps in each window of --data sine"))
    image_size: str = field(default=None, metadata=dict(split=True,
        help="--data folder: resize every image to H[xW] (scaled to cover it, then the centre "
             "cut out); default: the images' own size, which must then agree"))
    color: str = field(default=None, metadata=dict(split=True, choices=("gray", "rgb"), help=(
        "--data folder: convert every image to gray or rgb (default: rgb when any image has "
        "colour, else gray)")))
    # regularizers, any model
    noise: str = field(default=None, metadata=dict(
        help="corrupt the training input: gaussian:STD or mask:P, fresh every batch, or with "
             ":once one noise per image for the run (target stays clean)"))
    sparsity: float = field(default=0.0, metadata=dict(limits=Limits(0, MAX_WEIGHT),
                            help="L1 weight on the code activations"))
    augment: str = field(default=None, metadata=dict(
        help="move the training images, input and target alike, fresh every batch: shift:P "
             "(up to P whole pixels each way) or elastic:ALPHA:SIGMA (Simard et al. 2003)"))
    weight_decay: float = field(default=0.0, metadata=dict(limits=Limits(0),
        help="shrink every weight by this share of itself each step (with adam AdamW's "
             "decoupled decay, whatever the learning rate; with the others an L2 term's gradient)"))
    loss: str = field(default="bce", metadata=dict(choices=("bce", "mse"),
                      help="training loss (evaluation always reports both)"))
    # optimization
    epochs: int = field(default=20, metadata=dict(limits=Limits(1, 10 ** 6), help="number of epochs"))
    batch_size: int = field(default=128, metadata=dict(limits=Limits(1, 10 ** 7),
                            help="mini-batch size"))
    optimizer: str = field(default="adam", metadata=dict(
        choices=("adam", "rmsprop", "adadelta", "sgd"), help="optimizer"))
    lr: float = field(default=None, metadata=dict(limits=Limits(0, open=True),
        help="learning rate (optimizer default: adam/rmsprop 1e-3, sgd 0.01; adadelta has none)"))
    lr_schedule: str = field(default="constant", metadata=dict(
        choices=("constant", "step", "cosine"),
        help="learning rate over the run: step (x0.1 at 1/2 and 3/4 of it) or cosine (to 0)"))
    lr_decay: float = field(default=0.0, metadata=dict(limits=Limits(0, 1),
        help="a final decay: over the last F of the run the learning rate falls linearly to 0 "
             "(on top of --lr-schedule; 0: none, 1: the whole run)"))
    patience: int = field(default=0, metadata=dict(limits=Limits(0),
        help="stop when the test loss has not improved for N epochs (0: never)"))
    seed: int = field(default=0, metadata=dict(limits=Limits(0, 2 ** 32 - 1),
                      help="seed for weights, batch order and noise"))
    device: str = field(default="cpu", metadata=dict(help="cpu, or a CuPy GPU id such as 0"))
    threads: int = field(default=None, metadata=dict(limits=Limits(1, 1024),
        help="CPU threads: OpenBLAS's and aezoo's kernels' (default: the BLAS's own, one a core)"))
    distributed: bool = field(default=False, metadata=dict(
        help="data-parallel over the processes mpiexec started (ChainerMN); on when mpiexec "
             "starts several"))
    # output
    out: str = field(default=None, metadata=dict(
        help="run folder (default outputs/<model>-<timestamp>[-name])"))
    name: str = field(default=None, metadata=dict(help="suffix of the run folder's name"))
    show: int = field(default=10, metadata=dict(limits=Limits(1, 1000),
                      help="test images in each reconstruction grid"))
    video: bool = field(default=True, metadata=dict(help="render progress.gif/mp4 at the end"))
    fps: float = field(default=4.0, metadata=dict(help="frames per second of the video"))
    quiet: bool = field(default=False, metadata=dict(help="print only errors and warnings"))


def _model_fields():
    """Config fields for the models' options: None means "the model's own default"."""
    return [(name, spec.type, field(default=None, metadata=dict(
        help=spec.help, model=True, limits=spec.limits,
        **({"choices": spec.choices} if spec.choices else {}))))
        for name, spec in all_options().items()]


def _ability_fields():
    """Config fields for the options an ability declares (models/abilities.py)."""
    return [(name, spec.type, field(default=spec.default, metadata=dict(
        help=spec.help, ability=True, limits=spec.limits,
        **({"choices": spec.choices} if spec.choices else {}))))
        for name, spec in ability_options().items()]


def _logger_fields():
    """Config fields for the options a logger declares (loggers/: --tensorboard, --mlflow)."""
    return [(name, spec.type, field(default=spec.default, metadata=dict(
        help=spec.help, logger=True, **({"choices": spec.choices} if spec.choices else {}))))
        for name, spec in logger_options().items()]


def _fields_of(cls):
    return [(name, kind, getattr(cls, name)) for name, kind in cls.__annotations__.items()]


_run_fields = _fields_of(_Base)
Config = make_dataclass("Config", _run_fields[:7] + _model_fields() + _ability_fields()
                        + _run_fields[7:] + _logger_fields(),
                        namespace={"to_dict": lambda self: asdict(self)})
Config.__doc__ = "The resolved options of a run; fields from the models' options included."
Config.__module__ = __name__  # picklable (make_dataclass names no module before 3.12): plans
                              # travel to a sweep's worker processes


# Options that may differ when a run is resumed (the loggers' say so for theirs); everything
# else comes from the run's config.json so the continued run is the same experiment.
RESUMABLE = ("epochs", "device", "threads", "video", "fps", "quiet", "distributed") + LOGGER_OPTIONS

OPTIONS = {f.name: f for f in fields(Config)}
MODEL_OPTIONS = tuple(name for name, f in OPTIONS.items() if f.metadata.get("model"))
SPLIT_OPTIONS = tuple(name for name, f in OPTIONS.items() if f.metadata.get("split"))


def _coerce(name, value, where):
    """Check one option's type; return the value in its canonical type."""
    kind = OPTIONS[name].type
    bad = UsageError(f"{where}: {name} = {value!r} is not a valid {kind.__name__ if isinstance(kind, type) else kind}")
    if value is None:
        return None
    if kind is bool:
        if not isinstance(value, bool):
            raise bad
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad
        value = float(value)
    elif kind is list:
        if isinstance(value, str):
            value = int_list(value)
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise bad
    elif kind is LayerList:  # "dense:32 relu", or a list of such strings (models/kinds)
        if not isinstance(value, (str, list, tuple)):
            raise bad
        try:
            value = LayerList.coerce(value, flag(name))
        except ValueError as e:
            raise UsageError(str(e) if where == "option" else f"{where}: {e}")
    elif kind is str:
        if not isinstance(value, str):
            raise bad
        if "\0" in value:  # no path or name holds one; open() would raise a bare ValueError
            raise UsageError(f"{where}: {name} = {value!r} contains a NUL character")
    choices = OPTIONS[name].metadata.get("choices")
    if choices and value not in choices:
        raise UsageError(f"{where}: {name} = {value!r}, expected one of {', '.join(choices)}")
    return value


def within(value, limits):
    """True when `value` (a number, or a list of sizes) is inside `limits`."""
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not 0 < len(value) <= MAX_DEPTH:
        return False
    low_ok = limits.low is None or all(v > limits.low if limits.open else v >= limits.low
                                       for v in values)
    high_ok = limits.high is None or all(v < limits.high if limits.open else v <= limits.high
                                         for v in values)
    return low_ok and high_ok


def expected(limits, kind):
    """What an option inside `limits` is, in words: "a positive integer up to 64"."""
    low, high = limits.low, limits.high
    if kind is list:
        return f"up to {MAX_DEPTH} sizes from {low} to {high}, like 128,64"
    if limits.open:
        return f"a number between {low:g} and {high:g}" if high is not None else \
            f"a number above {low:g}" if low else "a positive number"
    if kind is int and low == 1:
        return f"a positive integer up to {high}" if high is not None else "a positive integer"
    if high is None:
        return f"a {'whole ' if kind is int else ''}number >= {low:g}"
    return f"a {'whole ' if kind is int else ''}number from {low:g} to {high:g}"


def validate(cfg):
    """Every option against the range declared beside it (OPTIONS' limits: the run's here,
    a model's or an ability's where they are declared), then the value syntaxes; a
    UsageError naming the option. Rules between options come after (train/build.py)."""
    for name, option in OPTIONS.items():
        value, limits = getattr(cfg, name), option.metadata.get("limits")
        if value is not None and limits is not None and not within(value, limits):
            shown = ",".join(map(str, value)) if isinstance(value, list) else value
            raise UsageError(f"{flag(name)} {shown}: expected {expected(limits, option.type)}")
    if cfg.weight_decay > 1:  # each step takes more than the weight: it overshoots, then NaN
        raise UsageError(f"{flag('weight_decay')} {cfg.weight_decay}: expected a share of each "
                         "weight from 0 to 1 (above 1 a step takes more than the weight itself)")
    parse_noise(cfg.noise)
    parse_size(cfg.image_size)
    augment.parse(cfg.augment)
    check_fps(cfg.fps)
    return cfg


def parse_noise(spec):
    """'gaussian:0.5' -> ('gaussian', 0.5, False); 'mask:0.3:once' -> ('mask', 0.3, True);
    None -> (None, None, False); else a UsageError."""
    if not spec:
        return None, None, False
    from aezoo.models.regularizers import NOISES
    kind, _, level = spec.partition(":")
    level, _, once = level.partition(":")
    try:
        value = float(level)
    except ValueError:
        value = None
    if (kind in NOISES and value is not None and math.isfinite(value) and NOISES[kind].valid(value)
            and once in ("", "once")):
        return kind, value, once == "once"
    raise UsageError(f"--noise {spec!r}: expected {' or '.join(c.usage for c in NOISES.values())}, "
                     f"each with :once for one noise per image for the whole run")


def merge(base, overrides, where):
    """A copy of `base` with `overrides` (a dict) applied; unknown keys are an error."""
    values = base.to_dict()
    for key, value in overrides.items():
        if key not in OPTIONS:
            raise UsageError(f"{where}: unknown option {key!r} (known: {', '.join(OPTIONS)})")
        values[key] = _coerce(key, value, where)
    return Config(**values)


def read_toml(path):
    """The options in a TOML file as a dict; a bad file is a UsageError."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise UsageError(f"config file {path} does not exist")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise UsageError(f"config file {path} is not valid TOML: {e}")
    except OSError as e:  # a folder, no permission, ...
        raise UsageError(f"config file {path} cannot be read ({e.strerror or e})")
