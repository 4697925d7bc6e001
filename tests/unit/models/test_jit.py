"""models/jit.py: numba is loaded where a kernel first runs, never at start-up, and then with
the threading layer and thread count aezoo chose."""
import subprocess
import sys

import numpy as np

LOADED = "import sys; print('numba' in sys.modules)"


def python(code):
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_help_and_import_do_not_load_numba():
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "aezoo.run", "--help"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "--threads" in done.stdout
    assert "numba" not in done.stderr  # -X importtime lists every module imported
    # every module that holds a kernel imports without numba
    assert python("import aezoo.models.relu_kernel, aezoo.models.bce_kernel, "
                  "aezoo.models.conv_direct, aezoo.train.update_kernels, aezoo.train.optimizers; "
                  + LOADED) == ["False"]


def test_the_first_kernel_call_loads_numba_with_workqueue_and_the_threads_set_before():
    code = ("import numpy as np; from aezoo.models import jit, relu_kernel; import sys; "
            "jit.set_threads(1); before = 'numba' in sys.modules; "
            "x = np.linspace(-1, 1, 1 << 15, dtype=np.float32); y = np.empty_like(x); "
            "relu_kernel._forward(x, y); import numba; "
            "print(before, numba.threading_layer(), numba.get_num_threads(), "
            "bool((y == np.maximum(x, 0)).all()))")
    assert python(code) == ["False", "workqueue", "1", "True"]


def test_a_kernel_runs_as_plain_python_too():
    from aezoo.models import relu_kernel
    x = np.array([-2, 0, 3], np.float32)
    y = np.empty_like(x)
    relu_kernel._forward.python(x, y)  # what the tests of a kernel's logic may call
    assert y.tolist() == [0, 0, 3]


def test_every_kernel_calls_only_kernels_of_its_own_file():
    """numba's cache checks a kernel's own source file only: a helper from another file would
    stay compiled into it, old, after that file changed (gates.py says more)."""
    import importlib
    import pathlib

    import aezoo
    root = pathlib.Path(aezoo.__file__).parent
    files = [p for p in sorted(root.rglob("*.py"))
             if "jit.kernel(" in p.read_text() and p.name != "jit.py"]
    names = [".".join(("aezoo",) + p.relative_to(root).with_suffix("").parts) for p in files]
    modules = [importlib.import_module(name) for name in names]
    assert len(modules) >= 6  # gates, pool_direct, conv_direct, relu, bce, update_kernels
    checked = 0
    for module in modules:
        for kernel in [v for v in vars(module).values() if hasattr(v, "python")]:
            for name in kernel.python.__code__.co_names:
                called = kernel.python.__globals__.get(name)
                source = getattr(called, "python", None) or getattr(called, "py_func", None)
                if source is not None:  # a kernel (or, once compiled, numba's function)
                    assert source.__module__ == module.__name__, (kernel.__name__, name)
                    checked += 1
    assert checked >= 20
