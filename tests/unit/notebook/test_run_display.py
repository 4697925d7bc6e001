"""What a Run shows in Jupyter: the latest frame as an image, the scores, the growth events,
every value from the run escaped; its frames and its video."""
import html
import os

import numpy as np
import pytest

import aezoo
from aezoo.notebook.display import Video

HOSTILE = '<img src=x onerror=alert(1)>'  # a run name may be anything without a slash


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """A deep model that grows once, named so that its name is markup."""
    root = tmp_path_factory.mktemp("display")
    return aezoo.fit("deep", data="digits", epochs=3, grow_every=2, batch_size=64, video=False,
                     name=HOSTILE, out_root=str(root))


def test_the_html_holds_the_frame_the_scores_and_the_growth(grown):
    page = grown._repr_html_()
    assert page.count('src="data:image/png;base64,') == 1
    last = grown.metrics[-1]
    assert f"{last['test_bce']:#.4g}" in page  # the last epoch's test score, as shown
    assert "0 (untrained)" in page and "(last" in page
    growth = [e for e in grown.events if e["event"] == "growth"]
    assert growth and "<caption>growth</caption>" in page
    assert "-".join(map(str, growth[0]["widths"])) in page


def test_every_value_from_the_run_is_escaped(grown):
    page = grown._repr_html_()
    assert grown.name.endswith(HOSTILE)
    assert HOSTILE not in page and "onerror=alert(1)>" not in page
    assert html.escape(HOSTILE) in page


@pytest.mark.slow
def test_frame_is_the_progress_frame_as_rgb(grown):
    last = grown.frame()
    first = grown.frame(0)
    assert last.dtype == np.uint8 and last.ndim == 3 and last.shape[2] == 3
    assert last.shape == first.shape and not np.array_equal(last, first)
    with pytest.raises(aezoo.UsageError, match="epoch 99: .* saved epochs 0 to 3"):
        grown.frame(99)


@pytest.mark.slow
def test_video_renders_when_missing_and_shows_inline(grown):
    assert not os.path.exists(os.path.join(grown.path, "progress.mp4"))
    shown = grown.video()
    assert isinstance(shown, Video) and os.path.exists(shown.path)
    assert shown._repr_html_().startswith(("<video", "<img"))
    stamp = os.path.getmtime(shown.path)
    assert grown.video().path == shown.path and os.path.getmtime(shown.path) == stamp  # kept


def test_open_run_refuses_a_folder_that_is_no_run(tmp_path):
    with pytest.raises(aezoo.UsageError, match="does not exist"):
        aezoo.open_run(tmp_path / "nothing")
    with pytest.raises(aezoo.UsageError, match="is not a run folder"):
        aezoo.open_run(tmp_path)


@pytest.mark.slow
def test_in_jupyter_video_counts_its_frames_with_a_widget_not_lines(grown, monkeypatch, capsys):
    """tqdm.auto is Jupyter's widget there; plain 'frames: 1/4' lines are for logs."""
    from tqdm import tqdm
    from aezoo.notebook import run as run_module
    made = []

    class Widget(tqdm):  # stands for tqdm.auto's notebook class, which needs a kernel
        def __init__(self, *args, **kwargs):
            made.append(kwargs["total"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(run_module, "in_jupyter", lambda: True)
    monkeypatch.setattr(run_module, "tqdm", Widget)
    capsys.readouterr()
    grown.video(view="latent")
    assert made == [4]  # epochs 0 to 3
    assert "latent frames: 1/4" not in capsys.readouterr().err


def test_the_folder_is_named_from_the_working_directory(grown, monkeypatch):
    """A notebook whose runs lie below its folder shows no path of the machine (the docs)."""
    monkeypatch.chdir(os.path.dirname(grown.path))
    page = grown._repr_html_()
    assert f"in <code>{html.escape(os.path.basename(grown.path), quote=True)}</code>" in page
    assert os.path.dirname(grown.path) not in page
    assert page.count("<table>") == page.count('<div style="overflow-x:auto;max-width:100%"><table>')
