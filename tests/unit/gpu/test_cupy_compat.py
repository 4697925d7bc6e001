"""The CuPy 13 audit, on a machine without a GPU (make test installs cupy-cuda12x for it).

Every aezoo path that could run on a GPU runs here on the CPU, with aezoo's own kernels off
(a GPU takes Chainer's functions): each model's update with Adam and with RMSprop, its
evaluation, a growth, the serializers, and ChainerMN's pure_nccl communicator as far as a
machine without NCCL goes. The Chainer and ChainerMN modules whose functions ran are read
(AST), every `cupy.…` name they use is resolved through their imports and aliases (`cuda.cupy`,
`cuda.cudnn`, `cp`, `from cupy.cuda import nccl`...), and each must exist in CuPy 13 after
aezoo.gpu.cupy_compat's mapping: in the imported module, or, for a binding whose CUDA library is
absent here (cuDNN, NCCL), in its source or its binary's names. Nothing is listed by hand.
"""
import ast
import importlib
import importlib.util
import os
import re
import subprocess
import sys
import textwrap
import types

import chainer
import numpy as np
import pytest

cupy = pytest.importorskip("cupy", reason="CuPy is not installed (make test installs cupy-cuda12x)")

from aezoo.models import MODELS, fast  # noqa: E402
from aezoo.gpu import cupy_compat  # noqa: E402
from aezoo.run import main as run_main  # noqa: E402
from aezoo.train.build import build_model, default_config, resolve  # noqa: E402
from aezoo.train.optimizers import build_optimizer  # noqa: E402

TOPS = ("cupy", "cupyx", "cupy_backends")
# What each path of the issue leaves among the modules that ran (a check of the runs' reach).
PATHS = {
    "Linear": "chainer.functions.connection.linear",
    "Convolution2D": "chainer.functions.connection.convolution_2d",
    "Deconvolution (convolution's gradient)": "chainer.functions.connection.deconvolution_2d",
    "max-pooling": "chainer.functions.pooling.max_pooling_nd",
    "unpooling": "chainer.functions.pooling.unpooling_2d",
    "relu": "chainer.functions.activation.relu",
    "sigmoid": "chainer.functions.activation.sigmoid",
    "tanh": "chainer.functions.activation.tanh",
    "hard_sigmoid (Keras's, a clip)": "chainer.functions.math.clip",
    "BCE (softplus)": "chainer.functions.activation.softplus",
    "MSE (square)": "chainer.functions.math.square",
    "GRU recurrence (matmul)": "chainer.functions.math.matmul",
    "Adam": "chainer.optimizers.adam",
    "RMSprop": "chainer.optimizers.rmsprop",
    "serializers": "chainer.serializers.npz",
    "pure_nccl": "chainermn.communicators.pure_nccl_communicator",
}
VARIANTS = {"gru": [{}, {"recurrent_activation": "sigmoid"}, {"mode": "seq2seq"}]}


def cpu_runs(folder):
    """The files of every Chainer function that ran on aezoo's paths."""
    import chainermn
    ran = set()

    def profile(frame, event, arg):  # functions only (CO_OPTIMIZED), not module or class bodies
        if event == "call" and frame.f_code.co_flags & 1:
            ran.add(frame.f_code.co_filename)
    sys.setprofile(profile)
    try:
        for name in MODELS:
            for options in VARIANTS.get(name, [{}]):
                for optimizer in ("adam", "rmsprop"):
                    cfg = default_config(name)
                    for key, value in dict(options, optimizer=optimizer).items():
                        setattr(cfg, key, value)
                    cfg = resolve(cfg, set(options) | {"optimizer"})
                    shape = (5, 3) if name == "gru" else (8, 8)
                    model = build_model(cfg, shape, np.random.default_rng(0))
                    opt = build_optimizer(cfg, model)
                    x = np.random.RandomState(0).rand(4, *shape).astype(np.float32)
                    with fast.enabled(False):
                        loss = model(x)
                        model.cleargrads()
                        loss.backward()
                        opt.update()
                        with chainer.using_config("train", False), chainer.no_backprop_mode():
                            model.reconstruct(x)
                    path = os.path.join(folder, "model.npz")
                    chainer.serializers.save_npz(path, model)
                    chainer.serializers.load_npz(path, model)
        with fast.enabled(False):  # a whole run: the loop, a growth, checkpoints
            assert run_main(["deep", "--data", "digits", "--epochs", "2", "--grow-every", "1",
                             "--hidden", "16", "--code-dim", "4", "--no-video", "--quiet",
                             "--out", os.path.join(folder, "run")]) == 0
        try:
            chainermn.create_communicator("pure_nccl")
        except RuntimeError:  # "requires NCCL 2.0+, but NCCL is not available": no NCCL here
            pass
    finally:
        sys.setprofile(None)
    return {id(m): m for name, m in list(sys.modules.items())
            if m is not None and name.split(".")[0] in ("chainer", "chainermn")
            and getattr(m, "__file__", None) in ran}


class Source:
    """A module's AST and its local names that stand for CuPy or for another module."""

    def __init__(self, module):
        self.name = module.__name__
        with open(module.__file__) as f:
            self.tree = ast.parse(f.read())
        self.names, self.imported = {}, set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    top = a.name.split(".")[0]
                    if top in TOPS:
                        self.imported.add(a.name)
                        self.names[a.asname or top] = ("cupy", a.name if a.asname else top)
                    else:
                        self.names[a.asname or top] = ("module", a.name if a.asname else top)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if node.module.split(".")[0] in TOPS:
                        self.imported.add(node.module if a.name == "*" else full)
                        self.names[a.asname or a.name] = ("cupy", full)
                    elif sys.modules.get(full) is not None:
                        self.names[a.asname or a.name] = ("module", full)
        self.assigned = {}  # module-level `name = expr` (also inside if/try): cudnn = cuda.cudnn
        for node in self.tree.body:
            for n in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
                if isinstance(n, ast.Assign):
                    for target in n.targets:
                        if isinstance(target, ast.Name) and chain(n.value):
                            self.assigned.setdefault(target.id, chain(n.value))


SOURCES = {}


def source(name):
    module = sys.modules.get(name)
    if module is None or not str(getattr(module, "__file__", "")).endswith(".py"):
        return None
    if module.__name__ not in SOURCES:
        SOURCES[module.__name__] = Source(module)
    return SOURCES[module.__name__]


def chain(node):
    """['cuda', 'cupy', 'cuda', 'Stream'] for cuda.cupy.cuda.Stream, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return [node.id] + parts[::-1] if isinstance(node, ast.Name) else None


def cupy_name(module_name, parts, depth=0):
    """The dotted CuPy name that `parts` stands for in that module, or None."""
    src = source(module_name)
    if src is None or depth > 6:
        return None
    head, rest = parts[0], parts[1:]
    if head not in src.names:
        alias = src.assigned.get(head)
        found = alias and alias != [head] and cupy_name(module_name, alias, depth + 1)
        return found and found + rest
    kind, target = src.names[head]
    if kind == "cupy":
        return target.split(".") + rest
    while rest and sys.modules.get(f"{target}.{rest[0]}") is not None:  # into submodules
        target, rest = f"{target}.{rest[0]}", rest[1:]
    if not rest or sys.modules.get(target) is None:
        return None
    return cupy_name(sys.modules[target].__name__, rest, depth + 1)


def names_used(src):
    found = set(src.imported)
    inner = {id(c) for node in ast.walk(src.tree) if isinstance(node, ast.Attribute)
             for c in ast.iter_child_nodes(node) if isinstance(c, ast.Attribute)}
    for node in ast.walk(src.tree):
        if isinstance(node, (ast.Attribute, ast.Name)) and id(node) not in inner and chain(node):
            name = cupy_name(src.name, chain(node))
            if name and name[0] in TOPS:
                found.add(".".join(name))
    return found


def static_names(module_name):
    """The names a module defines, read without importing it: its module-level source (star
    imports followed; not a lazy __getattr__), or the identifiers in an extension's binary (a Cython binding whose CUDA
    library is not on this machine)."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.origin:
        return set()
    if spec.origin.endswith(".py"):
        with open(spec.origin) as f:
            tree = ast.parse(f.read())
        names, body = set(), list(tree.body)
        for node in body:  # module level, into if/try blocks, never into a function
            if isinstance(node, (ast.If, ast.Try)):
                body += node.body + node.orelse + getattr(node, "finalbody", []) + \
                    [s for h in getattr(node, "handlers", []) for s in h.body]
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    names |= static_names(node.module) if a.name == "*" else {a.asname or a.name}
        return names
    with open(spec.origin, "rb") as f:
        return {w.decode() for w in re.findall(rb"[A-Za-z_][A-Za-z0-9_]*", f.read())}


def resolve_in_cupy(dotted):
    """(how, None) when CuPy 13 has the name: 'imported' (found in the live module) or
    'static' (in the source or binary of a binding whose library is absent); (None, why)
    when it does not. A module's __getattr__ is never asked: it may load a library."""
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], 1):
        here, rest = ".".join(parts[:i]), parts[i + 1:]
        if isinstance(obj, cupy_compat.Lazy):  # a mapped binding: what its target defines
            return static(obj._Lazy__target, [part] + rest)
        if isinstance(obj, types.ModuleType):
            if part in vars(obj):
                obj = vars(obj)[part]
                continue
            sub = f"{obj.__name__}.{part}"
            if hasattr(obj, "__path__") and importlib.util.find_spec(sub):
                try:
                    obj = importlib.import_module(sub)
                    continue
                except ImportError:  # its CUDA library is not here
                    return static(sub, rest)
            return static(obj.__name__, [part] + rest)
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return None, f"{here} has no {part}"
    if isinstance(obj, cupy_compat.Lazy):
        return static(obj._Lazy__target, [])
    return "imported", None


def static(module, rest):
    if importlib.util.find_spec(module) is None:
        return None, f"CuPy 13 has no {module}"
    if not rest or rest[0] in static_names(module):
        return "static", None
    return None, f"{module} has no {rest[0]}"


def audit(modules):
    """({cupy name: how found}, {cupy name: why missing}) over the modules' sources."""
    used = {}
    for module in modules.values():
        src = source(module.__name__)
        for name in names_used(src) if src else ():
            used.setdefault(name, set()).add(module.__name__)
    found, missing = {}, {}
    for name in sorted(used):
        how, why = resolve_in_cupy(name)
        if how:
            found[name] = how
        else:
            missing[name] = f"{why} (used by {', '.join(sorted(used[name]))})"
    return found, missing


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    return cpu_runs(tmp_path_factory.mktemp("runs"))


def test_chainer_sees_cupy_13():
    assert cupy.__version__.startswith("13."), cupy.__version__
    assert chainer.backends.cuda.available, getattr(chainer.backends.cuda, "_resolution_error", "")
    assert chainer.backends.cuda.cupy is cupy


def test_the_cpu_runs_reach_every_path_of_the_issue(ran):
    names = {m.__name__ for m in ran.values()}
    assert not [path for path, module in PATHS.items() if module not in names]


def test_every_cupy_name_on_aezoo_paths_exists_in_cupy_13(ran, capsys):
    found, missing = audit(ran)
    assert not missing, "\n".join(f"{k}: {v}" for k, v in missing.items())
    assert len(found) > 40
    assert all(any(n == old or n.startswith(old + ".") for n in found) for old in cupy_compat.MOVED)
    with capsys.disabled():
        static = sorted(k for k, v in found.items() if v == "static")
        print(f"\naudit: {len(ran)} Chainer/ChainerMN modules ran, {len(found)} cupy names, "
              f"{len(found) - len(static)} found imported, {len(static)} read from a binding "
              f"whose library is absent here; {len(cupy_compat.MOVED)} mapped")


@pytest.mark.parametrize("old", sorted(cupy_compat.MOVED))
def test_the_audit_fails_without_each_mapping(ran, monkeypatch, old):
    parent, _, leaf = old.rpartition(".")
    monkeypatch.delitem(sys.modules, old)
    monkeypatch.delattr(importlib.import_module(parent), leaf)
    found, missing = audit(ran)
    assert any(name == old or name.startswith(old + ".") for name in missing), missing


def test_kernels_and_cudnn_bindings_exist_without_a_device():
    kernels = [cupy.ElementwiseKernel("T x", "T y", "y = x * 2", "aezoo_double"),
               cupy.ReductionKernel("T x", "T y", "x", "a + b", "y = a", "0", "aezoo_sum"),
               cupy.RawKernel(r'extern "C" __global__ void k(float* x) { x[0] = 1; }', "k")]
    assert [type(k).__name__ for k in kernels] == ["ElementwiseKernel", "ReductionKernel", "RawKernel"]
    spec = importlib.util.find_spec("cupy_backends.cuda.libs.cudnn")
    assert spec is not None
    names = static_names("cupy_backends.cuda.libs.cudnn")
    assert {"getVersion", "CUDNN_ACTIVATION_RELU", "CUDNN_POOLING_MAX"} <= names
    with open(spec.origin, "rb") as f:
        assert b"libcudnn.so.8" in f.read()  # what the loader must find: docs/gpu.md


def test_the_lazy_cublas_loads_its_library_only_when_used():
    from cupy.cuda import cublas
    assert isinstance(cublas, cupy_compat.Lazy) and sys.modules["cupy.cuda.cublas"] is cublas
    try:
        importlib.import_module("cupy_backends.cuda.libs.cublas")
    except ImportError as e:  # no cuBLAS here: the error comes at first use, naming it
        with pytest.raises(ImportError, match="libcublas"):
            cublas.CUBLAS_OP_N
        assert "libcublas" in str(e)
    else:
        assert cublas.CUBLAS_OP_N == 0


def run_python(code):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


def test_the_mapping_waits_for_chainer_so_aezoo_alone_stays_light():
    done = run_python("""
        import sys
        import aezoo
        light = "cupy" not in sys.modules and "numpy" not in sys.modules
        import chainer
        from chainer.backends import cuda
        print(light, cuda.available)
    """)
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_chainer_imported_before_aezoo_is_evaluated_again():
    done = run_python("""
        import chainer, chainer.functions
        from chainer.backends import cuda
        import chainer.functions.activation.relu as relu
        before = (cuda.available, hasattr(relu, "_relu_grad2_kernel"))
        import aezoo
        print(before, (cuda.available, hasattr(relu, "_relu_grad2_kernel")))
    """)
    assert done.stdout.split() == ["(False,", "False)", "(True,", "True)"], done.stderr


def test_without_cupy_nothing_changes():
    done = run_python("""
        import sys
        sys.modules["cupy"] = None  # as if CuPy were not installed
        import importlib.util
        importlib.util.find_spec = lambda name, *a, _f=importlib.util.find_spec: \\
            None if name.split(".")[0] == "cupy" else _f(name, *a)
        import aezoo, chainer
        from aezoo.gpu import cupy_compat
        print(cupy_compat.installed, chainer.backends.cuda.available, "cupy.cuda.cublas" in sys.modules,
              cupy_compat.loaded == {})
    """)
    assert done.stdout.split() == ["False", "False", "False", "True"], done.stderr


def test_device_0_without_a_driver_is_one_line_about_the_driver(tmp_path):
    done = subprocess.run([sys.executable, "-m", "aezoo.run", "simple", "--data", "digits",
                           "--epochs", "1", "--device", "0", "--out", str(tmp_path / "run")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    reason = cupy_compat.problem(0)
    assert lines[0] == f"aezoo run: error: --device 0: {reason}; or use --device cpu"
    assert "CuPy" not in lines[0] and "driver" in lines[0]
    assert not (tmp_path / "run").exists()


class FakeRuntime:
    class CUDARuntimeError(RuntimeError):
        pass

    def __init__(self, count=None, error=None, driver=0, runtime=12090):
        self.count, self.error, self.driver, self.runtime = count, error, driver, runtime

    def getDeviceCount(self):
        if self.error:
            raise self.CUDARuntimeError(self.error)
        return self.count

    def driverGetVersion(self):
        return self.driver

    def runtimeGetVersion(self):
        return self.runtime


@pytest.mark.parametrize("runtime, device, expected", [
    (FakeRuntime(error="cudaErrorInsufficientDriver: CUDA driver version is insufficient"), 0,
     "no CUDA device: the NVIDIA driver is not loaded"),
    (FakeRuntime(error="cudaErrorInsufficientDriver: ...", driver=11080), 0,
     "no CUDA device: the NVIDIA driver supports CUDA 11.8, CuPy needs 12.9; update the driver"),
    (FakeRuntime(error="cudaErrorNoDevice: no CUDA-capable device is detected"), 0,
     "no CUDA device: the NVIDIA driver sees no GPU"),
    (FakeRuntime(count=0), 0, "no CUDA device: the NVIDIA driver sees no GPU"),
    (FakeRuntime(count=2), 3, "no GPU 3: this machine has 2 (0 to 1)"),
])
def test_the_line_names_the_driver_or_the_device(monkeypatch, runtime, device, expected):
    monkeypatch.setattr(cupy_compat, "cuda_runtime", lambda: runtime)
    assert cupy_compat.problem(device) == expected


def test_the_line_names_a_missing_cuda_library(monkeypatch):
    monkeypatch.setattr(cupy_compat, "cuda_runtime", lambda: FakeRuntime(count=1))
    real = importlib.import_module

    def without_cublas(name, *args):
        if name == "cupy_backends.cuda.libs.cublas":
            raise ImportError("libcublas.so.12: cannot open shared object file")
        return real(name, *args)
    monkeypatch.setattr(importlib, "import_module", without_cublas)
    assert cupy_compat.problem(0).startswith("CuPy cannot load cuBLAS (libcublas.so.12: cannot open")


def test_when_chainer_cannot_use_cupy_the_line_quotes_why(monkeypatch):
    cuda = chainer.backends.cuda
    monkeypatch.setattr(cuda, "available", False)
    monkeypatch.setattr(cuda, "_resolution_error", ImportError("libfoo.so.1: missing"), raising=False)
    assert cupy_compat.problem(0) == "Chainer cannot use CuPy: libfoo.so.1: missing"


def test_without_cudnn_a_run_uses_never_and_says_so_once(monkeypatch):
    cuda = chainer.backends.cuda
    monkeypatch.setattr(cuda, "cudnn_enabled", False)
    monkeypatch.setattr(cupy_compat, "said", False)
    monkeypatch.setattr(chainer.global_config, "use_cudnn", "auto")
    lines = []
    assert cupy_compat.settle_cudnn(lines.append) is False
    assert cupy_compat.settle_cudnn(lines.append) is False
    assert chainer.config.use_cudnn == "never"
    assert len(lines) == 1 and "cuDNN" in lines[0] and "use_cudnn = never" in lines[0]
    monkeypatch.setattr(cuda, "cudnn_enabled", True)
    monkeypatch.setattr(chainer.global_config, "use_cudnn", "auto")
    assert cupy_compat.settle_cudnn(lines.append) is True and chainer.config.use_cudnn == "auto"


def test_wheel_libraries_are_found_in_the_nvidia_package_and_a_bad_one_does_not_stop_aezoo(
        tmp_path, monkeypatch):
    lib = tmp_path / "nvidia" / "cudnn" / "lib"
    lib.mkdir(parents=True)
    (tmp_path / "nvidia" / "cudnn" / "__init__.py").write_text("")
    (lib / "libcudnn.so.8").write_bytes(b"not a library")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [n for n in sys.modules if n == "nvidia" or n.startswith("nvidia.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(cupy_compat, "loaded", {})
    monkeypatch.setattr(cupy_compat, "WHEELS", {"nvidia.cudnn": ["libcudnn.so.8"]})
    cupy_compat.preload_wheels()
    assert list(cupy_compat.loaded) == [str(lib / "libcudnn.so.8")]
    assert isinstance(cupy_compat.loaded[str(lib / "libcudnn.so.8")], str)  # the reason, not a crash


def test_chainer_imports_without_its_environment_check():
    """Chainer's import-time check (numpy.distutils, pkg_resources asked for 17 packages)
    is skipped; Chainer works without it."""
    code = ("import sys, aezoo, chainer, chainer.functions as F, numpy as np\n"
            "assert float(F.relu(np.array([-1.0, 2.0], 'f')).array.sum()) == 2.0\n"
            "print(sorted(m for m in ('pkg_resources', 'numpy.distutils') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.strip() == "[]", found.stderr[-2000:]
