"""docs/notebooks/quickstart.ipynb executes from top to bottom in a fresh kernel (nbclient), is
committed without outputs, and writes its runs outside the repository.

    .venv/bin/python -m pytest tests/e2e/test_notebook.py
"""
import glob
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = REPO_ROOT / "docs" / "notebooks" / "quickstart.ipynb"


def test_the_notebook_is_committed_without_outputs():
    cells = json.loads(QUICKSTART.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)


@pytest.mark.slow
def test_the_quickstart_executes_and_shows_the_run(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[test]' (nbclient)")
    nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[test]'")
    pytest.importorskip("ipykernel", reason="pip install -e '.[test]'")
    outputs_dir = REPO_ROOT / "outputs"
    before = sorted(os.listdir(REPO_ROOT)), outputs_dir.is_dir() and sorted(os.listdir(outputs_dir))
    # The kernel is this Python (the venv's), whatever `python3` names on the PATH.
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    temporary = set(glob.glob(os.path.join(tempfile.gettempdir(), "aezoo-quickstart-*")))
    nb = nbformat.read(QUICKSTART, as_version=4)
    nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any('class="aezoo-run"' in h and "data:image/png" in h for h in html)  # the run
    assert any("<video" in h or "data:image/gif" in h for h in html)            # its video
    assert any('class="aezoo-comparison"' in h and "pca-" in h for h in html)    # the comparison
    # the docs show this page: no path of the machine that built it, no table cut off
    assert not [h for h in html if "aezoo-quickstart-" in h or tempfile.gettempdir() in h]
    assert any("in <code>grown</code>" in h for h in html)  # named from the notebook's folder
    assert all(h.count("<table>") == h.count('<div style="overflow-x:auto;max-width:100%"><table>')
               for h in html if "aezoo-comparison" in h)
    assert any("image/png" in o.get("data", {}) for o in outputs)                # the latent view
    text = "".join(o.get("text", "") for o in outputs)
    assert "imported: numpy only" in text and "largest difference" in text
    assert "progress frames: 1/" not in text  # video() counts its frames with tqdm.auto's bar
    assert "aezoo-quickstart-" not in text  # nor do its printed lines name the temporary folder
    after = sorted(os.listdir(REPO_ROOT)), outputs_dir.is_dir() and sorted(os.listdir(outputs_dir))
    assert after == before and os.listdir(tmp_path) == []  # its runs went to a temporary folder
    left = set(glob.glob(os.path.join(tempfile.gettempdir(), "aezoo-quickstart-*"))) - temporary
    assert not left  # ... which the kernel removed when it stopped
