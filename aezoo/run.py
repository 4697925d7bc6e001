"""Train one autoencoder and record everything about it in a run folder.

    python -m aezoo.run deep --grow-every 4 --data digits
    python -m aezoo.run conv --data mnist --epochs 50 --noise gaussian:0.5
    python -m aezoo.run --resume outputs/deep-20261124-101500 --epochs 40

Options come from, in rising priority: the defaults in config.py, the model's
preset, a --config TOML file, the command line. Bad input is one line on
stderr and exit status 2; nothing already written is touched.
"""
import argparse
import datetime
import os
import sys

import numpy as np

from aezoo import (__version__, checkpoint, cli, data, device as devices, metrics, plots, render,
                   rundir, snapshot)
from aezoo.build import (build_model, build_optimizer, count_params, default_config,
                         fit_to_data, learning_rate, resolve)
from aezoo.config import (OPTIONS, RESUMABLE, Config, UsageError, flag, int_list, merge,
                          read_toml, validate)
from aezoo.growth import Growth, Schedule
from aezoo.models import MODELS, NAMES, PRESETS
from aezoo.trainer import NonFiniteLoss, Trainer

IDENTITY_SAMPLE = 2000  # training inputs whose code statistics initialize an identity pair


def model_defaults():
    """Help epilog: what each model and preset uses when an option is not given."""
    lines = [f"  {name}: " + ", ".join(f"{k}={v}" for k, v in cls.defaults.items())
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
    device = devices.get(cfg.device)
    dataset = data.load(cfg.data, cfg.data_dir, cfg.test_fraction)
    if not resume:  # a resumed run's config.json holds the fitted shape already
        cfg = fit_to_data(cfg, given, dataset.shape)
    rng = np.random.default_rng(cfg.seed)
    arch = None
    if resume:
        meta = checkpoint.read_meta(resume)
        arch = meta["arch"]
        if cfg.epochs < meta["epoch"]:
            raise UsageError(f"--epochs {cfg.epochs}: {resume} has trained {meta['epoch']} "
                             f"epochs already; expected at least that")
    model = build_model(cfg, dataset.shape, rng, arch)
    model.to_device(device)
    optimizer = build_optimizer(cfg, model)
    # Everything is validated: only now touch the disk.
    run_dir = resume or rundir.create(rundir.choose(cfg))
    now = datetime.datetime.now().isoformat(timespec="seconds")
    history = {"created": now, "resumed": []}
    if resume:
        epoch = checkpoint.load(run_dir, model, optimizer, rng)["epoch"]
        metrics.truncate(run_dir, epoch)
        previous = rundir.read_config(run_dir)
        history = {"created": previous.get("created"), "resumed": previous.get("resumed", []) + [now]}
    rundir.write_config(run_dir, {
        "config": cfg.to_dict(), "model": {"class": type(model).__name__, "arch": model.arch(),
                                           "params": count_params(model)},
        "data": dataset.describe(), "versions": rundir.versions(), "git_commit": rundir.git_commit(),
        **history})

    trainer = Trainer(model, optimizer, dataset.train, dataset.test, cfg.batch_size, device, rng,
                      progress=sys.stderr.isatty())
    if resume:
        trainer.epoch, trainer.state = epoch, meta["state"]
        trainer.metrics = metrics.read(run_dir)[0][-1]  # what callbacks saw at that epoch's end
    attach_callbacks(trainer, cfg, dataset, run_dir)
    print(f"aezoo: training {cfg.model} on {cfg.data} {dataset.shape} into {run_dir}", file=sys.stderr)
    try:
        trainer.run(cfg.epochs, evaluate_untrained=not resume)
    except KeyboardInterrupt:
        if not os.path.exists(os.path.join(run_dir, checkpoint.FILE)):
            print(f"aezoo.run: interrupted before the first checkpoint; nothing to resume in "
                  f"{run_dir}", file=sys.stderr)
        else:
            print(f"aezoo.run: interrupted; {saved_epochs(run_dir)} saved. Continue with: "
                  f"python -m aezoo.run --resume {run_dir}", file=sys.stderr)
        return 130
    except NonFiniteLoss as e:
        print(f"aezoo.run: error: {e}; stopped, {saved_epochs(run_dir)} kept in {run_dir} "
              f"(try a smaller --lr)", file=sys.stderr)
        return 1
    last = trainer.metrics
    print(f"aezoo: {cfg.model} epoch {trainer.epoch}: test BCE {last['test_bce']:.4f}, "
          f"squared error per image {last['test_sqerr']:.3f} -> {run_dir}", file=sys.stderr)
    if cfg.video:  # python -m aezoo.render RUN_DIR makes it later for a --no-video run
        for path in render.render(run_dir, fps=cfg.fps):
            print(f"aezoo: video {path}", file=sys.stderr)
    return 0


def saved_epochs(run_dir):
    if not os.path.exists(os.path.join(run_dir, checkpoint.FILE)):
        return "no epoch"
    return f"epoch {checkpoint.read_meta(run_dir)['epoch']}"


def attach_callbacks(trainer, cfg, dataset, run_dir):
    log = lambda record: metrics.append(run_dir, record)  # noqa: E731
    if cfg.grow_every:
        schedule = Schedule(cfg.grow_every, cfg.depth, cfg.max_depth, cfg.fade_in, cfg.freeze_old)
        Growth(cfg, schedule, dataset.train[:IDENTITY_SAMPLE], log).attach(trainer)

    def label(t):
        depth = getattr(t.model, "depth", None)
        return cfg.model + (f" · depth {depth}" if depth else "")

    def static(t):
        facts = {"params": count_params(t.model), "lr": learning_rate(t.optimizer)}
        if getattr(t.model, "depth", None):
            facts["depth"] = t.model.depth
        return facts

    def plot_losses(t):
        epochs, events = metrics.read(run_dir)
        plots.save(os.path.join(run_dir, "loss.png"), epochs, events, cfg.loss,
                   f"{cfg.model} on {cfg.data}")

    indices = snapshot.fixed_indices(len(dataset.test), cfg.show)
    trainer.add_callback("epoch_end", snapshot.Snapshots(run_dir, dataset.test, indices, label))
    trainer.add_callback("epoch_end", metrics.MetricsLog(run_dir, static))
    trainer.add_callback("epoch_end", plot_losses)
    # Last, so a checkpoint never runs ahead of the metrics it continues.
    trainer.add_callback("epoch_end", checkpoint.Checkpointer(run_dir, __version__))


if __name__ == "__main__":
    sys.exit(main())
