"""Seeing inside the model: the projection's fixed axes, the manifold of a 2-D code, the
architecture strip before and after growth, and legible frames and comparison columns."""
import io

import matplotlib
import matplotlib.backends.backend_agg
import numpy as np
import pytest

import aezoo
import aezoo.run
from aezoo.viz import architecture, curves, frame, latent, tiles
from aezoo.runs.folder import RunFolder
from aezoo.runs import recon


@pytest.fixture(scope="module")
def two_d(tmp_path_factory):
    out = tmp_path_factory.mktemp("insight") / "two_d"
    assert aezoo.run.main(["simple", "--code-dim", "2", "--data", "digits", "--epochs", "2",
                           "--no-video", "--quiet", "--out", str(out)]) == 0
    return out


def test_latent_count_keeps_wide_codes_small():
    assert latent.count(10_000, 32) == latent.COUNT
    assert latent.count(300, 32) == 300
    assert latent.count(10_000, 3000) == latent.MIN_COUNT  # a Keras GRU's (30, 100) states


def visible_ticks(axis):
    low, high = sorted(axis.get_view_interval())
    return [t for t in axis.get_ticklocs() if low - 1e-9 <= t <= high + 1e-9]


def assert_axes_fit(ax, points):
    """The axes hold every point, span no more than the points do plus the margin, and show
    at least three numbers each."""
    ax.figure.canvas.draw()
    for axis, (low, high), values in ((ax.xaxis, ax.get_xlim(), points[:, 0]),
                                      (ax.yaxis, ax.get_ylim(), points[:, 1])):
        assert low < values.min() and values.max() < high, (low, high, values.min(), values.max())
        span = max(values.max() - values.min(), 1e-9)
        assert high - low <= span * (1 + 2 * 0.06) + 1e-6, (low, high, values.min(), values.max())
        assert len(visible_ticks(axis)) >= 3, visible_ticks(axis)


def test_projection_is_fitted_on_the_final_epoch_and_each_frame_fits_its_points(grown):
    out, _, _ = grown
    run = RunFolder(str(out))
    fitted = latent.projection_of(run)
    assert sorted(fitted) == [64, 128]  # one projection per code size: growth changes it
    projection = fitted[64]
    final = run.read(4)["latent_codes"].astype(np.float64)
    centred = final - final.mean(axis=0)
    top = np.linalg.svd(centred, full_matrices=False)[2][:2]
    assert np.allclose(np.abs(projection.components), np.abs(top), atol=1e-6)
    assert np.allclose(projection(final), centred @ projection.components.T)
    shown = frame.layout([run])
    try:
        ax = shown.latent.ax
        for epoch in (0, 3, 4, 3):  # epoch 0's codes lie far from epoch 4's
            shown.show(epoch)
            points = fitted[int(np.prod(run.read(epoch)["latent_codes"].shape[1:]))](
                run.read(epoch)["latent_codes"])
            assert np.allclose(shown.latent.dots.get_offsets(), points)  # the points move ...
            assert_axes_fit(ax, points)  # ... and the axes follow them
    finally:
        matplotlib.pyplot.close(shown.fig)


def test_an_axis_shows_three_numbers_at_least():
    """Points from -1.6 to 0.4 on x: matplotlib's own 4 bins gave only -1 and 0 (the GRU
    frame's -20 and 0, at another scale)."""
    rng = np.random.RandomState(0)
    codes = np.c_[np.r_[-1.6, 0.4, rng.uniform(-1.6, 0.4, 58)], rng.uniform(-3.6, 3.9, 60)]
    fitted = {2: latent.Projection(codes)}  # a 2-D code: drawn as it is
    fig, ax = matplotlib.pyplot.subplots(figsize=(2.2, 2.2))
    try:
        panel = latent.LatentPanel(ax, fitted)
        panel.show({"latent_codes": codes.astype(np.float32)})
        assert_axes_fit(ax, codes)
    finally:
        matplotlib.pyplot.close(fig)


def test_a_2d_code_is_its_own_view_and_gets_a_decoded_manifold(two_d):
    arrays = recon.read(str(two_d / "recon"), 2)
    codes = arrays["latent_codes"]
    assert codes.shape[1:] == (2,) and latent.Projection(codes).method == "code"
    grid = arrays["manifold_codes"]
    n = latent.MANIFOLD
    assert grid.shape == (n * n, 2) and arrays["manifold"].shape == (n * n, 8, 8)
    low, high = np.percentile(codes, [5, 95], axis=0)
    assert np.allclose(np.unique(grid[:, 0]), np.linspace(low[0], high[0], n), atol=1e-5)
    assert np.allclose(np.unique(grid[:, 1]), np.linspace(low[1], high[1], n), atol=1e-5)
    assert grid[0, 1] > grid[-1, 1]  # the top row has the highest second code
    decoded = aezoo.load(str(two_d)).decode(grid)
    assert np.allclose(decoded, arrays["manifold"], atol=1e-5)
    _, _, titles = tiles.labelled_grid(arrays)
    assert [t for _, t in titles] == ["code space (2-D)"]


def test_architecture_strip_draws_layers_before_and_after_growth(grown):
    out, before, after = grown
    run = RunFolder(str(out))
    shown = frame.layout([run])
    try:
        strip = shown.strip
        for epoch, layers, grown_blocks in ((0, before, 0), (2, before, 0), (3, after, 2),
                                            (4, after, 2)):
            shown.show(epoch)
            assert len(strip.blocks) == len(layers), epoch
            codes = [i for i, b in enumerate(strip.blocks) if b.get_linewidth() > 0]
            assert codes == [i for i, layer in enumerate(layers) if layer.get("code")], epoch
            orange = [b for b in strip.blocks if matplotlib.colors.to_hex(b.get_facecolor())
                      == architecture.COLOURS["grown"]]
            assert len(orange) == grown_blocks, epoch
            heights = [b.get_height() for b in strip.blocks]
            widths = [architecture.width(layer) for layer in layers]
            assert heights[widths.index(128)] == pytest.approx(2 * heights[widths.index(64)])
        assert len(after) > len(before)
    finally:
        matplotlib.pyplot.close(shown.fig)


def texts_are_legible_and_whole(fig):
    """Every visible text at least 10 px and inside the figure; returns the texts."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.canvas.get_width_height()
    unseen = set()  # labels of ticks outside their axis' view, which are not drawn
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    unseen |= {id(tick.label1), id(tick.label2)}
    found = []
    for text in fig.findobj(matplotlib.text.Text):
        if (not text.get_visible() or not text.get_text().strip() or id(text) in unseen
                or text.axes and not text.axes.get_visible()):
            continue
        box = text.get_window_extent(renderer)
        assert text.get_fontsize() * fig.dpi / 72 >= 10, text.get_text()
        assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= width + 1 and box.y1 <= height + 1, \
            (text.get_text(), box)
        found.append(text)
    return found


def test_progress_frames_are_legible_with_growth_labelled_and_the_dot_whole(grown):
    run = RunFolder(str(grown[0]))
    shown = frame.layout([run])
    try:
        shown.show(4)
        texts = [t.get_text() for t in texts_are_legible_and_whole(shown.fig)]
        assert "128-64 " in texts  # the growth line says what grew, inside the figure
        ax = shown.loss_ax
        dot = [line for line in ax.lines if line.get_marker() == "o"][-1]
        x, _ = ax.transData.transform((dot.get_xdata()[0], dot.get_ydata()[0]))
        radius = dot.get_markersize() * shown.fig.dpi / 72 / 2
        assert x + radius <= ax.get_window_extent().x1  # the current epoch's dot is not cut
        assert ax.get_yscale() == "log"
        # The data's entropy floor, the lowest BCE possible (0.214 on digits), dotted.
        assert run.floor == pytest.approx(0.214, abs=5e-4)
        dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
        assert [line.get_ydata()[0] for line in dotted] == [run.floor]
        assert ax.get_ylim()[0] < run.floor
    finally:
        matplotlib.pyplot.close(shown.fig)


def test_comparison_columns_keep_labels_whole_and_thumbnails_large(grown, two_d):
    runs = [RunFolder(str(grown[0])), RunFolder(str(two_d))]
    long = "deep-grown-on-digits-with-a-name-far-longer-than-its-column-is-wide"
    shown = frame.layout(runs, [long, "simple"], [("pca-32", 0.23)])
    try:
        shown.show(4)
        texts = [t.get_text() for t in texts_are_legible_and_whole(shown.fig)]
        assert long in [t.replace("\n", "") for t in texts]
        for _, _, recon, _ in shown.columns:
            pixels = recon.image.get_array()
            box = recon.ax.get_window_extent()
            scale = min(box.width / pixels.shape[1], box.height / pixels.shape[0])
            assert tiles.TARGET_CELL * scale >= 0.9 * frame.MIN_THUMB  # 5 a row of 10
        labels = [line.get_label() for line in shown.shared.lines if not
                  line.get_label().startswith("_")]
        assert labels == [long, "simple"]  # every run's curve in the one shared panel
        assert len({line.get_linestyle() for line in shown.shared.lines[:4:2]}) == 2
    finally:
        matplotlib.pyplot.close(shown.fig)


def test_end_labels_of_equal_curves_are_set_apart():
    heights = curves.end_label_heights([0.25, 0.25, 0.4], 0.2, 0.8)
    assert heights[2] == pytest.approx(0.4)
    assert abs(np.log(heights[1]) - np.log(heights[0])) >= 0.04 * np.log(4)


@pytest.mark.parametrize("n", [7, 8])
def test_a_comparison_of_up_to_8_runs_fits_full_hd_with_equal_tiles_and_full_rows(grown, two_d, n):
    runs = [RunFolder(str(grown[0])), RunFolder(str(two_d))] * 4
    shown = frame.layout(runs[:n], [f"run-{i}" for i in range(n)], [("pca-32", 0.23)])
    try:
        shown.show(4)
        width, height = shown.fig.canvas.get_width_height()
        assert width <= 1920 and height <= 1080 and width % 16 == 0 == height % 16
        texts_are_legible_and_whole(shown.fig)
        boxes = {(round(r.ax.get_window_extent().width), round(r.ax.get_window_extent().height))
                 for _, _, r, _ in shown.columns}
        assert len(boxes) == 1  # every run's tile is the same size
        for run, _, recon, _ in shown.columns:
            shown_samples = len(run.arrays(4)["inputs"])
            assert shown_samples % recon.per_row == 0  # no short last row
            pixels = recon.image.get_array()
            box = recon.ax.get_window_extent()
            scale = min(box.width / pixels.shape[1], box.height / pixels.shape[0])
            assert tiles.TARGET_CELL * scale >= 40  # a digit stays a digit
    finally:
        matplotlib.pyplot.close(shown.fig)


@pytest.mark.parametrize("last", [3, 20])  # matplotlib's own: 0, 0.5, 1, ... and 0, 2.5, 5, ...
def test_loss_curves_tick_whole_epochs(last):
    fig, ax = matplotlib.pyplot.subplots()
    try:
        records = [{"epoch": e, "test_bce": 0.5 - 0.01 * e, "train_bce": 0.5 - 0.01 * e}
                   for e in range(last + 1)]
        curves.draw(ax, records, [], "bce")
        fig.canvas.draw()
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks)
    finally:
        matplotlib.pyplot.close(fig)


def test_a_keras_mode_grus_strip_names_encoder_code_and_decoder():
    from aezoo.models.gru import GRUAE
    layers = GRUAE((1, 1), mode="keras", hidden=[64]).layers()  # sine: 1 feature, 64 units
    assert [architecture.label(layer) for layer in layers] == ["encoder gru\n(code)",
                                                               "decoder gru"]
    fig, ax = matplotlib.pyplot.subplots(figsize=(12.8, 1.2))
    try:
        strip = architecture.ArchitectureStrip(ax, architecture.widest([{"layers": layers}]))
        strip.show({"layers": layers, "params": 12888})
        fig.canvas.draw()
        heights = [block.get_window_extent().height for block in strip.blocks]
        assert min(heights) >= 6  # the 1-unit decoder is a block, not a sliver
    finally:
        matplotlib.pyplot.close(fig)


def test_a_label_is_drawn_as_written_and_matplotlibs_own_settings_stay(grown, tmp_path):
    """A run's label is text: mathtext would refuse "$\\bogus$" (a ValueError while drawing).
    aezoo draws it as written without changing the user's own matplotlib settings (a
    notebook's), which still parse math."""
    run = RunFolder(str(grown[0]))
    label = r"$\bogus$ run"
    assert matplotlib.rcParams["text.parse_math"] is True
    (pixels,) = frame.compose([run], [4], labels=[label], baselines=[("$pca$", 0.23)])
    assert pixels.ndim == 3
    curves.save_comparison(tmp_path / "compare.png", [run], [label], "bce", [("$pca$", 0.23)])
    assert (tmp_path / "compare.png").stat().st_size > 0
    assert matplotlib.rcParams["text.parse_math"] is True
    with pytest.raises(ValueError):  # what the user's own figure still does with it
        fig = matplotlib.figure.Figure()
        fig.text(0, 0, label)
        fig.savefig(io.BytesIO(), format="png")


def crossings(ax):
    """What crosses a text of `ax` (drawn): another text's box, or a dotted or dashed line
    (a baseline, a growth) running through it; a label resting on its own line is fine."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts
             if t.get_visible() and t.get_text().strip()]
    found = [(a, b) for i, (a, box) in enumerate(boxes) for b, other in boxes[i + 1:]
             if box.overlaps(other)]
    for line in ax.lines:
        if line.get_linestyle() not in (":", "--"):
            continue
        (x0, y0), (x1, y1) = ax.transData.transform(
            np.c_[line.get_xdata(), line.get_ydata()][[0, -1]].astype(float))
        if line.get_transform() != ax.transData:  # axhline/axvline: axes-relative on one side
            (x0, y0), (x1, y1) = line.get_transform().transform(
                np.c_[line.get_xdata(), line.get_ydata()][[0, -1]].astype(float))
        for text, box in boxes:
            if x0 == x1 and box.x0 + 1 < x0 < box.x1 - 1 and box.y0 < max(y0, y1) and \
                    min(y0, y1) < box.y1:
                found.append((text, "a vertical line"))
            if y0 == y1 and box.y0 + 1 < y0 < box.y1 - 1 and box.x0 < max(x0, x1) and \
                    min(x0, x1) < box.x1:
                found.append((text, f"the line at {line.get_ydata()[0]:.4g}"))
    return found


def test_the_entropy_floor_label_sits_between_growth_lines():
    fig = matplotlib.figure.Figure(figsize=(3.2, 3), dpi=100)
    matplotlib.backends.backend_agg.FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    records = [{"epoch": e, "test_bce": 0.2 + 0.5 / (e + 1), "train_bce": 0.2 + 0.5 / (e + 1)}
               for e in range(41)]
    events = [{"event": "growth", "epoch": e, "widths": [128, 64]} for e in (5, 9)]
    curves.draw(ax, records, events, "bce", limits=((-0.5, 41), (0.19, 0.8)), floor=0.214)
    assert [t.get_text() for t in ax.texts if "floor" in t.get_text()] == [" entropy floor"]
    assert crossings(ax) == []


def test_close_baselines_share_a_label_that_no_line_crosses(grown, two_d, tmp_path, monkeypatch):
    runs = [RunFolder(str(grown[0])), RunFolder(str(two_d))]
    lines = [("pca-32", 0.2309), ("pca-64", 0.2142), ("entropy floor", 0.2140)]  # digits'
    shown = frame.layout(runs, ["deep", "simple"], lines)
    try:
        shown.show(4)
        labels = sorted(t.get_text().strip() for t in shown.shared.texts)
        assert labels == ["pca-32", "pca-64 / entropy floor"]
        assert crossings(shown.shared) == []
    finally:
        matplotlib.pyplot.close(shown.fig)
    drawn = []  # compare.png's figure, kept from being closed to look at it
    monkeypatch.setattr(curves.plt, "close", drawn.append)
    curves.save_comparison(tmp_path / "compare.png", runs, ["deep", "simple"], "bce", lines)
    (ax,) = drawn[0].axes
    assert sorted(t.get_text().strip() for t in ax.texts if "pca" in t.get_text()) == [
        "pca-32", "pca-64 / entropy floor"]
    assert crossings(ax) == []
    matplotlib.pyplot.close(drawn[0])
