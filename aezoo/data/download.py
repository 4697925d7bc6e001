"""Download a file once, verify its MD5, and only then move it into place; where the
downloads (and the decoded image folders, data/image_cache.py) are kept."""
import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request

from tqdm import tqdm

from aezoo.data import remarks
from aezoo.errors import UsageError

TIMEOUT = 30  # seconds without an answer before trying the next mirror


def cache_dir():
    """Where downloads live: $AEZOO_CACHE, else $XDG_CACHE_HOME/aezoo, else ~/.cache/aezoo."""
    if os.environ.get("AEZOO_CACHE"):
        return os.environ["AEZOO_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "aezoo")


def fetch(urls, dest, md5, hint):
    """Download the first of `urls` that answers into `dest`, checking `md5`.

    A mirror that cannot be reached is skipped; when none answers the error
    names `hint` (what to do offline). A checksum mismatch is an error at once:
    the partial file is deleted and `dest` is never written.
    """
    try:
        os.makedirs(os.path.dirname(dest), exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot create the download cache {os.path.dirname(dest)} ({e}); "
                         f"set AEZOO_CACHE to a writable folder. {hint}")
    failures = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                _save_verified(response, url, dest, md5)
            return dest
        except (urllib.error.URLError, OSError) as e:
            failures.append(f"{url}: {getattr(e, 'reason', e)}")
    raise UsageError(f"cannot download ({'; '.join(failures)}); offline? {hint}")


def _save_verified(response, url, dest, md5):
    digest = hashlib.md5()
    size = int(response.headers.get("Content-Length") or 0) or None
    received = 0
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix=".download-")
    try:
        with os.fdopen(fd, "wb") as out, tqdm(total=size, unit="B", unit_scale=True,
                                             desc=os.path.basename(dest), file=sys.stderr,
                                             leave=False, disable=remarks.bar_off()) as bar:
            for block in iter(lambda: response.read(1 << 16), b""):
                out.write(block)
                digest.update(block)
                bar.update(len(block))
                received += len(block)
        if size is not None and received != size:  # the mirror hung up: try the next one
            raise ConnectionError(f"connection closed after {received} of {size} bytes")
        if digest.hexdigest() != md5:
            raise UsageError(f"{url}: checksum mismatch (got MD5 {digest.hexdigest()}, "
                             f"expected {md5}); nothing was saved")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
