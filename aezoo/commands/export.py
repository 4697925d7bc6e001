"""Export a trained run as one numpy-only file that anyone can run.

    aezoo export outputs/main outputs/main-export

writes OUT_DIR/weights.npz (plain arrays and a JSON header: the model's layers
and aezoo's version) and OUT_DIR/forward.py (aezoo/models/numpy_forward.py: one
numpy function per layer type, composed from the header). Then, with numpy alone:

    import forward
    model = forward.load("weights.npz")
    model.reconstruct(x)                 # == aezoo.load(RUN_DIR).reconstruct(x)

Noise and sparsity are training-only and are not exported. OUT_DIR must be new,
empty or an earlier export (marked by its .aezoo file: runs/owner.py).
"""
import io
import json
import os
import sys
import zipfile

import chainer
import numpy as np

from aezoo import __version__
from aezoo.api import load
from aezoo.commands import COMMANDS
from aezoo.commands.parser import Parser, guarded
from aezoo.errors import UsageError
from aezoo.models import kinds, numpy_forward
from aezoo.runs import owner, rundir
from aezoo.runs.atomic import atomic

FILES = ("weights.npz", "forward.py")


def flatten(layers):
    """Every layer, those inside a fade's path included."""
    for layer in layers:
        yield layer
        yield from flatten(layer.get("path", []))


def arrays(trained):
    """{"header": JSON, "<layer name>/W": ..., "<layer name>/b": ...} of a loaded run.

    The weights are read back by name, so forward.py needs no model-specific code.
    """
    layers = trained.model.layers()
    known = set(forward_layers()) | set(numpy_forward.INNER)  # what the written forward.py runs
    unknown = sorted({layer["type"] for layer in flatten(layers)} - known)
    if unknown:
        raise UsageError(f"model {trained.config.model} has layers that cannot be exported: "
                         f"{', '.join(unknown)} (known: {', '.join(forward_layers())})")
    links = dict(trained.model.namedlinks(skipself=True))
    out = {"header": np.array(json.dumps({"aezoo_version": __version__, "model": trained.config.model,
                                          "input_shape": list(trained.model.input_shape),
                                          "layers": layers}))}
    for layer in flatten(layers):
        if "name" in layer:
            link = links[layer["name"]]
            for name, param in link.namedparams():
                # "encoders/0/W": a zip member name must not start with "/"
                out[f"{layer['name']}{name}".lstrip("/")] = np.asarray(param.array, np.float32)
            for name in sorted(link._persistent):  # batch norm's running statistics
                value = getattr(link, name)
                if isinstance(value, chainer.get_array_types()):
                    out[f"{layer['name']}/{name}".lstrip("/")] = np.asarray(
                        chainer.backends.cuda.to_cpu(value), np.float32)
    return out


def forward_source():
    """forward.py: numpy_forward.py, then every layer kind's numpy forward (models/kinds)."""
    with open(numpy_forward.__file__) as source:
        return source.read() + "\n\n# The layer kinds (aezoo/models/kinds), one numpy forward each\n" \
            + kinds.numpy_source()


def forward_layers():
    """The layer types the kinds add to forward.py."""
    namespace = {}
    exec(compile(forward_source(), "forward.py", "exec"), namespace)
    return namespace["LAYERS"]


def earlier_export(out_dir):
    """Whether an unmarked folder is an export of an aezoo from before markers: its
    weights.npz holds aezoo's header (a user's own forward.py alone is not)."""
    try:
        with np.load(os.path.join(out_dir, FILES[0]), allow_pickle=False) as npz:
            return "aezoo_version" in json.loads(str(npz["header"]))
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
        return False


def export(run_dir, out_dir):
    """Write weights.npz and forward.py into `out_dir`; returns their paths."""
    rundir.read_config(run_dir)  # a clear line for a folder that is not a run
    claim = dict(command="aezoo export", ours=lambda name: name in FILES, earlier=earlier_export,
                 flag="OUT_DIR")
    owner.check(out_dir, **claim)
    payload = arrays(load(run_dir))
    buffer = io.BytesIO()
    np.savez(buffer, **payload)
    with owner.claim(out_dir, **claim):
        weights, forward = (os.path.join(out_dir, name) for name in FILES)
        with atomic(weights, "wb") as f:
            f.write(buffer.getvalue())
        with atomic(forward) as f:
            f.write(forward_source())
    return [weights, forward]


def parser():
    p = Parser(prog="aezoo export", description=COMMANDS["export"])
    p.add_argument("run_dir", help="a run folder written by aezoo run")
    p.add_argument("out_dir", help="folder for weights.npz and forward.py")
    return p


def main(argv=None):
    return guarded("aezoo export", _main, argv)


def _main(argv):
    args = parser().parse_args(argv)
    for path in export(args.run_dir, args.out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
