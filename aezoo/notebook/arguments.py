"""The Python API's arguments that are not options: checked before anything is written.

A wrong type gets the one line (aezoo.UsageError) that a wrong option gets, naming
the argument and what it expected, never a TypeError or AttributeError from deep inside
a run that has already written its folder.
"""
import os

from aezoo.errors import UsageError
from aezoo.train.callbacks import HOOKS


def folder(name, value):
    """A path (str or os.PathLike of str) as a str; `name` is the argument's name."""
    if isinstance(value, str) or (isinstance(value, os.PathLike)
                                  and isinstance(os.fspath(value), str)):
        text = os.fspath(value)
        if text.strip():
            return text
    raise UsageError(f"{name} {value!r}: expected a folder path (a str or pathlib.Path)")


def callbacks(value):
    """A list (or tuple) of Callback objects: each has every on_<hook>(trainer) method."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise UsageError(f"callbacks {value!r}: expected a list of aezoo Callback objects "
                         f"(aezoo.train.callbacks.Callback)")
    for i, callback in enumerate(value):
        missing = [h for h in HOOKS if not callable(getattr(callback, f"on_{h}", None))]
        if missing:
            raise UsageError(f"callbacks[{i}] {callback!r}: expected an aezoo Callback "
                             f"(subclass aezoo.train.callbacks.Callback); it lacks "
                             f"{', '.join('on_' + h for h in missing)}")
    return list(value)


def formats(value, known):
    """Video formats: a tuple of names out of `known` ("gif", "mp4"), or one such name; an
    empty tuple writes no video."""
    names = (value,) if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or any(n not in known for n in names):
        raise UsageError(f"formats {value!r}: expected some of {', '.join(known)}, "
                         f"e.g. {tuple(known)!r}")
    return tuple(names)
