"""Train one autoencoder and record everything about it in a run folder.

    aezoo run deep --grow-every 4 --data digits
    aezoo run conv --data mnist --epochs 50 --noise gaussian:0.5
    aezoo run --resume outputs/deep-20261124-101500 --epochs 40

Options come from, in rising priority: the defaults in config.py, the model's
constructor and its abilities, the model's preset, a --config TOML file, the
command line. Bad input is one line on stderr and exit status 2; nothing
already written is touched. The run is planned and started by train/plan.py
and train/start.py, as a sweep's runs are.
"""
import argparse
import sys
import time

from aezoo.commands.parser import Parser, guarded, int_list
from aezoo.config import OPTIONS, RESUMABLE, Config, flag, read_toml
from aezoo.errors import UsageError
from aezoo.models import NAMES, PRESETS
from aezoo.models.catalogue import model_options
# Planning, training and rendering (and Chainer) are imported when a run is asked for, not
# for --help: the models' options come from their catalogue.


def model_defaults():
    """Help epilog: what each model and preset uses when an option is not given."""
    lines = [f"  {name}: " + ", ".join(f"{k}={v.default}" for k, v in options.items())
             for name, options in model_options().items()]
    lines += [f"  {name}: {base} with " + ", ".join(f"{k}={v}" for k, v in changes.items())
              for name, (base, changes) in PRESETS.items()]
    return "model defaults:\n" + "\n".join(lines)


def parser():
    p = Parser(prog="aezoo run", description=__doc__.split("\n")[0],
                   epilog=model_defaults(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", choices=NAMES, help="model to train: " + ", ".join(NAMES))
    defaults = Config()
    for name, option in OPTIONS.items():
        if name == "model":
            continue
        text = option.metadata.get("help", "")
        default = getattr(defaults, name)
        help_text = text if default is None else f"{text} (default: {default})"
        if option.metadata.get("model"):
            help_text += " [model option]"
        elif option.metadata.get("ability"):
            help_text += " [ability option]"
        elif option.metadata.get("logger"):
            help_text += " [logger option]"
        if option.type is bool:
            p.add_argument(flag(name), action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                           help=help_text)
            continue
        kind = {list: int_list, int: int, float: float}.get(option.type, str)
        p.add_argument(flag(name), type=kind, choices=option.metadata.get("choices"),
                       default=argparse.SUPPRESS, metavar=name.upper() if kind is not str or
                       not option.metadata.get("choices") else None, help=help_text)
    p.add_argument("--config", metavar="FILE.toml", help="read options from a TOML file "
                   "(keys as in config.json: code_dim = 32); the command line overrides it")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its last checkpoint; "
                   f"only {', '.join(map(flag, RESUMABLE))} may change")
    return p


def configure(argv):
    """(Config, the option names the user set, run folder to resume or None)."""
    args = vars(parser().parse_args(argv))  # --help answers here, before Chainer loads
    from aezoo.train.build import configured
    from aezoo.train.plan import resumed
    model, config_file, resume = args.pop("model", None), args.pop("config"), args.pop("resume")
    if resume:
        if model or config_file:
            raise UsageError("--resume takes the model and config from the run folder; "
                             "give neither a model nor --config")
        return resumed(resume, args), set(), resume
    from_file = read_toml(config_file) if config_file else {}
    cfg, given = configured(model or from_file.get("model"), (from_file, f"config {config_file}"),
                            (args, "option"))
    return cfg, given, None


def planned(argv):
    """The Plan of the command line `argv`: a new run, or the resume of one."""
    cfg, given, resume = configure(argv)
    from aezoo.train.plan import plan, plan_resume
    return plan_resume(resume, {k: getattr(cfg, k) for k in RESUMABLE}) if resume else plan(cfg, given)


def main(argv=None):
    return guarded("aezoo run", train, argv)


def train(argv):
    the_plan = planned(argv)
    from aezoo.distributed.mpi import first_process
    from aezoo.results.run_videos import after_training
    from aezoo.runs.listing import closing
    from aezoo.train.start import start
    began = time.monotonic()
    start(the_plan)  # RunFailed and RunInterrupted: guarded prints why, exit status 1 or 130
    if not first_process():  # rank 0 of several processes speaks for the run
        return 0
    videos = after_training(the_plan.cfg, the_plan.run_dir)
    if not the_plan.cfg.quiet:
        print("\n".join([""] + closing(the_plan.run_dir, time.monotonic() - began, videos)),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
