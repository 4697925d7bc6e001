"""The `aezoo` executable: one command a module, listed here once.

    aezoo run deep --grow-every 4         aezoo/commands/run.py
    aezoo --help                          the commands, one line each
    python -m aezoo.run ...               the same (aezoo/run.py is a shim)

Each command module has parser() (its options; the description is the line
below) and main(argv) -> exit status. Commands share parts (train, runs,
results, viz, ...), never each other: tests/unit/test_layout.py keeps that.
A command module is imported only when it runs, so `aezoo --help` is quick.
"""
import argparse
import importlib
import sys

from aezoo.commands.parser import Parser, guarded, showing

# name -> what it does, in the order `aezoo --help` lists them
COMMANDS = {
    "run": "train one autoencoder and record everything about it in a run folder",
    "render": "progress.gif and progress.mp4 of a run: reconstructions and loss curves",
    "compare": "compare finished runs on one data set: scores, loss plot, side-by-side video",
    "sweep": "run every experiment of a TOML file, then compare them",
    "report": "report.html: a comparison or sweep in one self-contained page",
    "export": "a run's model as numpy-only weights.npz and forward.py",
    "bench": "how fast aezoo trains, against PyTorch on the same model and threads",
    "runs": "list the runs under outputs/ (or DIR), newest first",
}


def module(name):
    return importlib.import_module(f"aezoo.commands.{name}")


def parsers():
    """{command: its argparse parser}, in COMMANDS's order (the docs' CLI reference)."""
    return {name: module(name).parser() for name in COMMANDS}


def top_parser():
    width = max(map(len, COMMANDS))
    listing = "\n".join(f"  {name:<{width}}  {text}" for name, text in COMMANDS.items())
    p = Parser(prog="aezoo", description="Watch autoencoders learn: a zoo trained by one "
               "Chainer loop, with videos of every epoch.",
               epilog=f"commands:\n{listing}\n\n'aezoo COMMAND --help' gives a command's options.",
               formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=list(COMMANDS), metavar="COMMAND",
                   help="one of: " + ", ".join(COMMANDS))
    return p


def main(argv=None):
    """`aezoo COMMAND ...`: the command's own main with the rest of the line."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0].startswith("-"):  # aezoo, aezoo --help, aezoo --version
        def usage(args):
            top_parser().parse_args(args or ["--help"])
            return 0
        try:
            return guarded("aezoo", usage, argv)
        except SystemExit as e:  # --help and --version print and exit 0
            return e.code or 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        return guarded("aezoo", lambda args: top_parser().parse_args(args), [name])
    showing(f"aezoo {name}", "loading")  # before Chainer and numpy load (a second or more)
    return module(name).main(rest)
