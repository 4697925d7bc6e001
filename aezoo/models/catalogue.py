"""Every model's options, known without importing the models (and Chainer with them).

    python -m aezoo.models.catalogue      rewrites catalogue.json from the models themselves

The options are declared once, as the models' constructors' keyword-only arguments
(base.py); catalogue.json is what those declarations said when it was written, with a
fingerprint of this folder's sources. config.py and the command line's parsers read it, so
`aezoo run --help` loads no Chainer. When any source here changed since (a model edited, a
new one), the fingerprint differs and the options are read from the classes instead: slower
(Chainer loads), never wrong. A unit test fails while the file is stale, saying to run the
line above.
"""
import hashlib
import json
import os

from aezoo.models import MODELS
from aezoo.models.option import LayerList, Limits, Option

FOLDER = os.path.dirname(os.path.abspath(__file__))
FILE = os.path.join(FOLDER, "catalogue.json")
TYPES = {t.__name__: t for t in (bool, int, float, str, list, LayerList)}


def fingerprint():
    """A hash of every source file of this folder, by path and content."""
    digest = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(FOLDER)):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(root, name)
            digest.update(os.path.relpath(path, FOLDER).encode() + b"\0")
            with open(path, "rb") as f:
                digest.update(f.read() + b"\0")
    return digest.hexdigest()


def encoded(options):
    """{option: Option} as JSON values (types by name, Limits as lists)."""
    return {name: {"default": o.default, "type": o.type.__name__, "help": o.help,
                   "choices": list(o.choices) if o.choices else None,
                   "limits": list(o.limits) if o.limits else None}
            for name, o in options.items()}


def decoded(options):
    return {name: Option(o["default"], TYPES[o["type"]], o["help"],
                         tuple(o["choices"]) if o["choices"] else None,
                         Limits(*o["limits"]) if o["limits"] else None)
            for name, o in options.items()}


def from_classes():
    """{model: its options as JSON values}, from the classes (this imports them all)."""
    return {name: encoded(cls.options()) for name, cls in MODELS.items()}


_read = {}


def model_options():
    """{model: {option: Option}}, in MODELS' order: catalogue.json's when it is current."""
    if not _read:
        try:
            with open(FILE) as f:
                stored = json.load(f)
        except (OSError, ValueError):
            stored = {}
        current = (stored.get("sources") == fingerprint()
                   and list(stored.get("models", {})) == list(MODELS))
        _read.update({name: decoded(options) for name, options in
                      (stored["models"] if current else from_classes()).items()})
    return _read


def all_options():
    """{option: Option} over every model; one option has one type in every model.

    The help joins the models' own texts where they differ ("deep: ...; conv: ...").
    """
    found, helps = {}, {}
    for name, options in model_options().items():
        for option, spec in options.items():
            if option in found and found[option].type is not spec.type:
                raise TypeError(f"option {option} is {found[option].type} in one model and "
                                f"{spec.type} in {name}: one name, one meaning")
            found.setdefault(option, spec)
            helps.setdefault(option, {}).setdefault(spec.help, []).append(name)
    for option, texts in helps.items():
        if len(texts) > 1:
            text = "; ".join(f"{', '.join(names)}: {help}" for help, names in texts.items())
            found[option] = found[option]._replace(help=text)
    return found


def write():
    """catalogue.json from the classes, with the fingerprint of the sources it read."""
    with open(FILE, "w") as f:
        json.dump({"sources": fingerprint(), "models": from_classes()}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    write()
    print(f"wrote {FILE}")
