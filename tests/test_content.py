"""The shipped content: complete, valid and non-empty."""

from __future__ import annotations

from pathlib import Path

from conftest import CONTENT, ROLE_IDS

from guide.load import load_content
from guide.models import Content
from guide.validate import validate


def _content() -> Content:
    return validate(load_content(CONTENT))


def test_every_role_id_is_present_in_ladder_order() -> None:
    content = _content()
    assert [role.id for role in content.roles] == ROLE_IDS
    assert [role.level for role in content.roles] == [1, 2, 3, 4, 5, 6]
    assert sorted(path.stem for path in (CONTENT / "roles").glob("*.yaml")) == sorted(ROLE_IDS)


def _empty_values(value, path=""):
    if isinstance(value, str):
        if not value.strip():
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _empty_values(item, f"{path}.{key}")
    elif isinstance(value, list):
        if not value:
            yield path
        for index, item in enumerate(value):
            yield from _empty_values(item, f"{path}[{index}]")


def test_no_field_is_empty() -> None:
    content = _content().model_dump(exclude_none=True, exclude={"sections"})
    assert list(_empty_values(content)) == []


def test_every_role_fills_every_competency_cell() -> None:
    content = _content()
    ids = [c.id for c in content.competencies.competencies]
    assert 5 <= len(ids) <= 7
    for role in content.roles:
        assert sorted(role.competencies) == sorted(ids), role.id


def test_top_role_lists_the_off_ramps() -> None:
    top = _content().roles[-1]
    titles = [step.title for step in top.next_steps]
    assert titles == ["General Manager", "Chief Operating Officer", "Chief Executive Officer"]
    assert all(step.role is None for step in top.next_steps)


def test_each_lower_role_points_to_the_next_level() -> None:
    content = _content()
    for lower, upper in zip(content.roles, content.roles[1:], strict=False):
        assert content.next_role(lower) == upper


def test_sources_credit_the_article() -> None:
    source = _content().guide.sources[0]
    assert source.author == "Dana Solomon"
    assert source.publisher == "ProductPlan"
    assert source.title == "What is the Product Manager Career Path?"


def test_role_files_are_named_by_id(tmp_path: Path) -> None:
    for path in (CONTENT / "roles").glob("*.yaml"):
        assert path.stem in ROLE_IDS
