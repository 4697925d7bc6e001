"""Train one autoencoder and record everything about it in a run folder.

    python -m aezoo.run deep --grow-every 4 --data digits
    python -m aezoo.run conv --data mnist --epochs 50 --noise gaussian:0.5
    python -m aezoo.run --resume outputs/deep-20261124-101500 --epochs 40

Options come from, in rising priority: the defaults in config.py and the
model's constructor, the model's preset, a --config TOML file, the command
line. Bad input is one line on stderr and exit status 2; nothing already
written is touched. The run itself is set up by aezoo/train/setup.py.
"""
import argparse
import os
import shutil
import sys

from aezoo import cli
from aezoo.config import OPTIONS, RESUMABLE, Config, flag, merge, read_toml, validate
from aezoo.errors import UsageError
from aezoo.models import MODELS, NAMES, PRESETS
from aezoo.record import rundir
from aezoo.render import render
from aezoo.train import checkpoint
from aezoo.train.loop import Diverged
from aezoo.train.setup import default_config, prepare, resolve
from aezoo.viz import curves


def model_defaults():
    """Help epilog: what each model and preset uses when an option is not given."""
    lines = [f"  {name}: " + ", ".join(f"{k}={v.default}" for k, v in cls.options().items())
             for name, cls in MODELS.items()]
    lines += [f"  {name}: {base} with " + ", ".join(f"{k}={v}" for k, v in changes.items())
              for name, (base, changes) in PRESETS.items()]
    return "model defaults:\n" + "\n".join(lines)


def parser():
    p = cli.Parser(prog="python -m aezoo.run", description=__doc__.split("\n")[0],
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
        if option.type is bool:
            p.add_argument(flag(name), action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                           help=help_text)
            continue
        kind = {list: cli.int_list, int: int, float: float}.get(option.type, str)
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
    args = vars(parser().parse_args(argv))
    model, config_file, resume = args.pop("model", None), args.pop("config"), args.pop("resume")
    if resume:
        if model or config_file:
            raise UsageError("--resume takes the model and config from the run folder; "
                             "give neither a model nor --config")
        fixed = sorted(set(args) - set(RESUMABLE))
        if fixed:
            raise UsageError(f"{flag(fixed[0])} cannot change when resuming "
                             f"(allowed: {', '.join(map(flag, RESUMABLE))})")
        saved = rundir.read_config(resume)["config"]
        cfg = merge(merge(Config(), saved, f"{resume}/config.json"), args, "option")
        return validate(cfg), set(), resume
    from_file = read_toml(config_file) if config_file else {}
    model = model or from_file.get("model")
    if not model:
        raise UsageError("name a model: " + ", ".join(NAMES))
    where = f"config {config_file}"
    cfg = merge(merge(default_config(model), from_file, where), args, "option")
    cfg.model = model
    given = set(from_file) | set(args)
    return resolve(cfg, given), given, None


def main(argv=None):
    return cli.guarded("aezoo.run", lambda args: train(*configure(args)), argv)


def train(cfg, given, resume):
    prepared = prepare(cfg, given, resume)
    cfg, trainer, run_dir = prepared.cfg, prepared.trainer, prepared.run_dir
    say = trainer.terminal.say  # nothing with --quiet; errors are printed regardless
    verb = f"resuming from epoch {trainer.epoch}" if resume else "training"
    say(f"aezoo: {verb} {cfg.model} on {cfg.data} {prepared.dataset.shape} into {run_dir}")
    try:
        try:
            trainer.run(cfg.epochs, evaluate_untrained=not resume)
        finally:
            trainer.terminal.close()  # the bar goes before any message below
    except KeyboardInterrupt:
        if not prepared.is_main:  # rank 0 of a distributed run speaks for the run
            return 130
        if not os.path.exists(os.path.join(run_dir, checkpoint.FILE)):
            print(f"aezoo.run: interrupted before the first checkpoint; {free(prepared)}",
                  file=sys.stderr)
        else:
            curves.save_run(run_dir, cfg)
            print(f"aezoo.run: interrupted; {saved_epochs(run_dir)} saved. Continue with: "
                  f"python -m aezoo.run --resume {run_dir}", file=sys.stderr)
        return 130
    except Diverged as e:
        if not prepared.is_main:
            return 1
        if not os.path.exists(os.path.join(run_dir, checkpoint.FILE)):
            print(f"aezoo.run: error: {e}; stopped before the first checkpoint, so "
                  f"{free(prepared)} (try a smaller --lr)", file=sys.stderr)
            return 1
        curves.save_run(run_dir, cfg)
        print(f"aezoo.run: error: {e}; stopped, {saved_epochs(run_dir)} kept in {run_dir} "
              f"(try a smaller --lr)", file=sys.stderr)
        return 1
    if trainer.stopped and prepared.is_main:  # early stopping: loss.png was not drawn yet
        curves.save_run(run_dir, cfg)
        say(f"aezoo: stopped early after epoch {trainer.epoch}: {trainer.stopped}")
    say(f"aezoo: {cfg.model} epoch {trainer.epoch}: {summary(trainer)} -> {run_dir}")
    if cfg.video and prepared.is_main:  # python -m aezoo.render RUN_DIR makes it later
        for path in render(run_dir, fps=cfg.fps):
            say(f"aezoo: video {path}")
    return 0


def free(prepared):
    """Undo a new run that saved no epoch: its folder goes (or, if the user made it, empties
    again), so the name can be used at once. Returns what was done, for the message."""
    run_dir = prepared.run_dir
    if prepared.fresh:
        shutil.rmtree(run_dir)
        return f"{run_dir} removed, nothing to resume"
    for name in os.listdir(run_dir):  # it was empty when the run began
        target = os.path.join(run_dir, name)
        shutil.rmtree(target) if os.path.isdir(target) else os.remove(target)
    return f"{run_dir} emptied again, nothing to resume"


def summary(trainer):
    """'test BCE 0.2895, squared error per image 1.409' from what the model reported."""
    last, score = trainer.metrics, trainer.model.head.primary
    text = f"test {score.upper()} {last[f'test_{score}']:.4f}"
    if "test_sqerr" in last:
        sample = "sequence" if trainer.test_x.ndim == 3 and trainer.model.masks_padding else "image"
        text += f", squared error per {sample} {last['test_sqerr']:.3f}"
    return text


def saved_epochs(run_dir):
    if not os.path.exists(os.path.join(run_dir, checkpoint.FILE)):
        return "no epoch"
    return f"epoch {checkpoint.read_meta(run_dir)['epoch']}"


if __name__ == "__main__":
    sys.exit(main())
