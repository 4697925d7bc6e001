"""--data folder:PATH through the Python API: classes, the split, resizing, colour and the cache."""
import os

import numpy as np
import pytest
from PIL import Image

from aezoo import data
from aezoo.data import image_cache
from aezoo.data.pixels import Pixels
from aezoo.errors import UsageError


def write_folder(root, classes=("cat", "dog"), n=10, size=(12, 16), colour=True, seed=0):
    """`n` PNG/JPEG/BMP/GIF images a class (a class folder each; classes=() puts them in root),
    each filled with its class's colour plus noise. Returns their paths, sorted."""
    rng = np.random.RandomState(seed)
    paths = []
    for c, name in enumerate(classes or [""]):
        folder = root / name if name else root
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            pixels = rng.randint(0, 60, size + (3,)).astype(np.uint8)
            pixels[..., c % 3] += 180
            ext = (".png", ".jpg", ".bmp", ".gif")[i % 4] if colour else ".png"
            image = Image.fromarray(pixels if colour else pixels[..., 0])
            path = folder / f"{i:03d}{ext}"
            image.save(path)
            paths.append(path)
    return sorted(paths)


def load(root, **options):
    return data.load(f"folder:{root}", **options)


def test_class_folders_are_labels_sorted_by_name_and_the_split_is_stratified(tmp_path, isolated_cache):
    write_folder(tmp_path / "f", classes=("zebra", "ant", "moth"), n=10)
    found = load(tmp_path / "f", test_fraction=0.2)
    assert found.class_names == ["ant", "moth", "zebra"]
    assert found.shape == (12, 16, 3) and found.channels == 3 and found.kind == "image"
    assert sorted(np.bincount(found.test_labels)) == [2, 2, 2]   # every class in the test split
    assert sorted(np.bincount(found.train_labels)) == [8, 8, 8]
    assert isinstance(found.train, Pixels) and found.test.dtype == np.float32
    # write_folder raised channel 0 for zebra (written first) and 1 for ant: label 0 is ant,
    # green; labels follow the sorted names, not the order the folders were made in
    ant = found.test[found.test_labels == 0]
    assert ant[..., 1].mean() > ant[..., 0].mean()
    assert found.describe()["classes"] == ["ant", "moth", "zebra"]


def test_the_split_is_the_same_on_every_load_and_not_the_last_files(tmp_path, isolated_cache):
    write_folder(tmp_path / "f", n=20)
    first, again = load(tmp_path / "f"), load(tmp_path / "f")
    np.testing.assert_array_equal(first.test, again.test)
    np.testing.assert_array_equal(first.train[np.arange(len(first.train))],
                                  again.train[np.arange(len(again.train))])
    assert first.fingerprint() == again.fingerprint()
    # not the last 20 % of the sorted files (which would be the last class alone)
    assert set(first.test_labels) == {0, 1}


def test_without_class_folders_there_are_no_labels(tmp_path, isolated_cache):
    write_folder(tmp_path / "f", classes=(), n=10)
    found = load(tmp_path / "f")
    assert found.test_labels is None and found.class_names is None
    assert (len(found.train), len(found.test)) == (8, 2)


def test_image_size_covers_then_cuts_the_centre(tmp_path, isolated_cache):
    """A 40x20 image (h x w) with a left half black and right half white, to 10x10: scaled to
    20x10, the centre 10x10 cut out: still half black, half white, side by side."""
    folder = tmp_path / "f"
    folder.mkdir()
    for i in range(4):
        pixels = np.zeros((40, 20), np.uint8)
        pixels[:, 10:] = 255
        pixels[:10] = 128  # the top quarter is cut away by the centre crop
        Image.fromarray(pixels).save(folder / f"{i}.png")
    found = load(folder, image_size="10")
    assert found.shape == (10, 10) and found.channels == 1
    image = found.test[0]
    assert image[:, :4].max() < 0.05 and image[:, 6:].min() > 0.95
    assert load(folder, image_size="8x6").shape == (8, 6)  # height x width


def test_gray_images_default_to_gray_and_colour_to_rgb(tmp_path, isolated_cache):
    write_folder(tmp_path / "gray", n=4, colour=False)
    write_folder(tmp_path / "mixed", n=4, colour=False)
    Image.fromarray(np.full((12, 16, 3), (200, 10, 10), np.uint8)).save(
        tmp_path / "mixed" / "cat" / "red.png")
    assert load(tmp_path / "gray").shape == (12, 16)
    assert load(tmp_path / "mixed").shape == (12, 16, 3)
    assert load(tmp_path / "mixed", color="gray").shape == (12, 16)
    rgb = load(tmp_path / "gray", color="rgb")
    assert rgb.shape == (12, 16, 3)
    np.testing.assert_array_equal(rgb.test[..., 0], rgb.test[..., 2])  # gray as R = G = B


def test_mixed_modes_are_converted(tmp_path, isolated_cache):
    """L, RGBA, LA, palette and 1-bit images in one folder all load, as rgb."""
    folder = tmp_path / "f"
    folder.mkdir()
    base = Image.fromarray(np.random.RandomState(0).randint(0, 255, (8, 8, 3)).astype(np.uint8))
    for i, mode in enumerate(["L", "RGBA", "LA", "P", "1", "RGB"]):
        base.convert(mode).save(folder / f"{i}-{mode}.png")
    found = load(folder)
    assert found.shape == (8, 8, 3) and len(found.train) + len(found.test) == 6


def test_a_gifs_first_frame_is_the_image(tmp_path, isolated_cache):
    folder = tmp_path / "f"
    folder.mkdir()
    for i in range(3):
        frames = [Image.new("L", (8, 8), v) for v in (255, 0)]
        frames[0].save(folder / f"{i}.gif", save_all=True, append_images=frames[1:])
    found = load(folder, test_fraction=0.34)
    assert found.test.min() == 1.0


def test_a_cache_is_decoded_once_and_read_again_by_a_later_load(tmp_path, isolated_cache, capfd):
    write_folder(tmp_path / "f", n=6)
    load(tmp_path / "f")
    err = capfd.readouterr().err
    assert "decoding 12 images" in err
    cached = list((isolated_cache / "images").glob("*.npy"))
    assert len(cached) == 1 and np.load(cached[0], mmap_mode="r").dtype == np.uint8
    again = load(tmp_path / "f")
    err = capfd.readouterr().err
    assert "decoding" not in err and "reading 12 images" in err and "from the cache" in err
    assert isinstance(again.train.raw, np.memmap)  # read from disk as used, not loaded whole
    # the options are part of the key: another size is decoded (once) into a second cache
    load(tmp_path / "f", image_size="8")
    assert "decoding 12 images" in capfd.readouterr().err
    assert len(list((isolated_cache / "images").glob("*.npy"))) == 2


def test_an_edited_folder_is_decoded_again(tmp_path, isolated_cache, capfd):
    paths = write_folder(tmp_path / "f", n=6)
    before = load(tmp_path / "f")
    capfd.readouterr()
    Image.fromarray(np.zeros((12, 16, 3), np.uint8)).save(paths[0])  # replaced
    os.utime(paths[0], ns=(1, 1))  # an older time than the file had: any change counts
    after = load(tmp_path / "f")
    assert "decoding 12 images" in capfd.readouterr().err
    assert after.fingerprint() != before.fingerprint()
    (tmp_path / "f" / "dog" / "new.png").write_bytes((tmp_path / "f" / "dog" / "000.png").read_bytes())
    grown = load(tmp_path / "f")
    assert len(grown.train) + len(grown.test) == 13


def test_an_interrupted_decode_leaves_no_cache_a_later_run_reads(tmp_path, isolated_cache,
                                                                 monkeypatch, capfd):
    write_folder(tmp_path / "f", n=6)
    real, calls = image_cache.image_file.decode, []

    def interrupted(*args):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(image_cache.image_file, "decode", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load(tmp_path / "f")
    assert os.listdir(isolated_cache / "images") == []  # no cache, no partial file
    monkeypatch.setattr(image_cache.image_file, "decode", real)
    capfd.readouterr()
    found = load(tmp_path / "f")
    assert "decoding 12 images" in capfd.readouterr().err
    assert len(found.train) + len(found.test) == 12


def test_a_cache_cut_short_is_not_trusted(tmp_path, isolated_cache, capfd):
    """A cache file truncated after the fact (a full disk, a copy cut short) is decoded again."""
    write_folder(tmp_path / "f", n=6)
    load(tmp_path / "f")
    (cached,) = (isolated_cache / "images").glob("*.npy")
    cached.write_bytes(cached.read_bytes()[:200])
    capfd.readouterr()
    assert len(load(tmp_path / "f").test) == 2
    assert "decoding 12 images" in capfd.readouterr().err


def test_pixels_convert_only_the_rows_asked_for(tmp_path):
    raw = np.arange(4 * 2 * 2, dtype=np.uint8).reshape(4, 2, 2)
    pixels = Pixels(raw, [3, 1])
    assert pixels.shape == (2, 2, 2) and len(pixels) == 2
    np.testing.assert_array_equal(pixels[[1]], raw[[1]].astype(np.float32) / 255.0)
    assert np.asarray(pixels).dtype == np.float32 and np.asarray(pixels).shape == (2, 2, 2)


@pytest.mark.parametrize("channels", [1, 3])
def test_npy_images_with_channels_last(tmp_path, channels):
    images = np.random.RandomState(0).randint(0, 256, (20, 6, 5, channels)).astype(np.uint8)
    np.save(tmp_path / "c.npy", images)
    found = data.load(f"npy:{tmp_path / 'c.npy'}")
    assert found.kind == "image"
    assert found.shape == ((6, 5) if channels == 1 else (6, 5, 3))  # 1 channel: gray, as ever
    assert found.channels == channels


@pytest.mark.parametrize("spec, message", [
    ("0", "from 4 to 4096"), ("3", "from 4 to 4096"), ("100000", "from 4 to 4096"),
    ("32x", "expected H or HxW"), ("ax3", "expected H or HxW"), ("-5", "expected H or HxW")])
def test_an_image_size_out_of_range_is_refused(spec, message):
    with pytest.raises(UsageError, match=message):
        image_cache.parse_size(spec)


def test_a_quiet_run_says_nothing_of_decoding_or_the_cache(tmp_path, isolated_cache, capfd):
    from aezoo.commands.run import main
    write_folder(tmp_path / "f", n=6)
    argv = ["simple", "--data", f"folder:{tmp_path / 'f'}", "--epochs", "1", "--no-video",
            "--batch-size", "4"]
    capfd.readouterr()
    assert main(argv + ["--quiet", "--out", str(tmp_path / "a")]) == 0  # decodes
    assert capfd.readouterr().err == ""
    assert len(list((isolated_cache / "images").glob("*.npy"))) == 1
    # another split is loaded again (the same cache): quietly, then aloud
    assert main(argv + ["--test-fraction", "0.3", "--quiet", "--out", str(tmp_path / "b")]) == 0
    assert capfd.readouterr().err == ""
    assert main(argv + ["--test-fraction", "0.4", "--out", str(tmp_path / "c")]) == 0
    assert "reading 12 images" in capfd.readouterr().err
