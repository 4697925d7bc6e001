"""numba for aezoo's CPU kernels: loaded where a kernel is first called, compiled once a machine.

    from aezoo.models import jit

    prange = range                    # numba.prange once a kernel compiles

    @jit.kernel(parallel=True)
    def _relu(x, y):                  # a plain Python function, numba's subset
        for i in prange(x.size): ...
    _relu(x, y)                       # the first call imports numba and compiles (or loads
                                      # the cache); `aezoo run --help` never does
    jit.set_threads(2)                # the run's --threads: numba's threads too

A kernel may call another kernel: when it compiles, the names it calls that are kernels
are swapped for their numba functions, as prange is.

- **Lazy.** `import numba` costs about half a second and a kernel's first compile a second or
  more, so neither happens at import: `kernel` wraps the function, and numba loads and
  compiles it at the first call. `cache=True` keeps the machine code in `__pycache__` (or
  numba's user cache where that is read-only), so the compile is paid once a machine.
- **Threads.** `set_threads(n)` sets numba's thread count, as threadpoolctl sets the BLAS's;
  the run's `--threads`, a sweep's worker and each side of `aezoo bench` call it. Until then
  numba uses one thread a core, as OpenBLAS does.
- **Threading layer: workqueue**, numba's own, which needs no OpenMP or TBB library. Its
  threads wait on a condition, not spinning, between kernels, so they leave the cores to
  OpenBLAS's threads during the matrix products; the OpenMP layer's (GNU libgomp) spin
  for a while after each kernel, and on 2 cores that fights the BLAS (docs/speed.md). It
  is not safe to call from two Python threads at once: aezoo's kernels run on the training
  thread only (the checkpoint's writer thread only writes files).
- **np.dot in a kernel** calls scipy's BLAS (numba binds scipy.linalg.cython_blas), a
  library apart from numpy's. A kernel whose own threads each call it on their share
  (gates.py) wants it on one thread during the call:
  `with dot_blas_on_one_thread(): ...`.
- **Without numba** (`available()` is False) each kernel's caller keeps its numpy path.
"""
import contextlib
import functools
import os

LAYER = "workqueue"
_numba = None
_threads = None  # set_threads(n) before numba is loaded: applied when it is
_missing = False  # numba is not installed: every kernel's caller keeps its numpy path
_dot_blas = None  # threadpoolctl's controllers of scipy's BLAS (dot_blas_on_one_thread)


def available():
    """Whether numba can be used (it loads here, as a kernel is about to run)."""
    global _missing
    if _numba is None and not _missing:
        try:
            numba()
        except ImportError:
            _missing = True
    return not _missing


def numba():
    """The numba module, loaded and set up on first use."""
    global _numba
    if _numba is None:
        os.environ.setdefault("NUMBA_THREADING_LAYER", LAYER)
        import numba as loaded
        loaded.config.THREADING_LAYER = os.environ["NUMBA_THREADING_LAYER"]
        _numba = loaded
        if _threads is not None:
            set_threads(_threads)
    return _numba


def set_threads(n):
    """numba's threads for the kernels that run in parallel: at most its pool's size (one a
    core unless NUMBA_NUM_THREADS says otherwise)."""
    global _threads
    _threads = max(1, int(n))
    if _numba is not None:
        _numba.set_num_threads(min(_threads, _numba.config.NUMBA_NUM_THREADS))


@contextlib.contextmanager
def dot_blas_on_one_thread():
    """For a kernel's call: the BLAS that numba's np.dot calls (scipy's; loaded here) on one
    thread, since the kernel's own threads split the work; then back to its count, so the
    rest of the process (a notebook's own SciPy) keeps its threads. Two ctypes calls, cheap
    enough around every call, so no threadpoolctl limit on every BLAS (a sweep's job,
    --threads) can undo it. Where scipy's BLAS is numpy's own library (a build that shares
    it) nothing is changed."""
    global _dot_blas
    if _dot_blas is None:
        _dot_blas = _scipys_own_blas()
    counts = [lib.num_threads for lib in _dot_blas]
    for lib in _dot_blas:
        lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, count in zip(_dot_blas, counts):
            lib.set_num_threads(count)


def _scipys_own_blas():
    """threadpoolctl's controllers of the BLAS libraries scipy ships in its own folders
    (site-packages/scipy.libs, scipy/.dylibs), loaded by numba's np.dot; none where scipy
    uses a library of the system's or of numpy's (a conda install shares one)."""
    import scipy
    import scipy.linalg.cython_blas  # noqa: F401  numba's np.dot binds this library
    import threadpoolctl
    home = os.path.realpath(os.path.dirname(scipy.__file__))  # .../site-packages/scipy
    return [lib for lib in threadpoolctl.ThreadpoolController().lib_controllers
            if lib.user_api == "blas" and os.path.realpath(lib.filepath).startswith(home)]


def threads():
    """numba's thread count now (the one set_threads asked for before numba loads)."""
    if _numba is None:
        return _threads or os.cpu_count()
    return _numba.get_num_threads()


def kernel(**options):
    """A decorator: the function compiled by numba.njit(cache=True, fastmath=False, **options)
    at its first call."""
    def wrap(fn):
        compiled = None

        def dispatcher():
            """numba's compiled function (compiled at the first ask); a kernel that calls
            another kernel calls this."""
            nonlocal compiled
            if compiled is None:
                loaded = numba()
                if fn.__globals__.get("prange") is range:  # the module's stand-in for prange
                    fn.__globals__["prange"] = loaded.prange
                for name in fn.__code__.co_names:  # kernels it calls: their numba functions
                    helper = fn.__globals__.get(name)
                    if hasattr(helper, "dispatcher"):
                        fn.__globals__[name] = helper.dispatcher()
                compiled = loaded.njit(cache=True, **options)(fn)
            return compiled

        @functools.wraps(fn)
        def call(*args):
            return (dispatcher() if compiled is None else compiled)(*args)
        call.python = fn  # the plain function, for tests
        call.dispatcher = dispatcher
        return call
    return wrap
