"""--tensorboard: the event files a run writes, read back with TensorBoard's own EventAccumulator
(tags, point counts, images, text, the projector's files, HParams), a run otherwise unchanged,
a resume that writes no epoch twice (without the extra: test_seam.py)."""
import csv
import os
import types

import numpy as np
import pytest

pytest.importorskip("tensorboardX", reason="the extra aezoo[tensorboard] is not installed")
pytest.importorskip("tensorboard", reason="the test extra's tensorboard is not installed")

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.plugins.hparams import metadata as hparams_metadata  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

from aezoo.commands import run, sweep  # noqa: E402
from aezoo.runs import checkpoints, metrics, recon  # noqa: E402
from aezoo.loggers import tensorboard  # noqa: E402
from aezoo.loggers.tensorboard import FOLDER  # noqa: E402
from aezoo.viz import tiles  # noqa: E402
from conftest import TINY, only_epoch_0_checkpoint_lands  # noqa: E402

GROWING = ["deep", *TINY, "--grow-every", "2", "--epochs", "4", "--quiet"]


def events(folder):
    """Everything in a run's event files (no sampling: every point kept)."""
    accumulator = EventAccumulator(str(folder), size_guidance={
        "scalars": 0, "images": 0, "tensors": 0, "compressedHistograms": 0, "histograms": 0})
    return accumulator.Reload()


def text(accumulator, tag):
    """{step: the text} of a text tag."""
    return {e.step: tensor_util.make_ndarray(e.tensor_proto).item().decode()
            for e in accumulator.Tensors(f"{tag}/text_summary")}


def session_hparams(accumulator):
    """The HParams of the run's session, as the hparams plugin reads them."""
    content = accumulator.SummaryMetadata(hparams_metadata.SESSION_START_INFO_TAG).plugin_data.content
    start = hparams_metadata.parse_session_start_info_plugin_data(content)
    return {k: v.WhichOneof("kind") and getattr(v, v.WhichOneof("kind")) for k, v in start.hparams.items()}


@pytest.fixture(scope="module")
def growing(tmp_path_factory):
    """The issue's run, with and without --tensorboard: (its folder, the plain twin's)."""
    root = tmp_path_factory.mktemp("tensorboard")
    assert run.main(GROWING + ["--tensorboard", "--out", str(root / "board")]) == 0
    assert run.main(GROWING + ["--out", str(root / "plain")]) == 0
    return root / "board", root / "plain"


def test_scores_are_scalars_of_every_epoch_the_untrained_one_included(growing):
    board, _ = growing
    found = events(board / FOLDER)
    records, _ = metrics.read(board)
    epochs = [r for r in records if "event" not in r]
    tags = found.Tags()["scalars"]
    for tag in ("loss/test", "bce/test", "mse/test", "sqerr/test", "optimizer/lr", "model/params"):
        assert [e.step for e in found.Scalars(tag)] == [0, 1, 2, 3, 4], tag
    assert [e.step for e in found.Scalars("loss/train")] == [1, 2, 3, 4]  # epoch 0 trains nothing
    for record in epochs:  # the values are metrics.jsonl's
        for key, tag in (("test_bce", "bce/test"), ("loss", "loss/train"), ("params", "model/params")):
            if key in record:
                point = [e for e in found.Scalars(tag) if e.step == record["epoch"]]
                assert point and np.isclose(point[0].value, record[key], rtol=1e-6), (key, record)
    assert [e.value for e in found.Scalars("model/depth")] == [1, 1, 1, 2, 2]
    assert all(not tag.startswith("epoch") for tag in tags)


def test_each_epoch_has_its_reconstruction_grid_from_the_snapshot_arrays(growing):
    board, _ = growing
    found = events(board / FOLDER)
    images = found.Images("reconstructions")
    assert [e.step for e in images] == [0, 1, 2, 3, 4]
    arrays = recon.read(str(board / recon.FOLDER), 4)
    height, width = tiles.grid(arrays).shape
    assert (images[-1].height, images[-1].width) == (height, width)
    assert images[0].encoded_image_string != images[-1].encoded_image_string  # it learned


def test_layers_at_the_start_and_growth_as_text_at_its_epoch(growing):
    board, _ = growing
    found = events(board / FOLDER)
    layers = text(found, "model/layers")
    assert sorted(layers) == [0, 3]  # the start, and the growth at epoch 3
    assert layers[3].count("\n") > layers[0].count("\n")  # a layer pair more
    growth = text(found, "growth")
    assert sorted(growth) == [3]
    record = [r for r in metrics.read(board)[1] if r["event"] == "growth"][0]
    for column in ("widths", "params", "dead_units", "test_bce_jump", "batch_loss_jump"):
        assert column in growth[3], column
    assert str(record["params"]) in growth[3]


def test_the_projector_holds_one_embedding_per_code_size_with_labels_and_a_sprite(growing):
    board, _ = growing
    config = (board / FOLDER / "projector_config.pbtxt").read_text()
    assert config.count("embeddings {") == 2
    # The last code of depth 1 (epoch 2, before the growth at 3) and the final one.
    for epoch in (2, 4):
        arrays = recon.read(str(board / recon.FOLDER), epoch)
        size = arrays["latent_codes"].shape[1]
        folder = board / FOLDER / f"{epoch:05d}" / f"code_{size}"
        assert f"tensor_name: \"code_{size}:{epoch:05d}\"" in config
        assert f"{epoch:05d}/code_{size}/metadata.tsv" in config and "sprite.png" in config
        with open(folder / "metadata.tsv") as f:
            rows = list(csv.reader(f, delimiter="\t"))
        assert rows[0] == ["label", "index"]
        assert [int(r[0]) for r in rows[1:]] == list(arrays["latent_labels"])
        assert [int(r[1]) for r in rows[1:]] == list(arrays["latent_index"])
        codes = np.loadtxt(folder / "tensors.tsv", delimiter="\t")
        assert np.allclose(codes, arrays["latent_codes"], atol=1e-5)
        assert (folder / "sprite.png").stat().st_size > 0


def test_the_run_is_otherwise_unchanged(growing):
    board, plain = growing
    def values(folder):
        return [{k: v for k, v in r.items() if k != "seconds"} for r in metrics.read(folder)[0]]
    assert values(board) == values(plain)
    with np.load(board / checkpoints.FILE) as a, np.load(plain / checkpoints.FILE) as b:
        assert sorted(a.files) == sorted(b.files)
        for key in a.files:
            assert np.array_equal(a[key], b[key]), key
    assert sorted(os.listdir(board)) == sorted(os.listdir(plain) + [FOLDER])


def test_the_run_options_are_its_hparams_session(growing):
    board, _ = growing
    found = session_hparams(events(board / FOLDER))
    assert found["model"] == "deep" and found["grow_every"] == 2 and found["data"] == "digits"
    assert "out" not in found and "tensorboard" not in found


def test_a_resumed_run_continues_its_events_without_repeating_an_epoch(tmp_path, monkeypatch):
    # Both files are made in the same second by the same process: the second must not
    # replace the first
    monkeypatch.setattr(tensorboard, "time", types.SimpleNamespace(time=lambda: 1796300000.5))
    out = tmp_path / "resumed"
    args = ["simple", *TINY, "--quiet", "--tensorboard", "--out", str(out)]
    assert run.main(args + ["--epochs", "2"]) == 0
    assert run.main(["--resume", str(out), "--epochs", "3", "--quiet"]) == 0
    found = events(out / FOLDER)
    assert [e.step for e in found.Scalars("loss/test")] == [0, 1, 2, 3]
    assert [e.step for e in found.Images("reconstructions")] == [0, 1, 2, 3]
    files = sorted((out / FOLDER).glob("events.out.tfevents.*"))
    assert len(files) == 2
    # the session and the layers once, in the first file; the resume ends the session again
    first, second = (tags_written(f) for f in files)
    assert first.count(hparams_metadata.SESSION_START_INFO_TAG) == 1
    assert first.count("model/layers/text_summary") == 1
    assert hparams_metadata.SESSION_START_INFO_TAG not in second
    assert "model/layers/text_summary" not in second
    assert hparams_metadata.SESSION_END_INFO_TAG in second
    assert [e.step for e in found.Tensors("model/layers/text_summary")] == [0]


def test_a_resume_from_epoch_0_drops_the_events_of_the_epochs_its_checkpoint_lacks(
        tmp_path, monkeypatch):
    out = tmp_path / "killed"
    with monkeypatch.context() as patched:
        only_epoch_0_checkpoint_lands(patched)
        assert run.main(["simple", *TINY, "--quiet", "--tensorboard", "--epochs", "2",
                         "--out", str(out)]) == 0
    assert checkpoints.read_meta(out)["epoch"] == 0
    assert run.main(["--resume", str(out), "--quiet"]) == 0
    found = events(out / FOLDER)
    assert [e.step for e in found.Scalars("loss/test")] == [0, 1, 2]
    assert [e.step for e in found.Images("reconstructions")] == [0, 1, 2]
    assert found.Scalars("loss/test")[-1].value == pytest.approx(
        metrics.read(out)[0][-1]["test_loss"])


def tags_written(path):
    """The summary tags of an event file, one a value written, in order."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    return [v.tag for e in EventFileLoader(str(path)).Load() for v in e.summary.value]


def test_tensorboard_turned_on_at_a_resume_writes_the_session_and_layers_then(tmp_path):
    out = tmp_path / "late"
    assert run.main(["simple", *TINY, "--quiet", "--epochs", "1", "--out", str(out)]) == 0
    assert run.main(["--resume", str(out), "--epochs", "2", "--quiet", "--tensorboard"]) == 0
    found = events(out / FOLDER)
    assert session_hparams(found)["model"] == "simple"
    assert [e.step for e in found.Tensors("model/layers/text_summary")] == [1]
    assert [e.step for e in found.Scalars("loss/test")] == [2]


SWEEP = """
[defaults]
model = "simple"
data = "digits"
epochs = 1
batch_size = 128
tensorboard = true
[grid]
code_dim = [8, 16]
"""


@pytest.mark.slow  # two runs, then the sweep's comparison and report
def test_a_sweep_writes_each_run_under_its_folder_with_its_hparams(tmp_path):
    path = tmp_path / "board.toml"
    path.write_text(SWEEP)
    assert sweep.main([str(path), "--out", str(tmp_path / "out")]) == 0
    folders = sorted((tmp_path / "out").glob(f"*/{FOLDER}"))
    assert [f.parent.name for f in folders] == ["code_dim=16", "code_dim=8"]
    for folder in folders:
        found = events(folder)
        hparams = session_hparams(found)
        assert hparams["code_dim"] == int(folder.parent.name.split("=")[1])
        assert hparams["model"] == "simple"
        assert [e.step for e in found.Scalars("loss/test")] == [0, 1]
        assert hparams_metadata.SESSION_END_INFO_TAG in found.summary_metadata


@pytest.mark.parametrize("model, data, pictures, sprite", [
    ("vae", "digits", ["reconstructions", "prior_samples"], True),
    pytest.param("gru", "sine", ["reconstructions"], False, marks=pytest.mark.slow),
    # a GRU's picture is its sequence panel; a sequence has no thumbnail in the sprite
])
def test_a_vae_shows_its_prior_samples_and_a_gru_its_sequences(tmp_path, model, data, pictures,
                                                               sprite):
    out = tmp_path / model
    assert run.main([model, "--data", data, "--no-video", "--quiet", "--epochs", "1",
                     "--tensorboard", "--out", str(out)]) == 0
    found = events(out / FOLDER)
    assert sorted(found.Tags()["images"]) == sorted(pictures)
    for tag in pictures:
        arrays = recon.read(str(out / recon.FOLDER), 1)
        picture = tiles.grid({k: arrays[k] for k in arrays if k not in ("samples", "manifold")}
                                if tag == "reconstructions" else
                                {k: arrays[k] for k in ("kind", "view", "value_range", "samples")})
        last = found.Images(tag)[-1]
        assert (last.step, last.height, last.width) == (1, *picture.shape)
    if model == "vae":
        assert {"kl/test", "elbo/test", "kl/train"} <= set(found.Tags()["scalars"])
    config = (out / FOLDER / "projector_config.pbtxt").read_text()
    assert config.count("embeddings {") == 1 and ("sprite" in config) == sprite
