"""The architecture strip of a frame: the network as it is at that epoch, from its layers().

One block per layer of the architecture.json entry in force, left (input) to
right (output), its height proportional to the layer's width (a dense layer's
units, a convolution's channels, a recurrent layer's units, labelled with its
cell), on one scale for the whole run so a growth shows as blocks appearing. The code layer is outlined in red
and labelled; layers that growth added (absent from the run's first entry) are
filled orange; the parameter count stands at the right.
"""
import numpy as np
from matplotlib.patches import Rectangle

CELLS = ("gru", "lstm", "simplernn")  # recurrent layers: each block is labelled with its cell
SEQUENCE = (*CELLS, "unroll", "repeat")  # (T, units) outputs: the units are the width
COLOURS = {"old": "#4c72b0", "grown": "#ff7f0e", "weightless": "#c8c8c8"}
MIN_HEIGHT = 0.12  # a 1-wide layer stays a block (not a sliver) beside a 784-wide one


def label(layer):
    """A block's name: its type; a sequence layer says its role (encoder gru, decoder gru),
    since a Keras-mode GRU is nothing but two of them, and a seq2seq decoder the cells it
    unrolls; the code says it is the code."""
    kind = layer["type"].replace("conv3x3", "conv").replace("batch_norm", "bn")
    if layer["type"] == "activation":  # a layer kind of its own (models/kinds): say which
        kind = layer["activation"]
    name = layer.get("name") or ""
    if layer["type"] in SEQUENCE:
        role = "encoder" if name.startswith("/encoder") else "decoder" if (
            name.startswith("/decoder") or layer["type"] == "unroll") else ""
        kind = f"{role} {kind}".strip()
        if layer["type"] == "unroll":  # a seq2seq decoder: name the cells it unrolls
            cells = [e["type"].rsplit("_", 1)[0] for e in layer["path"]
                     if e["type"].endswith("_step")]
            kind += "\n" + ",".join(cells) if cells else ""
        return f"{kind}\n(code)" if layer.get("code") else kind
    return "code" if layer.get("code") else kind


def width(layer):
    """How wide a layer is drawn: channels of (C, H, W), units of a sequence layer, else the
    number of values it outputs."""
    out = layer.get("out") or [1]
    if len(out) == 3 and layer.get("axes") != [1, 2, 0]:  # not colour images, channels last
        return int(out[0])
    if layer["type"] in SEQUENCE:
        return int(out[-1])
    return int(np.prod(out))


def widest(entries):
    """The largest width over every entry: one scale for a run's frames."""
    return max([width(layer) for e in entries for layer in e["layers"]] or [1])


class ArchitectureStrip:
    """Blocks on an axes (axis off); show(entry, first) redraws them for one epoch."""

    def __init__(self, ax, scale, fontsize=8):
        self.ax, self.scale, self.fontsize = ax, max(1, scale), fontsize
        self.blocks, self.artists, self.shown = [], [], None
        ax.set_axis_off()
        ax.set_ylim(-0.42, 1.2)

    def show(self, entry, first=None):
        """Draw `entry` (an architecture.json entry); layers missing from `first` are grown."""
        if entry is None or entry is self.shown:
            return
        self.shown = entry
        for artist in self.artists:
            artist.remove()
        self.blocks, self.artists = [], []
        layers = entry["layers"]
        old = {layer.get("name") for layer in (first or entry)["layers"] if layer.get("name")}
        n = len(layers)
        self.ax.set_xlim(-0.6, n + 2.6)  # room on the right for the parameter count
        labels, grown = n <= 24, 0
        for i, layer in enumerate(layers):
            new = layer.get("name") is not None and layer.get("name") not in old
            state = "weightless" if not layer.get("params") else "grown" if new else "old"
            grown += state == "grown"
            h = max(MIN_HEIGHT, width(layer) / self.scale)
            block = Rectangle((i - 0.38, 0.5 - h / 2), 0.76, h, facecolor=COLOURS[state],
                              edgecolor="tab:red" if layer.get("code") else "none",
                              linewidth=2.0 if layer.get("code") else 0)
            self.ax.add_patch(block)
            self.blocks.append(block)
            self.artists.append(block)
            if labels:
                self.artists.append(self.ax.text(i, 0.5 + h / 2 + 0.04, str(width(layer)),
                                                 ha="center", va="bottom", fontsize=self.fontsize))
                self.artists.append(self.ax.text(
                    i, -0.05, label(layer), ha="center", va="top", fontsize=self.fontsize,
                    color="tab:red" if layer.get("code") else "0.3",
                    weight="bold" if layer.get("code") else "normal"))
        text = f"{entry.get('params', 0):,} params" + (f"\n{grown} grown" if grown else "")
        self.artists.append(self.ax.text(n + 0.1, 0.5, text, ha="left", va="center",
                                         fontsize=self.fontsize + 1))
