"""The reconstruction panels, by the data's view: a registry, so a new panel is a file and a line.

A panel is a class built on a matplotlib axes (`Panel(ax, manifold=..., min_thumb=...)`)
whose show(arrays) draws one snapshot's arrays; the progress frame and the
comparison's columns both pick theirs here by the run's view.
"""
from aezoo.viz.grid_panel import GridPanel
from aezoo.viz.line_panel import LinePanel

# view of the data (its kind, or for sequences lines / heatmap / rows) -> reconstruction panel
PANELS = {"image": GridPanel, "vector": GridPanel, "rows": GridPanel, "heatmap": GridPanel,
          "lines": LinePanel}
