"""One device-placement path for models, new layers and batches (CPU or CuPy)."""
import chainer

from aezoo.errors import UsageError
from aezoo.gpu import cupy_compat


def check(spec):
    """The GPU id `spec` names (None for the CPU), or a UsageError: what a plan checks, so
    that a sweep with device = "bogus" fails before any folder is made. Touches no GPU."""
    text = str(spec).strip()
    if text in ("cpu", "-1", "@numpy"):
        return None
    gpu = text[len("@cupy:"):] if text.startswith("@cupy:") else text
    if not gpu.isdigit():
        raise UsageError(f"--device {spec!r}: expected cpu or a GPU id such as 0")
    problem = cupy_compat.problem(int(gpu))  # the driver, the device or a library, one line
    if problem:
        raise UsageError(f"--device {spec}: {problem}; or use --device cpu")
    return gpu


def get(spec):
    """'cpu' -> NumPy; '0', '1', ... or '@cupy:0' -> that CUDA GPU through CuPy."""
    gpu = check(spec)
    if gpu is None:
        return chainer.get_device("@numpy")
    try:
        device = chainer.get_device(f"@cupy:{int(gpu)}")
        device.use()
    except Exception as e:  # cupy raises its own CUDARuntimeError for a bad id
        raise UsageError(f"--device {spec}: no such GPU ({e})")
    cupy_compat.settle_cudnn()  # without cuDNN: use_cudnn = "never", said once
    return device


def infer(fn, x, device):
    """fn(x) in evaluation mode and without a graph; x numpy or on `device`, result numpy."""
    with chainer.using_config("train", False), chainer.no_backprop_mode():
        return chainer.backends.cuda.to_cpu(fn(device.send(x)).array)
