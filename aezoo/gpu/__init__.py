"""aezoo on a GPU: CuPy 13 under Chainer 7.8.1 (docs/gpu.md).

    cupy_compat.py  maps CuPy 13's modules to the names Chainer 7.8.1 imports, preloads
                    NVIDIA's wheels, and says in one line why a GPU cannot be used

`import aezoo` installs it before Chainer is imported; train/device.py asks it about a
device. Imports nothing of aezoo; it alone (with the command registry) imports by name.
"""
