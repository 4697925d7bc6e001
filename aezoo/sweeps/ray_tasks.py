"""A sweep's runs as tasks on a Ray cluster: `aezoo sweep FILE --ray ADDRESS|auto|local`.

    ray start --head --port 6379                 # on one machine
    ray start --address HEAD:6379                # on each of the others
    aezoo sweep FILE --ray HEAD:6379 --out /shared/sweep-x

aezoo never starts a cluster behind the user's back: ADDRESS and auto join one that
runs; `local` starts an embedded one on this machine for this sweep. Each run is a task
with num_cpus = its threads, retried (max_retries) when its worker or node dies: the
retry resumes from the run's last checkpoint. Run folders must be on a filesystem every
node sees: before anything trains, a task writes a marker into the sweep folder and the
driver must see it. A cluster with token authentication (Ray's default since 2.59) is joined
with the token where Ray keeps it; a refusal says why. Ray is the extra [ray]
(pip install 'aezoo[ray]').
"""
import contextlib
import os
import socket
import sys
import tempfile
import time
import uuid

from aezoo.errors import UsageError
from aezoo.sweeps.worker import STOP, work

POLL = 0.5


def connect(address):
    """Join the cluster at `address` (or start one for `local`); the ray module."""
    try:
        import ray
    except ImportError:
        raise UsageError("--ray needs Ray: pip install 'aezoo[ray]'")
    if ray.is_initialized():
        return ray
    options = dict(include_dashboard=False, log_to_driver=False, configure_logging=False)
    host, _, port = address.rpartition(":")
    if host and port.isdigit():  # ray.init waits minutes for a head that is not there
        try:
            socket.create_connection((host, int(port)), timeout=5).close()
        except OSError as e:
            raise UsageError(f"--ray {address}: no Ray head answers there ({e.strerror or e}); "
                             f"start one with `ray start --head --port {port}`, or use --ray local")
    if address == "local":
        try:
            ray.init(address="local", num_cpus=os.cpu_count(), **options)  # new, never joined
        except Exception as e:  # Ray raises a bare Exception when its node does not start
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise UsageError(f"--ray local: Ray could not start a cluster here ({first})")
        return ray
    use_token_if_any()
    with tempfile.TemporaryFile("w+") as said:  # Ray's C++ core writes its refusals to fd 2
        try:
            with stderr_to(said):
                ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError, ray.exceptions.RayError) as e:
            said.seek(0)
            raise UsageError(f"--ray {address}: {refusal(e, said.read())}")
        said.seek(0)
        sys.stderr.write(said.read())  # joined: Ray's own lines, if any, as it wrote them
    return ray


# Ray's token authentication (on by default since Ray 2.59 for a cluster that `ray start --head`
# or `ray.init()` started where a token exists): the token's places, in Ray's order.
TOKEN_PLACES = "RAY_AUTH_TOKEN, the file RAY_AUTH_TOKEN_PATH names, or ~/.ray/auth_token"


def token_source():
    """Where this machine's Ray token is (as Ray looks for it), or None."""
    if os.environ.get("RAY_AUTH_TOKEN", "").strip():
        return "RAY_AUTH_TOKEN"
    path = os.environ.get("RAY_AUTH_TOKEN_PATH") or os.path.expanduser("~/.ray/auth_token")
    return path if os.path.isfile(path) else None


def use_token_if_any():
    """With a token and RAY_AUTH_MODE unset, send it, as `ray start --head` and `ray.init()`
    do on their own (a driver joining an ADDRESS does not: Ray then refuses it). A cluster
    without authentication ignores the token, so sending it is always safe."""
    if "RAY_AUTH_MODE" not in os.environ and token_source():
        os.environ["RAY_AUTH_MODE"] = "token"
        from ray._raylet import Config  # Ray reads its config once; read it again (Ray's own
        Config.initialize("")           # _enable_token_auth does the same)


def refusal(error, said):
    """Why ray.init failed, in one clause with what to do."""
    mode, source = os.environ.get("RAY_AUTH_MODE", ""), token_source()
    start = "start one with `ray start --head`, or use --ray local"
    if "no authentication token was found" in str(error):
        return (f"RAY_AUTH_MODE=token but no Ray token was found; put the cluster's token "
                f"(`ray get-auth-token` on the head prints it) in {TOKEN_PLACES}")
    if "InvalidAuthToken" in said or "Unauthenticated" in said:
        if mode.lower() == "disabled":
            return ("the cluster requires token authentication and RAY_AUTH_MODE=disabled is set "
                    "here; unset it and give the cluster's token (`ray get-auth-token` on the "
                    f"head prints it) in {TOKEN_PLACES}")
        if source:
            return (f"the cluster refused the Ray token from {source}: it is not this cluster's; "
                    f"give its token (`ray get-auth-token` on the head prints it) in {TOKEN_PLACES}")
        return ("the cluster requires token authentication and this machine has no Ray token; "
                f"give its token (`ray get-auth-token` on the head prints it) in {TOKEN_PLACES}")
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"cannot join a Ray cluster there ({first}); {start}"


@contextlib.contextmanager
def stderr_to(file):
    """File descriptor 2 (C and C++ code writes there, not to sys.stderr) into `file`."""
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(file.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def write_marker(path, token):
    with open(path, "w") as f:
        f.write(token)
    return os.uname().nodename


def check_shared(ray, out):
    """A task writes a marker into OUT; the driver must read it: else one line, nothing runs."""
    token = uuid.uuid4().hex
    path = os.path.join(os.path.abspath(out), f".ray-marker-{token}")
    node = ray.get(ray.remote(num_cpus=0)(write_marker).remote(path, token))
    try:
        with open(path) as f:
            seen = f.read() == token
        os.remove(path)
    except OSError:
        seen = False
    if not seen:
        raise UsageError(f"--out {out}: a Ray task on {node} wrote a marker there, but this "
                         f"machine does not see it; put the sweep folder on a filesystem every "
                         f"node shares")


def run_ray(ray, jobs, retries, out, poll=lambda results, running, note: None,
            finished=lambda name, status: None):
    """{run name: exit status}, every job a task, as many at once as the cluster has CPUs for
    (`jobs` may be a generator: a search asks for the next trial when a task ends); Ctrl-C
    stops them all at their next epoch."""
    feed, tasks, results, stopping = iter(jobs), {}, {}, False
    room = None
    while True:
        try:
            while not stopping and (room is None or len(tasks) < room):
                job = next(feed, None)
                if job is None:
                    break
                room = room or max(1, int(ray.cluster_resources().get("CPU", 1) // job.threads))
                task = ray.remote(num_cpus=job.threads, max_retries=retries)(work)
                tasks[task.remote(job)] = job.name
            if not tasks:
                break
            done, _ = ray.wait(list(tasks), num_returns=1, timeout=POLL)
            for ref in done:
                name = tasks.pop(ref)
                try:
                    results[name] = ray.get(ref)
                except ray.exceptions.RayError as e:  # out of retries
                    results[name] = 1
                    poll(results, set(tasks.values()), f"{name}: {type(e).__name__}: "
                                                       f"{str(e).splitlines()[0]}")
                finished(name, results[name])
            poll(results, set(tasks.values()), None)
        except KeyboardInterrupt:
            if not stopping:
                stopping = True
                open(os.path.join(out, STOP), "w").close()
                poll(results, set(tasks.values()), "stopping every run at its next epoch")
            time.sleep(POLL)
    if stopping:
        raise KeyboardInterrupt
    return results
