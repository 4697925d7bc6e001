"""How a message names a folder or a file: relative to the working directory when it lies
below it (as the user typed it, and as render and compare print theirs), else absolute.

    shown("/home/me/work/outputs/main")   # "outputs/main" in /home/me/work
"""
import os


def shown(path):
    path = os.fspath(path)
    try:
        relative = os.path.relpath(path)
    except (ValueError, OSError):  # another drive; the working directory is gone
        return path
    return path if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative
