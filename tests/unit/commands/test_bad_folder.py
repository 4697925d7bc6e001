"""--data folder:PATH given bad input: one line, exit status 2, nothing in the image cache
and no run folder; the user's files untouched."""
import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from aezoo.commands.run import main
from conftest import tree_state


def error_line(err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected exactly one line on stderr, got {lines!r}"
    assert lines[0].startswith("aezoo run: error:"), lines[0]
    return lines[0]


def good_images(folder, n=4, size=(8, 8)):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.fromarray(np.full(size + (3,), 40 * i, np.uint8)).save(folder / f"{i}.png")


def huge_png(path, width=20000, height=20000):
    """A small file whose header claims width x height pixels (Pillow's bomb check reads it)."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))


def empty(f):
    f.mkdir()


def non_images(f):
    f.mkdir()
    (f / "notes.txt").write_text("hello")
    (f / "table.csv").write_text("1,2")


def truncated(f):
    good_images(f)
    noise = np.random.RandomState(0).randint(0, 256, (8, 8, 3)).astype(np.uint8)
    Image.fromarray(noise).save(f / "2.png")
    whole = (f / "2.png").read_bytes()
    (f / "2.png").write_bytes(whole[:len(whole) - 30])  # its pixel data cut short


def corrupt(f):
    good_images(f)
    (f / "2.png").write_bytes(b"this is not a PNG at all")


def tiny(f):
    good_images(f)
    Image.new("RGB", (1, 1)).save(f / "pixel.png")


def bomb(f):
    good_images(f)
    huge_png(f / "bomb.png")


def dangling(f):
    good_images(f)
    os.symlink(f / "gone.png", f / "link.png")


def self_link(f):
    good_images(f)
    os.symlink("loop.png", f / "loop.png")


def folder_loop(f):
    good_images(f / "a")
    good_images(f / "b")
    os.symlink("..", f / "a" / "back")


def sizes_differ(f):
    good_images(f)
    Image.new("RGB", (9, 8)).save(f / "wide.png")


def loose_file(f):
    good_images(f / "cats")
    good_images(f / "dogs")
    Image.new("RGB", (8, 8)).save(f / "stray.png")


def lone_image(f):
    good_images(f / "cats")
    good_images(f / "dogs", n=1)


CASES = {
    "empty": (empty, [], "no PNG, JPEG, BMP or GIF files in it"),
    "non-images": (non_images, [], "no PNG, JPEG, BMP or GIF files in it (only 2 other files"),
    "truncated": (truncated, [], "2.png: a truncated or corrupt image"),
    "corrupt": (corrupt, [], "2.png: not an image Pillow can read"),
    "1x1": (tiny, ["--image-size", "8"], "pixel.png: 1x1 pixels; aezoo takes images of at least 4x4"),
    "bomb": (bomb, [], "bomb.png: too large to decode safely"),
    "unreadable": (dangling, [], "link.png: cannot be read (No such file or directory)"),
    "symlink to itself": (self_link, [], "loop.png: a symlink loop"),
    "folder loop": (folder_loop, [], "back: a symlink loop (it leads back to a folder above it)"),
    "sizes differ": (sizes_differ, [], "give --image-size H[xW] to resize them all"),
    "loose file": (loose_file, [], "stray.png lies beside the class folders"),
    "lone image": (lone_image, [], "class 'dogs' has 1 image; each class needs at least 2"),
    "image size 0": (good_images, ["--image-size", "0"], "--image-size 0: expected H or HxW, each side from 4"),
    "huge image size": (good_images, ["--image-size", "100000x8"], "--image-size 100000x8: expected"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_folder_is_one_line_and_writes_nothing(case, tmp_path, isolated_cache, capsys):
    make, extra, message = CASES[case]
    folder = tmp_path / "images"
    make(folder)
    links = make in (dangling, self_link, folder_loop)  # tree_state cannot read those
    before = None if links else tree_state(folder)
    out = tmp_path / "run"
    assert main(["conv", "--data", f"folder:{folder}", "--epochs", "1", "--no-video",
                 "--out", str(out), *extra]) == 2
    line = error_line(capsys.readouterr().err)
    assert message in line, line
    assert not out.exists()
    assert not (isolated_cache / "images").exists() or os.listdir(isolated_cache / "images") == []
    if before is not None:
        assert tree_state(folder) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_a_file_without_read_permission_is_one_line(tmp_path, isolated_cache, capsys):
    good_images(tmp_path / "images")
    os.chmod(tmp_path / "images" / "1.png", 0)
    assert main(["conv", "--data", f"folder:{tmp_path / 'images'}", "--epochs", "1",
                 "--out", str(tmp_path / "run")]) == 2
    assert "1.png: cannot be read (Permission denied)" in error_line(capsys.readouterr().err)


@pytest.mark.parametrize("argv, message", [
    (["--data", "digits", "--image-size", "16"], "--image-size 16: only --data folder:PATH"),
    (["--data", "digits", "--color", "rgb"], "--color rgb: only --data folder:PATH"),
    (["--data", "digits", "--color", "blue"], "invalid choice: 'blue'"),
])
def test_image_options_apply_to_folders_only(argv, message, tmp_path, capsys):
    assert main(["conv", *argv, "--out", str(tmp_path / "run")]) == 2
    assert message in error_line(capsys.readouterr().err)


def test_a_sequence_model_refuses_colour_images_in_one_line(tmp_path, isolated_cache, capsys):
    """The images are decoded first (their colour is known then): the cache is whole and a
    line says so; then the error."""
    good_images(tmp_path / "images")
    assert main(["gru", "--data", f"folder:{tmp_path / 'images'}", "--out",
                 str(tmp_path / "run")]) == 2
    note, line = capsys.readouterr().err.splitlines()
    assert note.startswith("aezoo: decoding 4 images")
    assert "3 colour channels (use --color gray" in error_line(line)
