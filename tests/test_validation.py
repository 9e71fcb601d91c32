"""Broken content gives one clear problem per mistake, with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from guide.errors import UserError
from guide.load import load_content
from guide.validate import validate


def _problems(content_dir: Path) -> list[str]:
    with pytest.raises(UserError) as caught:
        validate(load_content(content_dir))
    return [str(problem) for problem in caught.value.problems]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_unknown_key_names_file_line_field_and_suggests(content_copy: Path) -> None:
    role = content_copy / "roles" / "product-manager.yaml"
    _edit(role, "hiring_signals:", "hiring_signal:")
    line = _line_of(role, "hiring_signal:")
    problems = _problems(content_copy)
    assert f"roles/product-manager.yaml:{line}:1: hiring_signal: unknown field (did you mean `hiring_signals`?)" in (
        "\n".join(problems)
    )
    assert any("hiring_signals: required field is missing" in p for p in problems)


def test_missing_required_field(content_copy: Path) -> None:
    role = content_copy / "roles" / "vp-of-product.yaml"
    text = role.read_text()
    start = text.index("experience: >-")
    end = text.index("ready_for_next:")
    role.write_text(text[:start] + text[end:])
    (problem,) = _problems(content_copy)
    assert "roles/vp-of-product.yaml:1:1: experience: required field is missing" in problem


def test_wrong_type_points_at_the_item(content_copy: Path) -> None:
    role = content_copy / "roles" / "director-of-product.yaml"
    _edit(role, "  - Experience leading people", "  - Experience: leading people")
    line = _line_of(role, "Experience: leading people")
    (problem,) = _problems(content_copy)
    assert f"director-of-product.yaml:{line}:5: hiring_signals[0]: expected text" in problem


def test_empty_list_and_text(content_copy: Path) -> None:
    role = content_copy / "roles" / "product-manager.yaml"
    _edit(role, "title: Product Manager", 'title: ""')
    _edit(role, "competencies:\n", "next_steps: []\n\ncompetencies:\n")
    problems = _problems(content_copy)
    assert any("title: must not be empty" in p for p in problems)
    assert any("next_steps: must not be empty" in p for p in problems)


def test_every_problem_is_reported_at_once(content_copy: Path) -> None:
    _edit(content_copy / "guide.yaml", "subtitle:", "subtitel:")
    _edit(content_copy / "roles" / "vp-of-product.yaml", "level: 5", "level: five")
    problems = _problems(content_copy)
    assert any(p.startswith("content/guide.yaml") or "guide.yaml:" in p for p in problems)
    assert any("vp-of-product.yaml" in p and "level" in p for p in problems)


def test_cross_file_rules(content_copy: Path) -> None:
    _edit(content_copy / "roles" / "vp-of-product.yaml", "level: 5", "level: 4")
    _edit(
        content_copy / "roles" / "product-manager.yaml",
        "competencies:\n",
        "next_steps:\n  - role: senior-product-manager2\n\ncompetencies:\n",
    )
    _edit(
        content_copy / "roles" / "associate-product-manager.yaml",
        '  strategy: "**Understands',
        '  strategyy: "**Understands',
    )
    problems = "\n".join(_problems(content_copy))
    assert "level: level 4 is also used by director-of-product" in problems
    assert "next_steps[0].role: unknown role id `senior-product-manager2` (did you mean `senior-product-manager`?)" in (
        problems
    )
    assert "competencies: no entry for competency `strategy`" in problems
    assert "competencies.strategyy: not a competency in competencies.yaml (did you mean `strategy`?)" in problems


def test_yaml_syntax_error_has_line_and_column(content_copy: Path) -> None:
    role = content_copy / "roles" / "product-manager.yaml"
    _edit(role, "level: 2", "level: [2")
    (problem,) = _problems(content_copy)
    assert "product-manager.yaml:" in problem and "invalid YAML" in problem


def test_invalid_utf8_is_a_clear_error(content_copy: Path) -> None:
    (content_copy / "roles" / "product-manager.yaml").write_bytes(b"title: \xff\xfe broken\n")
    (problem,) = _problems(content_copy)
    assert "not valid UTF-8" in problem


def test_bad_role_file_name(content_copy: Path) -> None:
    (content_copy / "roles" / "Product Manager.yaml").write_text("title: x\n")
    problems = _problems(content_copy)
    assert any("Product Manager.yaml" in p and "file name must be its id" in p for p in problems)


def test_missing_files(tmp_path: Path) -> None:
    (tmp_path / "roles").mkdir()
    problems = _problems(tmp_path)
    assert any("guide.yaml" in p and "missing file" in p for p in problems)
    assert any("no role files" in p for p in problems)


@pytest.mark.parametrize(("typed", "read"), [("A4", "a4"), ("Letter", "letter"), (" letter ", "letter")])
def test_paper_and_card_size_are_read_in_either_case(typed: str, read: str) -> None:
    from guide.models import CompanyFile

    company = CompanyFile.model_validate({"name": "Acme", "paper": typed, "cards": {"size": "A6"}})
    assert company.paper == read and company.cards.size == "a6"


def test_a_language_code_in_capitals_is_read(tmp_path: Path) -> None:
    from conftest import CONTENT, make_company

    from guide.load import load_content
    from guide.pipeline import prepare_company

    folder = make_company(tmp_path, "acme", "name: Acme\nlocale: DE\npaper: A4\n")
    prepared = prepare_company(load_content(CONTENT), folder)
    assert prepared.target.locale == "de" and prepared.target.paper == "a4"
