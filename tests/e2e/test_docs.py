"""The docs: README.md is a front page, every relative link in it and in docs/ leads to a
file, and the site builds with `mkdocs build --strict` with the CLI reference generated.

    .venv/bin/python -m pytest tests/e2e/test_docs.py

Without mkdocs and mkdocs-material (the docs extra) the build test is skipped and says why;
under AEZOO_REQUIRE_DOCS=1, which CI (.ci/run) sets, it fails instead.
"""
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
README_MAX_LINES = 250

FENCE = re.compile(r"^( {0,3})(```|~~~).*?^\1\2[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def need_mkdocs():
    missing = [name for name in ("mkdocs", "material") if importlib.util.find_spec(name) is None]
    if missing:
        reason = (f"{' and '.join(missing)} not installed: pip install -e '.[docs]' "
                  f"(make test and make docs do it)")
        if os.environ.get("AEZOO_REQUIRE_DOCS"):  # CI (.ci/run): never skipped silently
            pytest.fail(reason)
        pytest.skip(reason)


def relative_links(path):
    """Link targets in a Markdown file that point into the repository (no URL, no bare #)."""
    text = CODE_SPAN.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue  # http:, https:, mailto: ... and anchors within the page
        yield target


def markdown_files():
    return [README] + sorted(DOCS.glob("*.md"))


def test_readme_is_a_front_page():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, (f"README.md has {lines} lines; the front page keeps to "
                                       f"{README_MAX_LINES}: move the rest into docs/")


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_relative_links_lead_to_files(page):
    broken = []
    for target in relative_links(page):
        file_part = target.split("#", 1)[0].split("?", 1)[0]
        if file_part and not (page.parent / file_part).exists():
            broken.append(target)
    assert not broken, f"{page.relative_to(REPO_ROOT)} links to missing files: {broken}"


def test_link_finder_sees_links_outside_code():
    sample = DOCS / "index.md"
    found = list(relative_links(sample))
    assert "getting-started.md" in found and "progress_frame.png" in found


def test_site_builds_strict_with_the_generated_cli_reference(tmp_path):
    need_mkdocs()
    site = tmp_path / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-f", str(REPO_ROOT / "mkdocs.yml"), "-d", str(site)],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    cli = (site / "cli" / "index.html").read_text(encoding="utf-8")
    assert "<!-- cli-reference -->" not in cli, "the marker was not replaced by the generated reference"
    for text in ("aezoo run", "--grow-every", "--resume", "aezoo sweep", "aezoo bench"):
        assert text in cli, f"{text} is missing from the generated CLI reference"
    assert cli.count("<table>") >= 5, "expected an option table for each command"
    for page in ("getting-started", "growth-mnist", "architecture", "changelog", "notebook"):
        assert (site / page / "index.html").exists()
    # the quickstart notebook, executed in the build (mkdocs-jupyter): the run shows itself
    quickstart = (site / "notebooks" / "quickstart" / "index.html").read_text(encoding="utf-8")
    assert 'class="aezoo-run"' in quickstart and "imported: numpy only" in quickstart


def test_every_row_of_the_cli_reference_says_its_default():
    """aezoo run's options default to SUPPRESS (so that it knows which were given): their
    defaults come from what their help states, or say why there is none."""
    pytest.importorskip("mkdocs", reason="pip install -e '.[docs]'")
    sys.path.insert(0, str(DOCS / "hooks"))
    try:
        import cli_reference
    finally:
        sys.path.remove(str(DOCS / "hooks"))
    from aezoo.commands import parsers
    rows = [line.split(" | ") for line in cli_reference.reference(parsers()).splitlines()
            if line.startswith("| `")]
    assert len(rows) > 80
    assert not [row[0] for row in rows if not row[2].strip()]
    by_option = {(row[0].split("`")[1]): row for row in rows if not row[0].endswith("(positional)")}
    assert by_option["--epochs"][2] == "`20`" and "(default" not in by_option["--epochs"][3]
    assert by_option["--video"][2] == "on" and by_option["--quiet"][2] == "off"
    assert by_option["--code-dim"][2] == "per model"  # the list under the table says each
    assert by_option["--max-depth"][2] == "len(hidden) + 1, the no-growth shape"
    assert by_option["--data-dir"][2] == "none" and by_option["--latent"][2] == "off"
