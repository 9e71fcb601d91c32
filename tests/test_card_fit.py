"""Cards never spill onto a second page: they shrink in bounded steps or fail clearly."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from conftest import CONTENT, ROLE_IDS, ROOT

from guide.errors import UserError
from guide.load import load_content
from guide.models import MAX_ITEMS, MAX_TEXT, Target
from guide.render_html import CARD_SCALES, render_cards
from guide.render_pdf import Renderer, card_pages, fit_cards
from guide.validate import validate


def _lengthen(content_dir: Path, role_id: str, extra_items: int, words: int) -> None:
    path = content_dir / "roles" / f"{role_id}.yaml"
    text = path.read_text()
    filler = " ".join(["Keeps stakeholders informed about progress, risks and decisions"] * words)
    items = "".join(f"  - {filler} {n}\n" for n in range(extra_items))
    text = text.replace("ready_for_next:\n", "ready_for_next:\n" + items, 1)
    path.write_text(text)


def _replace(content_dir: Path, role_id: str, pattern: str, replacement: str) -> None:
    path = content_dir / "roles" / f"{role_id}.yaml"
    text, count = re.subn(pattern, lambda _: replacement, path.read_text(), count=1, flags=re.MULTILINE)
    assert count == 1, (role_id, pattern)
    path.write_text(text)


def _fill_to_the_caps(content_dir: Path, over: int) -> None:
    """A summary and a list item of MAX_TEXT characters and a list of MAX_ITEMS items, plus `over`."""
    _replace(content_dir, "product-manager", r"^summary:.*\n(?:  .*\n)*", f"summary: {'x' * (MAX_TEXT + over)}\n")
    item = "y" * (MAX_TEXT + over)
    _replace(content_dir, "director-of-product", r"^ready_for_next:\n  - .*\n", f"ready_for_next:\n  - {item}\n")
    skills = "".join(f"  - Skill {n}\n" for n in range(MAX_ITEMS + over))
    _replace(content_dir, "senior-product-manager", r"^skills:\n(?:  - .*\n)+", f"skills:\n{skills}")


def _card_lists(html: str) -> dict[str, dict[str, int]]:
    """For each card in the deck's HTML: how many items each of its lists (bullets, checks, chips) shows."""
    cards = {}
    for card in html.split('<section class="card" id="card-')[1:]:
        role_id = card.split('"', 1)[0]
        lists = re.findall(r'<ul class="(\w+)">(.*?)</ul>', card, flags=re.DOTALL)
        cards[role_id] = {kind: items.count("<li>") for kind, items in lists}
    return cards


def _lists(role) -> dict[str, list[str]]:
    return {"bullets": role.responsibilities, "checks": role.ready_for_next, "chips": role.skills}


def test_card_text_is_capped_and_bounded_steps_are_documented(content_copy: Path) -> None:
    # Every text field is capped at MAX_TEXT characters and every list at MAX_ITEMS items: the caps pass...
    _fill_to_the_caps(content_copy, over=0)
    content = validate(load_content(content_copy))
    assert content.role("product-manager").summary == "x" * MAX_TEXT
    assert content.role("director-of-product").ready_for_next[0] == "y" * MAX_TEXT
    assert len(content.role("senior-product-manager").skills) == MAX_ITEMS
    # ...and one character or one item more fails, naming the file, the line and the field.
    _fill_to_the_caps(content_copy, over=1)
    with pytest.raises(UserError) as caught:
        validate(load_content(content_copy))
    found = {(problem.path.name, problem.field): str(problem) for problem in caught.value.problems}
    assert sorted(found) == [
        ("director-of-product.yaml", "ready_for_next[0]"),
        ("product-manager.yaml", "summary"),
        ("senior-product-manager.yaml", "skills"),
    ], found
    for (name, field), message in found.items():
        limit = f"at most {MAX_ITEMS} items" if field == "skills" else f"at most {MAX_TEXT} characters"
        assert re.search(rf"{name}:\d+:\d+: {re.escape(field)}: .*{limit}", message), message

    # A card shows the first four responsibilities, the first five "ready for next" criteria and every skill.
    content = validate(load_content(CONTENT))
    cards = _card_lists(render_cards(content, Target(slug="t")).html)
    assert list(cards) == [role.id for role in content.roles]
    for role in content.roles:
        shown = {"bullets": 4, "checks": 5, "chips": len(role.skills)}
        assert cards[role.id] == {kind: min(len(items), shown[kind]) for kind, items in _lists(role).items()}, role.id
    assert any(len(role.responsibilities) > 4 for role in content.roles)  # the cap is exercised
    assert any(len(role.ready_for_next) > 5 for role in content.roles)

    # The README states the caps and the steps a long card shrinks through, as the code has them.
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert 'A card shows the first four responsibilities, the first five "ready for the next step" criteria' in readme
    steps = re.search(r"in fixed steps: \*\*([^*]+)\*\*", readme)
    assert steps is not None
    assert steps.group(1) == ", ".join(f"{round(100 * s)} %" for s in CARD_SCALES)
    assert f"If it still does not fit at {round(100 * CARD_SCALES[-1])} %" in readme
    assert CARD_SCALES[0] == 1.0
    assert all(a > b for a, b in itertools.pairwise(CARD_SCALES))


def test_a_slightly_long_card_is_set_smaller_and_stays_on_one_page(content_copy: Path) -> None:
    path = content_copy / "roles" / "product-manager.yaml"
    summary = "The core role of the discipline. " * 8
    path.write_text(path.read_text().replace("summary: >-\n", f"summary: >-\n  {summary}\n", 1))
    content = validate(load_content(content_copy))
    fitted = fit_cards(content, Target(slug="t"), Renderer().render)
    html, deck, scales = fitted.html, fitted.deck, fitted.scales
    # One step smaller, and the whole deck with it: one type scale, so the cards look alike side by side.
    assert scales == dict.fromkeys(ROLE_IDS, 1)
    assert html.html.count(f'style="--scale: {CARD_SCALES[1]}"') == len(ROLE_IDS)
    assert len(deck.pages) == len(ROLE_IDS)
    assert [len(pages) for pages in card_pages(deck, content.roles).values()] == [1] * len(ROLE_IDS)


def test_a_card_far_too_long_fails_naming_the_role_and_the_excess(content_copy: Path) -> None:
    _lengthen(content_copy, "vp-of-product", extra_items=5, words=3)
    content = validate(load_content(content_copy))
    with pytest.raises(UserError) as caught:
        fit_cards(content, Target(slug="t"), Renderer().render)
    (problem,) = caught.value.problems
    message = str(problem)
    assert "VP of Product" in message and "82%" in message
    assert "mm too long" in message
    excess = int(message.split("about ")[1].split(" mm")[0])
    assert excess > 10


def test_the_shipped_content_fits_at_full_size() -> None:
    """A theme change that pushes a card over costs a second layout of that card: catch it here."""
    content = validate(load_content(CONTENT))
    fitted = fit_cards(content, Target(slug="t"), Renderer().render)
    deck, scales = fitted.deck, fitted.scales
    assert scales == {}
    assert len(deck.pages) == len(ROLE_IDS)
