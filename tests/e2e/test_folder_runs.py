"""A folder of colour images with class subfolders, trained the three ways users call it:
`aezoo run`, `python -m aezoo.run` and aezoo.fit; colour frames, a class-coloured latent
view, a second run that reads the cache, compare's PCA baseline and resume on the same data."""
import json
import os
import subprocess
import sys

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

import aezoo
from aezoo.commands import compare
from aezoo.commands.run import main as run

COLOURS = {"red": (210, 30, 30), "green": (30, 190, 40), "blue": (40, 50, 200)}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """30 images a class, of varying sizes (resized by --image-size), PNG and JPEG."""
    root = tmp_path_factory.mktemp("images")
    rng = np.random.RandomState(0)
    for name, colour in COLOURS.items():
        (root / name).mkdir()
        for i in range(30):
            h, w = 20 + i % 5, 24 + i % 7
            pixels = np.clip(np.array(colour) + rng.randint(-30, 30, (h, w, 3)), 0, 255)
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{i:02d}.{'png' if i % 2 else 'jpg'}")
    return root


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def own_cache(cache, monkeypatch):
    monkeypatch.setenv("AEZOO_CACHE", str(cache))


def test_a_colour_folder_trains_in_colour_then_a_second_run_reads_the_cache(folder, tmp_path, capfd):
    argv = ["conv", "--data", f"folder:{folder}", "--image-size", "16", "--color", "rgb",
            "--epochs", "2", "--batch-size", "16"]
    assert run(argv + ["--out", str(tmp_path / "first")]) == 0
    err = capfd.readouterr().err
    assert "decoding 90 images" in err and "from the cache" not in err
    first = tmp_path / "first"
    recon = iio.imread(first / "recon" / "epoch_0002.png")
    assert recon.ndim == 3 and recon.shape[2] == 3
    assert np.ptp(recon[..., 0].astype(int) - recon[..., 2].astype(int)) > 50  # not gray
    frame = iio.imread(first / "progress.gif", index=1)
    top = frame[: frame.shape[0] // 2, : frame.shape[1] // 2, :3].astype(int)
    assert (np.abs(top[..., 0] - top[..., 1]) > 100).any()  # a red or green input tile
    arrays = np.load(first / "recon" / "epoch_0002.npz")
    assert arrays["inputs"].shape[1:] == (16, 16, 3) and arrays["outputs"].shape[1:] == (16, 16, 3)
    assert sorted(set(arrays["latent_labels"])) == [0, 1, 2]  # the latent view's colours
    assert arrays["class_names"].tolist() == ["blue", "green", "red"]  # and its legend
    record = json.loads((first / "config.json").read_text())
    assert record["data"]["classes"] == ["blue", "green", "red"]
    assert record["data"]["shape"] == [16, 16, 3]

    # a new process (this one keeps the data it loaded last): no image is decoded again
    second = subprocess.run([sys.executable, "-m", "aezoo", "run", *argv, "--out",
                             str(tmp_path / "second")], capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert "reading 90 images" in second.stderr and "from the cache" in second.stderr
    assert "decoding" not in second.stderr
    assert (tmp_path / "second" / "recon" / "epoch_0002.png").exists()

    # the PCA baseline reads the same folder the same way
    assert compare.main([str(first), "--out", str(tmp_path / "cmp"), "--format", "gif"]) == 0
    scores = (tmp_path / "cmp" / "scores.md").read_text()
    assert "pca-" in scores

    # resume: the data must be what the run began with
    assert run(["--resume", str(first), "--epochs", "3"]) == 0
    assert "decoding" not in capfd.readouterr().err


def test_python_m_aezoo_run_and_aezoo_fit(folder, tmp_path, cache):
    done = subprocess.run([sys.executable, "-m", "aezoo.run", "simple", "--data", f"folder:{folder}",
                           "--image-size", "8x12", "--epochs", "1", "--no-video", "--out",
                           str(tmp_path / "m")], capture_output=True, text=True,
                          env={**os.environ, "AEZOO_CACHE": str(cache)})
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "m" / "config.json").read_text())["data"]["shape"] == [8, 12, 3]
    fitted = aezoo.fit("deep", data=f"folder:{folder}", image_size="8", color="gray", epochs=1,
                       out=str(tmp_path / "fit"), video=False, quiet=True)
    assert fitted.config["image_size"] == "8" and fitted.config["color"] == "gray"
    model = aezoo.load(tmp_path / "fit")
    x = aezoo.data.load(f"folder:{folder}", image_size="8", color="gray").test[:3]
    assert x.shape == (3, 8, 8) and model.reconstruct(x).shape == (3, 8, 8)


def test_photo_patches_train_offline_as_the_data_page_shows(tmp_path):
    """docs/data.md's example, shortened: colour patches of scikit-learn's photographs."""
    assert run(["conv", "--data", "photo-patches", "--epochs", "2", "--no-video",
                "--out", str(tmp_path / "p")]) == 0
    record = json.loads((tmp_path / "p" / "config.json").read_text())
    assert record["data"]["shape"] == [32, 32, 3] and record["data"]["classes"] == ["china", "flower"]
    assert (record["data"]["n_train"], record["data"]["n_test"]) == (416, 104)
    lines = [json.loads(line) for line in (tmp_path / "p" / "metrics.jsonl").read_text().splitlines()]
    scores = [line["test_bce"] for line in lines if "test_bce" in line]
    assert scores[-1] < scores[0]  # it learns
