"""optuna-dashboard on a search's study, as docs/sweeps.md tells a user to run it, bound to
127.0.0.1: headless Chromium loads the study's page and sees the study and its trials.

Without Chromium or the search extra it is skipped and says why; under AEZOO_REQUIRE_BROWSER=1
(and AEZOO_REQUIRE_POSTGRES=1 for the extra), which CI sets, it fails instead.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from aezoo.commands import sweep
from e2e.test_report import chromium
from search_file import lr_search

pytestmark = pytest.mark.slow

SEARCH = lr_search(epochs=1)


def test_the_dashboard_shows_a_searchs_study_in_headless_chromium(tmp_path):
    binary = chromium()
    dashboard = shutil.which("optuna-dashboard", path=os.path.dirname(sys.executable))
    for missing, reason, required in (
            (binary is None, "no Chromium found (apt-get install chromium)", "AEZOO_REQUIRE_BROWSER"),
            (dashboard is None, "no optuna-dashboard (pip install 'aezoo[search]')",
             "AEZOO_REQUIRE_POSTGRES")):
        if missing:
            if os.environ.get(required):  # CI (.ci/run): never skipped silently
                pytest.fail(reason)
            pytest.skip(reason)
    path = tmp_path / "lr.toml"
    path.write_text(SEARCH)
    assert sweep.main([str(path), "--out", str(tmp_path / "out"), "--trials", "3",
                       "--workers", "1"]) == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the documented command: optuna-dashboard OUT/study.journal (its default host is 127.0.0.1)
    server = subprocess.Popen([dashboard, str(tmp_path / "out" / "study.journal"), "--port",
                               str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        end = time.time() + 60
        while time.time() < end:
            try:
                studies = urllib.request.urlopen(f"{url}/api/studies", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("optuna-dashboard never answered on 127.0.0.1")
        assert '"study_name": "lr"' in studies
        common = [binary, "--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
        done = subprocess.run(common + ["--virtual-time-budget=15000", "--dump-dom",
                                        f"{url}/dashboard/studies/0"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        page = done.stdout
        assert "lr (id=0)" in page  # the study's own page, drawn by the dashboard's script
        assert "History" in page and "Hyperparameter Importance" in page
    finally:
        server.terminate()
        server.wait(timeout=30)
