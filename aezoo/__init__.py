"""aezoo: progressive deep-autoencoder experiments on Chainer.

    aezoo run deep --grow-every 4 --data digits

and, from Python, `aezoo.fit("deep", data="digits", grow_every=4)` for a Run (the run
folder as an object, shown inline in Jupyter; docs/notebook.md), `aezoo.load(run_dir)` for
a trained model, `aezoo.from_keras(path)` for a Keras LSTM, GRU or SimpleRNN
autoencoder's weights (docs/api.md), and `aezoo.Sequential([...])`, a network as a list of
layers for fit (docs/layers.md). Bad input raises
`aezoo.UsageError`, a ValueError with the same one line the commands print.
"""
import os
import sys

__version__ = "0.2.0"

# The Python API's names. aezoo.train is a package and aezoo.compare and aezoo.sweep are
# command shims, so the API never uses those words: the names below are kept free of
# modules (tests/unit/test_layout.py). fit, open_run, Run, Comparison and Sweep are the
# notebook API (aezoo/notebook/), built on plan and start; they load Chainer when first used.
PUBLIC = ("load", "from_keras", "UsageError", "fit", "open_run", "Run", "Comparison", "Sweep",
          "Sequential")

# numpy < 2 (which Chainer needs) bundles OpenBLAS 0.3.23, which does not recognise some
# current CPUs and falls back to its oldest kernels ("Prescott", no AVX): 4x slower dense
# layers. Before numpy loads, name the kernel the CPU's flags allow, unless the environment
# names one already (some machines set it on purpose). docs/speed.md.
KERNELS = (("SkylakeX", {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"}),
           ("Haswell", {"avx2", "fma"}))


def blas_kernel_for(flags):
    """The OpenBLAS core type for a CPU with these /proc/cpuinfo flags, or None."""
    return next((name for name, needs in KERNELS if needs <= set(flags)), None)


def _choose_blas_kernel():
    if "OPENBLAS_CORETYPE" in os.environ or "numpy" in sys.modules:
        return
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f
                          if line.startswith("flags")), [])
    except OSError:  # not Linux: OpenBLAS's own detection
        return
    kernel = blas_kernel_for(flags)
    if kernel:
        os.environ["OPENBLAS_CORETYPE"] = kernel


_choose_blas_kernel()

from aezoo.errors import UsageError  # noqa: E402  (after the BLAS kernel is chosen)

# Chainer 7.8.1 on CuPy 13: set up just before Chainer is first imported (it then looks for
# CuPy), or at once if it already is; so `aezoo --help` loads neither. Nothing happens
# without CuPy. docs/gpu.md.
from aezoo.gpu import cupy_compat as _cupy_compat  # noqa: E402
_cupy_compat.install_before_chainer()


def load(run_dir, device="cpu", which="last"):
    """The trained model of a run folder, with encode/decode/reconstruct on numpy;
    which="best" gives the epoch with the lowest test loss instead of the last."""
    from aezoo.api import load as _load
    return _load(run_dir, device, which)


def from_keras(path, keras_version=3, mode="keras", recurrent_activation=None, device="cpu"):
    """A Keras LSTM, GRU or SimpleRNN autoencoder from its weights (.npz of enc_kernel,
    enc_recurrent_kernel, enc_bias, dec_kernel, dec_recurrent_kernel, dec_bias), CELL -> CELL
    (mode "keras") or CELL -> RepeatVector -> CELL ("repeat"): reconstruct(x) == Keras's
    predict(x)."""
    from aezoo.api import from_keras as _from_keras
    return _from_keras(path, keras_version, mode, recurrent_activation, device)


def __getattr__(name):
    """The notebook API, imported when first used (it loads Chainer; `aezoo --help` does not)."""
    if name == "fit":
        from aezoo.notebook.fitting import fit
        return fit
    if name in ("open_run", "Run"):
        from aezoo.notebook import run
        return getattr(run, name)
    if name == "Comparison":
        from aezoo.notebook.compare import Comparison
        return Comparison
    if name == "Sweep":
        from aezoo.notebook.sweep import Sweep
        return Sweep
    if name == "Sequential":
        from aezoo.notebook.layer_list import Sequential
        return Sequential
    raise AttributeError(f"module 'aezoo' has no attribute {name!r}")
