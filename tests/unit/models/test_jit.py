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
