"""What the hardening audit found: growth measured fairly, fade-in pinned through the trainer,
the exact Adam step after growth, divergence, kill -9, one writer per run folder, damaged or
inconsistent run folders, interrupts and full disks: one line each, nothing lost."""
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import aezoo
from aezoo.commands import compare, render, sweep
from aezoo.data import load
from aezoo.errors import UsageError
from aezoo.runs import metrics, rundir
from aezoo.run import main
from aezoo.runs import checkpoints
from aezoo.train.loop import Diverged, Trainer
from aezoo.viz import video
from aezoo.results import comparison
from conftest import tree_state
from test_growth import growing_trainer

TINY = ["--data", "digits", "--no-video", "--batch-size", "64"]


def trainer_that_grows(events, **options):
    """deep on digits growing by one pair at the start of epoch 2; growth events into `events`."""
    return growing_trainer(events, **options)


def test_fade_in_alpha_follows_its_schedule_through_the_trainer_and_reaches_one():
    events = []
    trainer = trainer_that_grows(events, grow_every=2, fade_in=2)  # grows at epoch 3
    seen = []
    trainer.add_callback("batch_start", lambda t: seen.append((t.epoch, t.model.fade_alpha)))
    trainer.run(5)
    n = trainer.n_batches()
    alphas = [a for epoch, a in seen if epoch in (3, 4)]
    np.testing.assert_allclose(alphas, np.arange(1, 2 * n + 1) / (2 * n))  # set before each batch
    assert all(a == 1.0 for epoch, a in seen if epoch in (1, 2, 5))
    (growth,) = [e for e in events if e["event"] == "growth"]
    assert growth["test_bce_jump"] == pytest.approx(0, abs=1e-7)  # evaluated at alpha = 0
    (faded,) = [e for e in events if e["event"] == "faded_in"]
    assert faded["epoch"] == 4 and not trainer.model.fading
    assert trainer.model.encode(load("digits").test[:3]).shape == (3, 16)  # the new code


def test_the_first_step_after_growth_is_adams_with_bias_correction():
    trainer = trainer_that_grows([])
    trainer.run(1)
    hp = trainer.optimizer.hyperparam
    seen = {}

    def before(t):
        if t.epoch == 2 and t.batch == 0:
            seen["before"] = {path: (p.array.copy(), p.update_rule.t,
                                     {k: v.copy() for k, v in p.update_rule.state.items()}
                                     if p.update_rule.state else None)
                              for path, p in t.model.namedparams()}

    def after(t):
        if t.epoch == 2 and t.batch == 0:
            seen["after"] = {path: (p.array.copy(), p.grad.copy()) for path, p in t.model.namedparams()}
    trainer.add_callback("batch_start", before)
    trainer.add_callback("batch_end", after)
    trainer.run(2)
    new = [path for path, (_, t, _) in seen["before"].items() if t == 0]
    assert len(new) == 4  # the grown pair: W and b twice
    for path, (value, t, state) in seen["before"].items():
        grad = seen["after"][path][1]
        m = (state["m"] if state else 0) * hp.beta1 + (1 - hp.beta1) * grad
        v = (state["v"] if state else 0) * hp.beta2 + (1 - hp.beta2) * grad * grad
        step = t + 1  # Chainer's Adam: lr = alpha * sqrt(1 - beta2^t) / (1 - beta1^t)
        lr = hp.alpha * np.sqrt(1 - hp.beta2 ** step) / (1 - hp.beta1 ** step)
        expected = value - lr * m / (np.sqrt(v) + hp.eps)
        np.testing.assert_allclose(seen["after"][path][0], expected, rtol=1e-5, atol=1e-7,
                                   err_msg=path)


def growth_events(run):
    return [e for e in metrics.read(run)[1] if e["event"] in ("growth", "growth_batches")]


def test_growth_compares_equal_windows_and_counts_dead_units(tmp_path):
    runs = {}
    for init in ("random", "identity"):
        runs[init] = str(tmp_path / init)
        assert main(["deep", "--grow-every", "3", "--epochs", "4", "--grow-init", init, *TINY,
                     "--out", runs[init]]) == 0
    for init, run in runs.items():
        growth, batches = growth_events(run)
        assert batches["batches_before"] == batches["batches_after"] == 23  # 1438 / 64
        assert 0 <= growth["dead_units"] <= 64
    assert growth_events(runs["identity"])[0]["dead_units"] == 0  # every unit starts switched on
    assert growth_events(runs["random"])[0]["dead_units"] > 0


def test_loading_a_run_keeps_the_callers_random_state(tmp_path):
    run = str(tmp_path / "run")
    assert main(["simple", "--epochs", "1", *TINY, "--out", run]) == 0
    np.random.seed(123)
    expected = np.random.rand(3)
    np.random.seed(123)
    aezoo.load(run)
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_a_loss_far_above_the_untrained_models_stops_the_run_and_keeps_the_last_good_epoch(
        tmp_path, capsys):
    run = str(tmp_path / "run")
    assert main(["simple", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "3", *TINY,
                 "--out", run]) == 1
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "times the untrained model's" in line and "training diverged" in line
    assert "try a smaller --lr" in line
    assert checkpoints.read_meta(run)["epoch"] == 0 and len(metrics.read(run)[0]) == 1


def test_a_rising_loss_is_said_once_and_a_diverged_one_stops():
    said = []
    trainer = Trainer.__new__(Trainer)
    trainer.state, trainer.epoch, trainer.warn = {}, 0, said.append
    trainer.check_divergence(0.5)  # the untrained model
    for trainer.epoch, loss in ((1, 0.4), (2, 1.2), (3, 1.5)):
        trainer.check_divergence(loss)
    assert len(said) == 1 and "2.4 times the untrained model's 0.5" in said[0]
    with pytest.raises(Diverged, match="is 12 times"):
        trainer.check_divergence(6.0)


def test_kill_9_mid_run_then_resume_equals_the_unbroken_run(tmp_path):
    args = ["deep", "--grow-every", "2", "--noise", "mask:0.2", "--seed", "4", *TINY]
    unbroken = str(tmp_path / "unbroken")
    assert main([*args, "--epochs", "5", "--out", unbroken]) == 0
    run = str(tmp_path / "killed")
    proc = subprocess.Popen([sys.executable, "-m", "aezoo.run", *args, "--epochs", "5", "--out", run],
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not os.path.exists(os.path.join(run, "recon", "epoch_0002.npz")):
        time.sleep(0.01)
    proc.kill()  # SIGKILL: no handler runs
    assert proc.wait(timeout=30) == -signal.SIGKILL  # it was still training
    assert checkpoints.read_meta(run)["epoch"] < 5
    assert main(["--resume", run, "--epochs", "5"]) == 0
    a, b = (np.load(os.path.join(r, checkpoints.FILE)) for r in (unbroken, run))
    for key in a.files:
        if key != "meta":
            np.testing.assert_allclose(a[key], b[key], atol=1e-6, err_msg=key)
    strip = lambda r: [{k: v for k, v in x.items() if k != "seconds"}  # noqa: E731
                       for x in sum(metrics.read(r), [])]
    assert strip(unbroken) == strip(run)
    assert rundir.read_architecture(unbroken) == rundir.read_architecture(run)


def test_two_runs_started_at_once_on_one_folder_never_share_it(tmp_path):
    run = str(tmp_path / "shared")
    argv = [sys.executable, "-m", "aezoo.run", "simple", "--epochs", "2", *TINY, "--out", run]
    procs = [subprocess.Popen(argv, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = sorted((p.wait(timeout=120), p.stderr.read()) for p in procs)
    assert [code for code, _ in results] == [0, 2], results
    assert "error: run folder" in results[1][1]
    assert [r["epoch"] for r in metrics.read(run)[0]] == [0, 1, 2]  # one writer


def test_the_claim_itself_is_atomic(tmp_path, monkeypatch):
    monkeypatch.setattr(rundir, "check_new", lambda path: None)  # both passed the check
    rundir.create(str(tmp_path / "run"))
    with pytest.raises(UsageError, match="just taken by another run"):
        rundir.create(str(tmp_path / "run"))


@pytest.fixture(scope="module")
def stopped_at_epoch_0(tmp_path_factory):
    """A run that diverged in epoch 1: it holds only the untrained epoch."""
    run = tmp_path_factory.mktemp("zero") / "run"
    assert main(["simple", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "3", *TINY,
                 "--out", str(run)]) == 1
    return run


def test_a_run_of_one_epoch_renders_and_compares(stopped_at_epoch_0, tmp_path):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    assert render.main([str(run)]) == 0
    assert (run / "progress.gif").exists() and (run / "progress.mp4").exists()
    assert compare.main([str(run), "--out", str(tmp_path / "cmp"), "--format", "gif"]) == 0


def damage(path, how):
    raw = path.read_bytes()
    if how == "zero bytes":
        path.write_bytes(b"")
    elif how == "flipped bytes":  # inside the stored arrays, past the zip's own header
        middle = bytearray(raw)
        for i in range(len(raw) // 3, len(raw) // 3 + 200):
            middle[i] ^= 0xFF
        path.write_bytes(bytes(middle))
    elif how == "object array":
        with np.load(path) as npz:
            arrays = {k: npz[k] for k in npz.files}
        arrays["meta"] = np.array([{"epoch": 1}], dtype=object)
        np.savez(path, **arrays)


@pytest.mark.parametrize("how", ["zero bytes", "flipped bytes", "object array"])
def test_a_damaged_checkpoint_is_one_line_everywhere(stopped_at_epoch_0, tmp_path, capsys, how):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    damage(run / checkpoints.FILE, how)
    before = tree_state(run)
    capsys.readouterr()
    for command in (lambda: main(["--resume", str(run), "--epochs", "2"]),
                    lambda: compare.main([str(run), "--out", str(tmp_path / "cmp")])):
        assert command() == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert "checkpoint.npz is damaged" in line
    with pytest.raises(UsageError, match="is damaged"):
        aezoo.load(str(run))
    assert tree_state(run) == before


def edit_config(run, change):
    record = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps(change(record)))


@pytest.mark.parametrize("case, pattern", [
    ("another model", r"config.json and the checkpoint disagree"),
    ("not an object", r"is not an aezoo run's config"),
    ("no data", r"is not an aezoo run's config"),
    ("metrics missing", r"metrics.jsonl has no line with test_bce for epoch 0"),
    ("metrics corrupt", r"metrics.jsonl line 1 is not valid JSON"),
    ("event without epoch", r"metrics.jsonl line 2 has no whole-number \"epoch\""),
])
def test_a_run_folder_that_disagrees_with_itself_is_one_line(stopped_at_epoch_0, tmp_path, capsys,
                                                             case, pattern):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    log = run / metrics.FILE
    if case == "another model":
        edit_config(run, lambda r: {**r, "config": {**r["config"], "model": "conv"}})
    elif case == "not an object":
        (run / "config.json").write_text("[1, 2]")
    elif case == "no data":
        edit_config(run, lambda r: {k: v for k, v in r.items() if k != "data"})
    elif case == "metrics missing":
        log.unlink()
    elif case == "metrics corrupt":
        log.write_text("{not json\n" + log.read_text())
    elif case == "event without epoch":
        log.write_text(log.read_text() + '{"event": "growth"}\n{"epoch": 0}\n')
    before = tree_state(run)
    capsys.readouterr()
    assert main(["--resume", str(run), "--epochs", "2"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("aezoo run: error: ")
    assert __import__("re").search(pattern, line), line
    assert tree_state(run) == before


@pytest.mark.parametrize("change", ["values", "size"])
def test_data_changed_since_the_run_began_is_refused(tmp_path, capsys, change):
    images = np.random.RandomState(0).randint(0, 256, (50, 6, 6)).astype(np.uint8)
    path = tmp_path / "data.npy"
    np.save(path, images)
    run = tmp_path / "run"
    assert main(["simple", "--data", f"npy:{path}", "--epochs", "1", "--no-video", "--out", str(run)]) == 0
    np.save(path, 255 - images if change == "values" else images[:40])
    before = tree_state(run)
    capsys.readouterr()
    assert main(["--resume", str(run), "--epochs", "2"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"data.npy changed since {run} began" in line
    assert ("values differ" if change == "values" else "32 train / 8 test") in line
    assert compare.main([str(run), "--out", str(tmp_path / "cmp")]) == 2
    assert "changed since" in capsys.readouterr().err
    assert tree_state(run) == before and not (tmp_path / "cmp").exists()


def test_ctrl_c_before_the_first_checkpoint_frees_the_folder(tmp_path, monkeypatch, capsys):
    run = tmp_path / "run"

    def interrupted(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(Trainer, "evaluate", interrupted)
    assert main(["simple", "--epochs", "2", *TINY, "--out", str(run)]) == 130
    assert "removed, nothing to resume" in capsys.readouterr().err
    assert not run.exists()
    monkeypatch.undo()
    assert main(["simple", "--epochs", "1", *TINY, "--out", str(run)]) == 0  # the name is free


def test_ctrl_c_while_an_epoch_is_saved_lands_after_all_its_files(tmp_path, monkeypatch, capsys):
    run = tmp_path / "run"
    real = metrics.append

    def append_then_ctrl_c(run_dir, record):
        real(run_dir, record)
        if record.get("epoch") == 2 and "event" not in record:
            os.kill(os.getpid(), signal.SIGINT)  # between the metrics line and the checkpoint
    monkeypatch.setattr(metrics, "append", append_then_ctrl_c)
    assert main(["simple", "--epochs", "4", *TINY, "--out", str(run)]) == 130
    assert "epoch 2 saved" in capsys.readouterr().err
    assert checkpoints.read_meta(str(run))["epoch"] == 2 == metrics.read(run)[0][-1]["epoch"]


def test_ctrl_c_in_a_command_outside_training_is_one_line(stopped_at_epoch_0, tmp_path, monkeypatch,
                                                        capsys):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(video, "write", interrupted)
    assert render.main([str(run)]) == 130
    assert capsys.readouterr().err == "aezoo render: interrupted\n"


def test_a_full_disk_is_one_line_and_the_last_checkpoint_survives(tmp_path, monkeypatch, capsys):
    from aezoo.runs import files
    run = tmp_path / "run"
    assert main(["simple", "--epochs", "1", *TINY, "--out", str(run)]) == 0
    saved = (run / checkpoints.FILE).read_bytes()

    class Full:  # a file on a disk that fills up after a few bytes
        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(bytes(data)[:10])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.f.__exit__(*exc)

    def opener(path, mode="r"):
        f = open(path, mode)
        return Full(f) if str(path).endswith(checkpoints.FILE + ".tmp") else f
    monkeypatch.setattr(files, "open", opener, raising=False)
    capsys.readouterr()
    assert main(["--resume", str(run), "--epochs", "2"]) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0].startswith("aezoo: resuming from epoch 1") and "Traceback" not in err, lines
    assert [line for line in lines if not line.startswith("epoch ")][1:] == [
        f"aezoo run: error: cannot write or read {run / checkpoints.FILE}: No space left on device"]
    assert (run / checkpoints.FILE).read_bytes() == saved and not (run / "checkpoint.npz.tmp").exists()
    assert checkpoints.read_meta(str(run))["epoch"] == 1


@pytest.mark.parametrize("model", ["-h", "--config=other.toml"])
def test_a_sweep_model_is_a_model_name_never_an_option(tmp_path, capsys, model):
    path = tmp_path / "s.toml"
    path.write_text(f'[runs.a]\nmodel = "{model}"\ndata = "digits"\n')
    assert sweep.main([str(path), "--out", str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"model = '{model}', expected one of simple" in line
    assert not (tmp_path / "out").exists()


def test_a_sweep_never_writes_into_a_folder_it_did_not_make(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "scores.csv").write_text("my own scores")
    before = tree_state(out)
    path = tmp_path / "s.toml"
    path.write_text('[runs.a]\nmodel = "simple"\ndata = "digits"\nepochs = 1\n')
    assert sweep.main([str(path), "--out", str(out)]) == 2
    assert "holds files that aezoo sweep did not write" in capsys.readouterr().err
    assert tree_state(out) == before


def test_a_hung_ffmpeg_costs_the_mp4_only(stopped_at_epoch_0, tmp_path, monkeypatch, capsys):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    hang = tmp_path / "ffmpeg"
    hang.write_text("#!/bin/sh\nsleep 60\n")
    hang.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(hang))
    monkeypatch.setattr(video, "FFMPEG_TIMEOUT", 1)
    start = time.time()
    assert render.main([str(run)]) == 0
    assert time.time() - start < 30
    err = capsys.readouterr().err
    assert "progress.mp4 not written" in err and "did not finish within 1 s" in err
    assert (run / "progress.gif").exists() and not (run / "progress.mp4").exists()


def test_a_held_back_ctrl_c_respects_a_process_that_ignores_it():
    from aezoo.train.loop import deferred_interrupt
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as for `cmd &` in a script
    try:
        with deferred_interrupt():
            os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_an_empty_folder_the_user_made_stays_after_an_early_stop(tmp_path, monkeypatch, capsys):
    run = tmp_path / "mine"
    run.mkdir()

    def interrupted(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(Trainer, "evaluate", interrupted)
    assert main(["simple", "--epochs", "2", *TINY, "--out", str(run)]) == 130
    assert "emptied again" in capsys.readouterr().err
    assert run.is_dir() and list(run.iterdir()) == []


def test_a_run_that_diverges_before_its_first_checkpoint_frees_its_folder(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["simple", "--sparsity", "1e308", "--epochs", "1", *TINY, "--out", str(run)]) == 1
    assert "stopped before the first checkpoint" in capsys.readouterr().err
    assert not run.exists()


def test_a_folder_being_trained_cannot_be_resumed_at_the_same_time(stopped_at_epoch_0, tmp_path,
                                                                  capsys):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    held = rundir.lock(str(run))  # as another process training it would
    try:
        capsys.readouterr()
        assert main(["--resume", str(run), "--epochs", "2"]) == 2
        assert "is being trained by another process" in capsys.readouterr().err
    finally:
        held.close()
    assert main(["--resume", str(run), "--epochs", "1"]) == 1  # free again: it trains (and
    assert "being trained" not in capsys.readouterr().err      # diverges again, as before)


def test_a_checkpoint_of_0_1_takes_its_untrained_loss_from_the_record(tmp_path):
    run = tmp_path / "run"
    assert main(["simple", "--epochs", "1", *TINY, "--out", str(run)]) == 0
    path = run / checkpoints.FILE
    with np.load(path) as npz:
        saved = {k: npz[k] for k in npz.files}
    meta = json.loads(str(saved["meta"]))
    del meta["state"]["untrained_test_loss"]
    saved["meta"] = np.array(json.dumps(meta))
    np.savez(path, **saved)
    assert main(["--resume", str(run), "--epochs", "2"]) == 0
    epoch_0 = metrics.read(run)[0][0]["test_loss"]
    assert checkpoints.read_meta(str(run))["state"]["untrained_test_loss"] == epoch_0


def test_load_and_export_check_the_options_too(stopped_at_epoch_0, tmp_path, capsys):
    from aezoo.commands import export
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    edit_config(run, lambda r: {**r, "config": {**r["config"], "seed": -1}})
    with pytest.raises(UsageError, match="--seed -1"):
        aezoo.load(str(run))
    assert export.main([str(run), str(tmp_path / "out")]) == 2
    assert "--seed -1" in capsys.readouterr().err


@pytest.mark.parametrize("case, message", [
    ("architecture not json", "architecture.json is not valid JSON"),
    ("architecture entries", "architecture.json is not a list of entries"),
    ("snapshot cut", "epoch_0000.npz is damaged"),
    ("snapshot keys", "epoch_0000.npz is damaged: it has no inputs"),
    ("metrics without scores", "the line of epoch 0 has no test_bce"),
    ("data shape", "is not an aezoo run's config"),
    ("no model", "is not an aezoo run's config"),
])
def test_damaged_parts_of_a_run_folder_are_one_line_in_render_and_compare(stopped_at_epoch_0,
                                                                           tmp_path, capsys, case,
                                                                           message):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    snap = run / "recon" / "epoch_0000.npz"
    if case == "architecture not json":
        (run / rundir.ARCHITECTURE).write_text("{bad")
    elif case == "architecture entries":
        (run / rundir.ARCHITECTURE).write_text('[{"epoch": "x"}]')
    elif case == "snapshot cut":
        snap.write_bytes(snap.read_bytes()[:300])
    elif case == "snapshot keys":
        np.savez(snap, other=np.zeros(3))
    elif case == "metrics without scores":
        (run / metrics.FILE).write_text('{"epoch": 0, "test_loss": 0.7}\n')
    elif case == "data shape":
        edit_config(run, lambda r: {**r, "data": {**r["data"], "shape": 5}})
    elif case == "no model":
        edit_config(run, lambda r: {**r, "config": {k: v for k, v in r["config"].items()
                                                    if k != "model"}})
    before = tree_state(run)
    commands = [lambda: compare.main([str(run), "--out", str(tmp_path / "cmp"), "--format", "gif"])]
    if not case.startswith("architecture"):  # render never reads it
        commands.append(lambda: render.main([str(run)]))
    for command in commands:
        capsys.readouterr()
        assert command() == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert message in line, line
    assert tree_state(run) == before


def test_a_model_too_large_for_memory_is_one_line(tmp_path, capsys):
    assert main(["conv", "--hidden", "65536,65536", *TINY, "--out", str(tmp_path / "run")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "does not fit in memory" in line and not (tmp_path / "run").exists()


@pytest.mark.parametrize("code, status", [(errno.EACCES, 2), (errno.ENOTDIR, 2), (errno.ENOSPC, 1),
                                          (errno.EIO, 1)])
def test_an_os_error_is_one_line_with_the_status_of_its_cause(capsys, code, status):
    from aezoo.commands import parser as cli

    def body(argv):
        raise OSError(code, os.strerror(code), "/some/file")
    assert cli.guarded("aezoo.x", body, []) == status
    assert capsys.readouterr().err == f"aezoo.x: error: cannot write or read /some/file: " \
                                      f"{os.strerror(code)}\n"


def test_the_end_of_a_fade_in_is_recorded_and_compare_sees_the_new_code(tmp_path):
    run = tmp_path / "run"
    assert main(["deep", "--grow-every", "2", "--fade-in", "2", "--epochs", "5", *TINY,
                 "--out", str(run)]) == 0
    entries = rundir.read_architecture(run)
    assert [e["epoch"] for e in entries] == [0, 3, 4, 5]  # grow, faded in, grow (fading)
    codes = [[layer["out"] for layer in e["layers"] if layer.get("code")][0] for e in entries]
    assert codes == [[128], [128], [64], [64]]  # fading: the old code is the model's code
    faded = [e for e in metrics.read(run)[1] if e["event"] == "faded_in"]
    assert [e["epoch"] for e in faded] == [4]
    rows = comparison.table(comparison.load_runs([str(run)]))
    assert rows[0]["code_size"] == 64 == aezoo.load(str(run)).code_size
