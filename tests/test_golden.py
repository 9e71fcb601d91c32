"""Golden HTML snapshots: any change to the HTML given to WeasyPrint shows up as a diff.

Run `pytest tests/test_golden.py --update-golden` after an intended change and
review the diff of `tests/golden/` before committing.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from conftest import CONTENT

from guide.load import load_content
from guide.models import Target
from guide.render_html import render_cards, render_guide
from guide.validate import validate

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", ["career-guide", "role-cards"])
def test_html_matches_golden(name: str, request: pytest.FixtureRequest) -> None:
    content = validate(load_content(CONTENT))
    target = Target(slug="default")
    html = (render_guide if name == "career-guide" else render_cards)(content, target).html
    path = GOLDEN / f"{name}.html"
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(html, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if html != expected:
        diff = "".join(
            list(difflib.unified_diff(expected.splitlines(True), html.splitlines(True), str(path), "rendered"))[:60]
        )
        pytest.fail(f"{name}.html differs from the golden copy (update with --update-golden):\n{diff}")
