"""Cards never spill onto a second page: they shrink in bounded steps or fail clearly."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import ROLE_IDS

from guide.errors import UserError
from guide.load import load_content
from guide.models import Target
from guide.pipeline import fit_cards
from guide.render_html import CARD_SCALES
from guide.render_pdf import Renderer, card_pages
from guide.validate import validate


def _lengthen(content_dir: Path, role_id: str, extra_items: int, words: int) -> None:
    path = content_dir / "roles" / f"{role_id}.yaml"
    text = path.read_text()
    filler = " ".join(["Keeps stakeholders informed about progress, risks and decisions"] * words)
    items = "".join(f"  - {filler} {n}\n" for n in range(extra_items))
    text = text.replace("ready_for_next:\n", "ready_for_next:\n" + items, 1)
    path.write_text(text)


def test_card_text_is_capped_and_bounded_steps_are_documented() -> None:
    assert CARD_SCALES[0] == 1.0
    assert all(a > b for a, b in itertools.pairwise(CARD_SCALES))
    assert CARD_SCALES[-1] >= 0.8


def test_a_slightly_long_card_is_set_smaller_and_stays_on_one_page(content_copy: Path) -> None:
    _lengthen(content_copy, "product-manager", extra_items=0, words=0)
    path = content_copy / "roles" / "product-manager.yaml"
    summary = "The core role of the discipline. " * 8
    path.write_text(path.read_text().replace("summary: >-\n", f"summary: >-\n  {summary}\n", 1))
    content = validate(load_content(content_copy))
    html, deck, scales = fit_cards(content, Target(slug="t"), Renderer())
    assert scales.get("product-manager", 0) >= 1
    assert "--scale: 1.0" not in html.html.split('id="card-product-manager"')[1][:60]
    assert len(deck.pages) == len(ROLE_IDS)
    assert [len(pages) for pages in card_pages(deck, content.roles).values()] == [1] * len(ROLE_IDS)


def test_a_card_far_too_long_fails_naming_the_role_and_the_excess(content_copy: Path) -> None:
    _lengthen(content_copy, "vp-of-product", extra_items=5, words=3)
    content = validate(load_content(content_copy))
    with pytest.raises(UserError) as caught:
        fit_cards(content, Target(slug="t"), Renderer())
    (problem,) = caught.value.problems
    message = str(problem)
    assert "VP of Product" in message and "82%" in message
    assert "mm too long" in message
    excess = int(message.split("about ")[1].split(" mm")[0])
    assert excess > 10


def test_the_shipped_content_fits_at_full_size() -> None:
    """A theme change that pushes a card over costs a second layout of that card: catch it here."""
    from conftest import CONTENT

    content = validate(load_content(CONTENT))
    _, deck, scales = fit_cards(content, Target(slug="t"), Renderer())
    assert scales == {}
    assert len(deck.pages) == len(ROLE_IDS)
