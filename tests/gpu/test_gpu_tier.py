"""The GPU tier: aezoo on a CUDA GPU through CuPy 13, against the same runs on the CPU.

    pytest -m gpu tests/gpu        # or: make gpu-check (this, then a speed table)

Without a usable GPU every test here is skipped with the one line `--device 0` would print
(no driver, no device, a missing library). docs/gpu.md says what passing here means.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import aezoo
from aezoo.models import MODELS, kernels
from aezoo.runs import metrics
from aezoo.run import main
from aezoo.runs import checkpoints
from aezoo.gpu import cupy_compat

REASON = cupy_compat.problem(0)
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(REASON is not None, reason=f"no GPU: {REASON}")]

TINY = ["--data", "digits", "--no-video", "--batch-size", "64", "--quiet"]
SEQUENCES = ["--data", "synthetic:200,12,3", "--no-video", "--batch-size", "32", "--quiet"]


def train(out, *args, data=TINY):
    assert main([*args, *data, "--out", str(out)]) == 0
    return str(out)


def losses(run_dir):
    epochs, _ = metrics.read(run_dir)
    return [{k: v for k, v in r.items() if k.startswith(("test_", "train_"))} for r in epochs]


def weights(run_dir):
    with np.load(os.path.join(run_dir, checkpoints.FILE)) as npz:
        return {k: npz[k] for k in npz.files if k != "meta"}


def close(a, b, rtol=2e-3):
    """Two runs' losses agree to float32 accumulation (GPU sums in another order)."""
    assert [sorted(r) for r in a] == [sorted(r) for r in b]
    for x, y in zip(a, b):
        for key in x:
            assert x[key] == pytest.approx(y[key], rel=rtol, abs=1e-5), key


@pytest.fixture
def refuse_cpu_kernels(monkeypatch):
    """aezoo's own kernels are CPU-only: from the call on, they must never be called."""
    def refuse(*args, **kwargs):
        raise AssertionError("a CPU kernel was given a GPU array")

    def start():
        for name in ("conv3x3", "maxpool2", "unpool2"):
            monkeypatch.setattr(kernels, name, refuse)
    return start


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_trains_two_epochs_on_the_gpu_as_on_the_cpu(tmp_path, name,
                                                               refuse_cpu_kernels):
    data = SEQUENCES if name == "gru" else TINY
    on_cpu = train(tmp_path / "cpu", name, "--epochs", "2", data=data)
    refuse_cpu_kernels()
    on_gpu = train(tmp_path / "gpu", name, "--epochs", "2", "--device", "0", data=data)
    assert checkpoints.read_meta(on_gpu)["epoch"] == 2
    close(losses(on_gpu), losses(on_cpu))


def test_a_growing_run_keeps_its_new_layers_on_the_gpu_and_they_train(tmp_path):
    import cupy
    from aezoo.commands.run import configure
    from aezoo.train.plan import plan
    from aezoo.train.start import prepare
    cfg, given, _ = configure(["deep", "--grow-every", "1", "--epochs", "3", "--device", "0",
                               *TINY, "--out", str(tmp_path / "run")])
    prepared = prepare(plan(cfg, given))
    trainer = prepared.trainer
    before = {path for path, _ in trainer.model.namedparams()}
    trainer.run(3)
    new = {path: p for path, p in trainer.model.namedparams() if path not in before}
    assert new, "no layer was added"
    assert all(isinstance(p.array, cupy.ndarray) for p in new.values())
    assert all(p.update_rule is not None and p.update_rule.t > 0 for p in new.values())


def test_a_gpu_run_resumes_on_the_cpu_and_a_cpu_run_on_the_gpu(tmp_path):
    unbroken = train(tmp_path / "unbroken", "conv", "--epochs", "2")
    gpu_first = train(tmp_path / "gpu_first", "conv", "--epochs", "1", "--device", "0")
    assert main(["--resume", gpu_first, "--epochs", "2", "--device", "cpu", "--quiet"]) == 0
    cpu_first = train(tmp_path / "cpu_first", "conv", "--epochs", "1")
    assert main(["--resume", cpu_first, "--epochs", "2", "--device", "0", "--quiet"]) == 0
    for run in (gpu_first, cpu_first):
        assert checkpoints.read_meta(run)["epoch"] == 2
        close(losses(run), losses(unbroken))
        ours, theirs = weights(run), weights(unbroken)
        assert ours.keys() == theirs.keys()
        for key in ours:
            np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-2, atol=1e-4)


def test_snapshots_export_and_load_work_from_a_gpu_run(tmp_path):
    from aezoo.commands.export import main as export_main
    run = train(tmp_path / "run", "deep", "--epochs", "2", "--device", "0")
    assert [f for f in os.listdir(os.path.join(run, "recon")) if f.endswith(".npz")]
    assert export_main([run, str(tmp_path / "export")]) == 0
    assert os.listdir(tmp_path / "export")
    x = np.random.RandomState(0).rand(5, 8, 8).astype(np.float32)
    on_cpu, on_gpu = aezoo.load(run), aezoo.load(run, device="0")
    out_cpu, out_gpu = on_cpu.reconstruct(x), on_gpu.reconstruct(x)
    assert isinstance(out_gpu, np.ndarray)  # numpy out, whatever the device
    np.testing.assert_allclose(out_gpu, out_cpu, rtol=1e-4, atol=1e-5)


def test_pure_nccl_runs_with_one_process(tmp_path):
    pytest.importorskip("mpi4py", reason="pip install 'aezoo[mpi]'")
    import chainermn
    comm = chainermn.create_communicator("pure_nccl")
    assert (comm.size, comm.rank) == (1, 0)
    one = train(tmp_path / "one", "deep", "--epochs", "2", "--device", "0", "--distributed")
    plain = train(tmp_path / "plain", "deep", "--epochs", "2", "--device", "0")
    close(losses(one), losses(plain))


def test_bench_on_the_gpu_runs_against_torch_cuda(tmp_path):
    torch = pytest.importorskip("torch", reason="pip install torch (a CUDA build)")
    if not torch.cuda.is_available():
        pytest.skip("this torch has no CUDA: install a CUDA build of torch")
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "aezoo", "bench", "--device", "0", "--quick",
                           "--json", str(out), "--wait", "120"], capture_output=True, text=True,
                          timeout=900)
    found = json.loads(out.read_text())
    assert done.returncode == (3 if found["ratios_refused"] else 0), done.stderr  # 3: busy
    assert found["torch"] is True
    assert all("torch" in r["samples_per_s"] for r in found["results"].values())


def test_cudnn_on_and_off_train_the_same_convolution(tmp_path, monkeypatch):
    import chainer
    if not chainer.backends.cuda.cudnn_enabled:
        pytest.skip("cuDNN is not loaded: pip install 'aezoo[gpu]'")
    with_cudnn = train(tmp_path / "on", "conv", "--epochs", "1", "--device", "0")
    monkeypatch.setattr(chainer.global_config, "use_cudnn", "never")
    without = train(tmp_path / "off", "conv", "--epochs", "1", "--device", "0")
    close(losses(with_cudnn), losses(without))


def test_a_gpu_id_past_the_last_is_one_line(capsys):
    import cupy
    count = cupy.cuda.runtime.getDeviceCount()
    assert main(["simple", *TINY, "--device", str(count)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"aezoo run: error: --device {count}: no GPU {count}: this machine has "
                   f"{count} (0 to {count - 1}); or use --device cpu"]


@pytest.fixture(scope="session", autouse=True)
def speed_table(request):
    """`make gpu-check` asks for seconds per epoch, CPU against GPU (AEZOO_GPU_SPEED=1)."""
    yield
    if not os.environ.get("AEZOO_GPU_SPEED") or REASON:
        return
    import tempfile
    import time
    rows = []
    folder = tempfile.mkdtemp()
    try:
        for name in sorted(MODELS):
            data = SEQUENCES if name == "gru" else TINY
            spent = {}
            for device in ("cpu", "0"):
                start = time.perf_counter()
                train(os.path.join(folder, f"{name}-{device}"), name, "--epochs", "3",
                      "--device", device, data=data)
                spent[device] = (time.perf_counter() - start) / 3
            rows.append(f"| {name} | {spent['cpu']:.2f} | {spent['0']:.2f} | "
                        f"{spent['cpu'] / spent['0']:.1f}× |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\n\nseconds per epoch on the bundled data (3 epochs, with the run's files):\n"
          "| model | CPU | GPU 0 | GPU speed-up |\n|---|--:|--:|--:|\n" + "\n".join(rows))
