"""File formats: IDX (gz or plain), .npy and .npz, read into arrays with clear errors."""
import gzip
import hashlib
import math
import os
import zipfile
import zlib

import numpy as np

from aezoo.errors import UsageError

# The largest array read from a file unless AEZOO_MAX_ARRAY_BYTES says otherwise.
DEFAULT_MAX_ARRAY_BYTES = 4 << 30


def md5_of(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_idx(path):
    """An IDX file of uint8 images (gz or plain) as float32 (N, H, W) in [0, 1]."""
    return _read_idx(path, (2, 3)).astype(np.float32) / 255.0


def read_labels(path):
    """An IDX file of uint8 labels (N,), such as MNIST's t10k-labels-idx1-ubyte.gz, as int64."""
    return _read_idx(path, (1,)).astype(np.int64)


def _read_idx(path, ranks):
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file")
    except (OSError, EOFError, zlib.error) as e:
        raise UsageError(f"{path}: not a readable gzip file ({e})")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise UsageError(f"{path}: not an IDX file (bad magic number)")
    dtype_code, ndim = raw[2], raw[3]
    if dtype_code != 0x08 or ndim not in ranks:
        what = "labels (type 0x08, 1 dim)" if ranks == (1,) else "images (type 0x08, 2 or 3 dims)"
        raise UsageError(f"{path}: expected an IDX file of uint8 {what}, "
                         f"got type 0x{dtype_code:02x} with {ndim} dims")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise UsageError(f"{path}: truncated IDX header")
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    expected = header + math.prod(dims)  # Python ints: dims that overflow int64 cannot wrap
    if len(raw) != expected:
        raise UsageError(f"{path}: truncated or padded IDX file: dims {dims} need {expected} bytes, "
                         f"file has {len(raw)}")
    if 0 in dims:
        raise UsageError(f"{path}: empty IDX file (dims {dims})")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def read_npy(path):
    """A .npy array of shape (N, H, W), (N, H, W, C) or (N, D) as float32: uint8 scaled to
    [0, 1], floats as they are (the Dataset records their range). A 4-D array is images,
    channels last, with C = 3 (colour) or 1 (gray: read as (N, H, W), as a gray run is)."""
    try:
        # Mapped, not read: a header that claims more than the file holds fails here,
        # before anything that large is allocated.
        array = np.load(path, allow_pickle=False, mmap_mode="r")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file")
    except (ValueError, OSError, EOFError) as e:
        raise UsageError(f"{path}: not a readable .npy file ({e})")
    if not isinstance(array, np.ndarray):  # an .npz archive under another name
        array.close()
        raise UsageError(f"{path}: an .npz archive, not a single .npy array")
    if array.ndim not in (2, 3, 4) or (array.ndim == 4 and array.shape[-1] not in (1, 3)):
        raise UsageError(f"{path}: expected an array of shape (N, H, W), (N, H, W, C) with "
                         f"C = 1 or 3 channels last, or (N, D); got {array.shape}")
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.size == 0:
        raise UsageError(f"{path}: empty array of shape {array.shape}")
    if array.size * 4 > max_array_bytes():  # read as float32
        raise UsageError(f"{path}: an array of shape {array.shape} is {array.size * 4} bytes as "
                         f"float32, over the limit of {max_array_bytes()} (set "
                         f"AEZOO_MAX_ARRAY_BYTES to raise it)")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise UsageError(f"{path}: expected a real numeric array, got dtype {array.dtype}")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise UsageError(f"{path}: contains NaN or infinite values")
    return array


def max_array_bytes():
    """The largest array aezoo reads from a file, in bytes: 4 GiB, or AEZOO_MAX_ARRAY_BYTES."""
    value = os.environ.get("AEZOO_MAX_ARRAY_BYTES", "")
    try:
        return int(value) if value else DEFAULT_MAX_ARRAY_BYTES
    except ValueError:
        raise UsageError(f"AEZOO_MAX_ARRAY_BYTES={value!r}: expected a whole number of bytes")


def read_npz(path, where=""):
    """{name: array} of an .npz archive (no pickle); `where` prefixes the error ("--flag ").

    Each member's .npy header is read first: the size it declares must be what the zip says
    the member holds, and within max_array_bytes(), before anything is allocated or
    decompressed. A zip member is never read past the size the zip declares."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise UsageError(f"{where}{path}: no such file")
    except IsADirectoryError:
        raise UsageError(f"{where}{path}: a folder, not an .npz file")
    except zipfile.BadZipFile:
        raise UsageError(f"{where}{path}: not a readable .npz file ({_what_it_is(path)}; an "
                         f".npz is a zip of .npy arrays, as numpy.savez writes)")
    except OSError as e:
        raise UsageError(f"{where}{path}: cannot be read ({e.strerror or e})")
    try:
        with archive:
            return {info.filename[:-4]: _member(archive, info, f"{where}{path}")
                    for info in archive.infolist()}
    except UsageError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error,
            NotImplementedError) as e:
        raise UsageError(f"{where}{path}: not a readable .npz file ({e})")


def _what_it_is(path):
    try:
        with open(path, "rb") as f:
            start = f.read(6)
    except OSError:
        return "not readable"
    return "a single .npy array" if start == b"\x93NUMPY" else "not a zip file"


def _member(archive, info, where):
    """One member's array, after its header's shape is checked against its size."""
    name = info.filename
    if not name.endswith(".npy"):
        raise UsageError(f"{where}: member {name!r} is not an .npy array")
    limit = max_array_bytes()
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        shape, fortran, dtype = np.lib.format._read_array_header(f, version)
        if dtype.hasobject:
            raise UsageError(f"{where}: {name} holds Python objects (pickled data), which aezoo "
                             f"never loads")
        declared = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
        if f.tell() + declared != info.file_size:
            raise UsageError(f"{where}: {name} declares shape {shape} of {dtype} "
                             f"({declared} bytes) but holds {info.file_size - f.tell()} bytes")
        if declared > limit:
            raise UsageError(f"{where}: {name} of shape {shape} is {declared} bytes, over the "
                             f"limit of {limit} (set AEZOO_MAX_ARRAY_BYTES to raise it)")
        array = np.empty(shape, dtype, order="F" if fortran else "C")
        view = memoryview(array.reshape(-1, order="A")).cast("B")
        done = 0
        while done < declared:
            got = f.readinto(view[done:])
            if not got:
                raise EOFError(f"{name} ends after {done} of {declared} bytes")
            done += got
    return array
