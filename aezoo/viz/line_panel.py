"""The reconstruction panel of sequences with a few values a step: target and output as curves."""
import numpy as np

from aezoo.viz.style import FONT


class LinePanel:
    """Sequences of a few values a step as curves: the target dark, the output in red, each
    shown sequence in its own slot along the x axis, each value a band of its own."""

    def __init__(self, ax, **_):
        self.ax, self.outputs = ax, None

    def show(self, arrays):
        truth = arrays["targets"] if "targets" in arrays else arrays["inputs"]
        n, steps, features = truth.shape
        low, high = (float(v) for v in arrays["value_range"])
        band = (high - low) * 1.2 or 1.0
        x = [i * (steps + max(2, steps // 5)) + np.arange(steps) for i in range(n)]
        if self.outputs is None:
            self.outputs = []
            for i in range(n):
                for d in range(features):
                    self.ax.plot(x[i], truth[i, :, d] - d * band, color="0.2", linewidth=1)
                    self.outputs.append(self.ax.plot(x[i], truth[i, :, d] - d * band,
                                                     color="tab:red", linewidth=1.2)[0])
            self.ax.set_xticks([])
            self.ax.set_yticks([])
            self.ax.set_ylim(low - (features - 1) * band - 0.1 * band, high + 0.1 * band)
            self.ax.plot([], [], color="0.2", label="target")
            self.ax.plot([], [], color="tab:red", label="output")
            self.ax.legend(loc="upper right", fontsize=FONT, ncol=2, frameon=False,
                           bbox_to_anchor=(1.0, 1.12))
        for k, line in enumerate(self.outputs):
            i, d = divmod(k, features)
            line.set_ydata(arrays["outputs"][i, :, d] - d * band)
