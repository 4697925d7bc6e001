"""Chainer 7.8.1 on CuPy 13: the one place that knows they were not made for each other.

    import aezoo          # installs this just before Chainer is imported (aezoo/__init__.py)
    make gpu-check        # on a GPU machine: the GPU test tier and a speed table (docs/gpu.md)

Chainer 7.8.1 was written for CuPy 7/8, which linked the CUDA libraries into `import cupy`.
CuPy 13 (the one CuPy for numpy < 2 and today's GPUs) imports without them and loads each
library when it is first used; but `chainer/backends/cuda.py` runs `from cupy.cuda import
cublas` at import time, which in CuPy 13 loads libcublas.so.12 at once. Where the loader
cannot find it (a pip install: NVIDIA's wheels put it under site-packages/nvidia/, off the
search path; or no CUDA at all) Chainer decides `cuda.available = False`, and `--device 0`
fails on a machine with a GPU just as on one without. So, only when CuPy is installed:

- NVIDIA's wheels (nvidia-cublas-cu12, -cuda-nvrtc-cu12, -cudnn-cu12, from the [gpu] extra)
  are preloaded, so CuPy's and cuDNN's own loading finds them by their sonames;
- MOVED maps the names Chainer imports to where CuPy 13 keeps them (lazily: a library is
  loaded when first used, as CuPy 13 does itself);
- if Chainer was imported first, its availability is evaluated again (`reevaluate`).

And, CuPy or not: Chainer's import-time environment check (chainer/_environment_check.py)
is skipped. It imports numpy.distutils and pkg_resources and asks pkg_resources for 17
package names (CuPy 7/8's per-CUDA wheels, iDeep) to warn about their versions, and warns
about macOS's Accelerate and Python 3.5.0: none applies to aezoo (Python 3.10-3.11, CuPy 13
as `cupy-cuda12x`, which that list does not name), and it was half of `import chainer`
(docs/speed.md, Start-up).

`problem(device_id)` says in one line why a GPU cannot be used (driver, device, library);
`settle_cudnn()` turns cuDNN off, saying so once, where it cannot be loaded.
tests/unit/gpu/test_cupy_compat.py audits MOVED against Chainer's source; tests/gpu/ is the GPU tier.
"""
import ast
import ctypes
import glob
import importlib
import importlib.abc
import importlib.util
import os
import sys
import types
import warnings

# The name Chainer 7.8.1 uses -> where CuPy 13 keeps it. Only names the audit found on
# aezoo's paths; cupy.core and cupy.cuda.curand are gone too, but Chainer 7.8.1 never uses them.
MOVED = {
    "cupy.cuda.cublas": "cupy_backends.cuda.libs.cublas",  # CuPy 13: a lazy attribute
    "cupy.util": "cupy._util",  # Chainer's fallback after `cupy._util`
}

# NVIDIA's pip wheels: package -> libraries, in load order (each may need the ones before).
WHEELS = {
    "nvidia.cublas": ["libcublasLt.so.12", "libcublas.so.12"],
    "nvidia.cuda_nvrtc": ["libnvrtc.so.12"],
    "nvidia.cudnn": ["libcudnn_ops_infer.so.8", "libcudnn_ops_train.so.8",
                     "libcudnn_cnn_infer.so.8", "libcudnn_cnn_train.so.8",
                     "libcudnn_adv_infer.so.8", "libcudnn_adv_train.so.8", "libcudnn.so.8"],
}

# CuPy and Chainer warn at `import chainer` that there is no NCCL or cuDNN (Chainer loads
# both bindings eagerly); aezoo says it once, and only when a GPU run needs them.
QUIET = r"\s*(nccl|cuDNN) library could not be loaded|cuDNN is not enabled"

installed = False
loaded = {}  # library file -> the CDLL, or the reason it failed (str)


class _BeforeChainer(importlib.abc.MetaPathFinder):
    """Runs install() when `chainer` is about to be imported, then steps aside."""

    def find_spec(self, name, path=None, target=None):
        if name == "chainer":
            sys.meta_path.remove(self)
            skip_environment_check()
            install()
        return None  # the normal finders import it


def skip_environment_check():
    """`from chainer import _environment_check; _environment_check.check()` (in Chainer's
    __init__) finds this module instead of Chainer's: its check does nothing."""
    if "chainer._environment_check" not in sys.modules:
        module = types.ModuleType("chainer._environment_check", "skipped by aezoo's "
                                  "gpu/cupy_compat.py: nothing it checks applies to aezoo")
        module.check = lambda: None
        sys.modules["chainer._environment_check"] = module


def install_before_chainer():
    """install() now if Chainer is imported already (a notebook), else just before it is."""
    if "chainer" in sys.modules:
        install()
    elif not any(isinstance(f, _BeforeChainer) for f in sys.meta_path):
        sys.meta_path.insert(0, _BeforeChainer())


def install():
    """Make Chainer find CuPy 13. Nothing happens when CuPy is not installed."""
    global installed
    if installed or importlib.util.find_spec("cupy") is None:
        return
    warnings.filterwarnings("ignore", message=QUIET, category=UserWarning)
    preload_wheels()
    try:
        import cupy.cuda  # noqa: F401  CuPy imports without a device or a CUDA library
    except Exception:  # a broken CuPy: Chainer finds the same error and quotes it
        return
    for old, new in MOVED.items():
        alias(old, new)
    installed = True
    reevaluate()


def preload_wheels():
    """Load the CUDA libraries of NVIDIA's wheels, globally, so that a later dlopen of the
    same soname (CuPy's bindings, cuDNN's own parts) takes them."""
    for package, names in WHEELS.items():
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        folders = list(spec.submodule_search_locations or []) if spec else []
        for name in names:
            found = [p for f in folders for p in glob.glob(os.path.join(f, "lib", name))]
            for path in found[:1]:
                if path not in loaded:
                    try:
                        loaded[path] = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
                    except OSError as e:
                        loaded[path] = str(e)


class Lazy(types.ModuleType):
    """A module that imports its target on first use: CuPy 13 loads libraries on demand."""

    def __init__(self, name, target):
        super().__init__(name, f"CuPy 13's {target}, imported when first used (aezoo.gpu.cupy_compat)")
        self.__target = target

    def __getattr__(self, key):
        if key.startswith("__") and key.endswith("__"):
            raise AttributeError(key)
        return getattr(importlib.import_module(self.__target), key)


def alias(old, new):
    """Make `import old`, `from parent import leaf` and `parent.leaf` reach `new`."""
    parent, _, leaf = old.rpartition(".")
    module = importlib.import_module(parent)
    if leaf in vars(module) and old in sys.modules:
        return
    if new.startswith("cupy_backends.cuda.libs."):  # a CUDA library's binding: on first use
        target = Lazy(old, new)
    else:
        target = importlib.import_module(new)
    sys.modules[old] = target
    setattr(module, leaf, target)


def availability_statements(tree):
    """The top-level statements of a module that decide on CuPy: `try: import cupy...` and
    `if [cuda.]available` / `if cuda.cudnn_enabled ...` blocks."""
    for node in tree.body:
        if isinstance(node, ast.Try) and any(
                isinstance(n, (ast.Import, ast.ImportFrom)) and "cupy" in ast.unparse(n)
                for s in node.body for n in ast.walk(s)):
            yield node
        elif isinstance(node, ast.If) and any(
                isinstance(n, (ast.Name, ast.Attribute)) and
                (getattr(n, "id", None) or getattr(n, "attr", None)) in ("available", "cudnn_enabled")
                for n in ast.walk(node.test)):
            yield node


def reevaluate():
    """When Chainer was imported before aezoo (a notebook may do that), it has decided that
    CuPy is unusable: run again, in place, its module-level decisions about CuPy, first in
    chainer.backends.cuda, then in every loaded Chainer and ChainerMN module."""
    cuda = sys.modules.get("chainer.backends.cuda")
    if cuda is None or cuda.available:
        return
    modules = [cuda] + sorted({id(m): m for name, m in list(sys.modules.items())
                               if m is not None and m is not cuda and
                               name.split(".")[0] in ("chainer", "chainermn") and
                               str(getattr(m, "__file__", "")).endswith(".py")}.values(),
                              key=lambda m: m.__name__)
    for module in modules:
        with open(module.__file__) as f:
            tree = ast.parse(f.read())
        body = list(availability_statements(tree))
        if body:
            code = compile(ast.Module(body=body, type_ignores=[]), module.__file__, "exec")
            exec(code, vars(module))
        if module is cuda and not cuda.available:
            return  # CuPy is still unusable: nothing else changes


def cuda_runtime():
    from cupy_backends.cuda.api import runtime
    return runtime


def version(number):
    """12090 -> '12.9'."""
    return f"{number // 1000}.{number % 1000 // 10}"


def problem(device_id=0):
    """None when GPU `device_id` can run aezoo, else one line saying why not: CuPy, the
    driver, the device, or a CUDA library, in that order."""
    import chainer
    cuda = chainer.backends.cuda
    if importlib.util.find_spec("cupy") is None:
        return "CuPy is not installed (pip install 'aezoo[gpu]' on a CUDA machine)"
    if not cuda.available:
        return f"Chainer cannot use CuPy: {getattr(cuda, '_resolution_error', 'unknown reason')}"
    runtime = cuda_runtime()
    try:
        count = runtime.getDeviceCount()
    except runtime.CUDARuntimeError as e:
        return no_device(runtime, e)
    if count == 0:
        return "no CUDA device: the NVIDIA driver sees no GPU"
    if device_id >= count:
        return f"no GPU {device_id}: this machine has {count} (0 to {count - 1})"
    for what, check in (("cuBLAS", "cupy_backends.cuda.libs.cublas"),):
        try:
            importlib.import_module(check)
        except ImportError as e:
            return (f"CuPy cannot load {what} ({e}): install a CUDA 12 toolkit or "
                    f"pip install 'aezoo[gpu]'")
    try:
        from cupy.cuda import nvrtc
        nvrtc.getVersion()
    except Exception as e:  # CuPy compiles its kernels with NVRTC
        return f"CuPy cannot load NVRTC ({e}): pip install nvidia-cuda-nvrtc-cu12"
    return None


def no_device(runtime, error):
    """The line for a CUDA runtime that cannot reach any GPU."""
    text = str(error)
    if "InsufficientDriver" in text:
        driver = runtime.driverGetVersion()
        if driver == 0:
            return "no CUDA device: the NVIDIA driver is not loaded"
        return (f"no CUDA device: the NVIDIA driver supports CUDA {version(driver)}, CuPy "
                f"needs {version(runtime.runtimeGetVersion())}; update the driver")
    if "NoDevice" in text:
        return "no CUDA device: the NVIDIA driver sees no GPU"
    return f"no CUDA device: {text}"


said = False


def settle_cudnn(say=None):
    """Where cuDNN cannot be loaded, run with use_cudnn = "never" (CuPy's own kernels) and
    say so once; the run goes on."""
    global said
    import chainer
    cuda = chainer.backends.cuda
    if cuda.cudnn_enabled:
        return True
    chainer.global_config.use_cudnn = "never"
    if not said:
        said = True
        why = "turned off by CHAINER_CUDNN=0" if getattr(cuda, "_cudnn_disabled_by_user", False) \
            else f"not found ({getattr(cuda, '_resolution_error', 'unknown reason')})"
        line = (f"aezoo: cuDNN {why}; convolutions and pooling use CuPy's own kernels "
                f"(use_cudnn = never). pip install 'aezoo[gpu]' brings cuDNN 8.9")
        (say or (lambda text: print(text, file=sys.stderr)))(line)
    return False
