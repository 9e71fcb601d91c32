"""`careerguide export --xlsx`: the framework as a workbook, read back cell by cell against the YAML."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONTENT, ROLE_IDS
from openpyxl import load_workbook

from guide.cli import main
from guide.load import load_content


def _export(tmp_path: Path, content: Path = CONTENT) -> Path:
    out = tmp_path / "framework.xlsx"
    result = CliRunner().invoke(main, ["export", "--xlsx", str(out), "--content", str(content)])
    assert result.exit_code == 0, result.output
    return out


def _lines(value) -> list[str]:
    return str(value).split("\n")


def test_every_role_field_is_a_cell_and_every_list_one_item_per_line(tmp_path: Path) -> None:
    workbook = load_workbook(_export(tmp_path))
    assert workbook.sheetnames == ["Roles", "Competencies", "Guide", "Lists"]
    assert workbook["Lists"].sheet_state == "hidden"
    sheet = workbook["Roles"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == ROLE_IDS  # in ladder order
    roles = load_content(CONTENT).data["roles"]
    for role_id, fields in roles.items():
        for name, value in fields.items():
            if name == "competencies":
                continue
            cell = rows[role_id][name]
            assert (_lines(cell) if isinstance(value, list) else cell) == value, (role_id, name)
        assert rows[role_id]["track"] == "main" and rows[role_id]["next_steps"] is None
    # What a person editing it sees: a frozen header with notes, ids and titles kept in view, drop-downs.
    assert sheet.freeze_panes == "C2"
    assert "role's id" in sheet["A1"].comment.text and "off the ladder" in sheet["N1"].comment.text
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    assert rules["E2:E200"].type == "decimal" and (rules["E2:E200"].formula1, rules["E2:E200"].formula2) == ("0", "100")
    assert rules["F2:F200"].type == "list" and rules["F2:F200"].formula1 == "=Lists!$A$1:$A$1"
    assert sheet["I2"].alignment.wrap_text


def test_the_matrix_and_the_guide_text_are_the_yaml_s_text(tmp_path: Path) -> None:
    workbook = load_workbook(_export(tmp_path))
    data = load_content(CONTENT).data
    matrix = workbook["Competencies"]
    assert [cell.value for cell in matrix[1]] == ["competency", "name", *ROLE_IDS]
    for row, competency in zip(
        matrix.iter_rows(min_row=2, values_only=True), data["competencies"]["competencies"], strict=True
    ):
        assert row[:2] == (competency["id"], competency["name"])
        assert list(row[2:]) == [data["roles"][role]["competencies"][competency["id"]] for role in ROLE_IDS]
    guide = dict(workbook["Guide"].iter_rows(min_row=2, values_only=True))
    assert guide["subtitle"] == data["guide"]["subtitle"]  # placeholders as written: {Count}, {role:first}
    assert _lines(guide["introduction"]) == data["guide"]["introduction"]
    assert guide["how_to_read[4].title"] == data["guide"]["how_to_read"][3]["title"]
    assert guide["on_ramps.items[1].from"] == data["guide"]["on_ramps"]["items"][0]["from"]
    assert guide["date"].date() == data["guide"]["date"]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path, content_copy: Path) -> None:
    role = content_copy / "roles" / "product-manager.yaml"
    role.write_text(role.read_text(encoding="utf-8").replace("title: Product Manager", 'title: "=HYPERLINK(1)"', 1))
    out = _export(tmp_path, content_copy)
    assert load_workbook(out)["Roles"]["B3"].value == "=HYPERLINK(1)"
    archive = zipfile.ZipFile(out)
    sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
    assert len(sheets) == 4 and any(b"HYPERLINK" in archive.read(name) for name in sheets)
    assert not any(b"<f>" in archive.read(name) for name in sheets)  # no cell of the workbook is a formula


@pytest.mark.parametrize("name", ["framework.csv", "framework"])
def test_the_workbook_must_be_named_xlsx(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(main, ["export", "--xlsx", str(tmp_path / name), "--content", str(CONTENT)])
    assert result.exit_code == 2 and "ending in .xlsx" in result.output
    assert not (tmp_path / name).exists()
