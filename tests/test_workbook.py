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


# --- import ------------------------------------------------------------------------


def _import(workbook: Path, content: Path, *flags: str):
    return CliRunner().invoke(main, ["import", str(workbook), "--content", str(content), *flags])


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_export_then_import_changes_nothing(tmp_path: Path, content_copy: Path) -> None:
    before = _files(content_copy)
    result = _import(_export(tmp_path, content_copy), content_copy)
    assert result.exit_code == 0 and "nothing to change" in result.output, result.output
    assert _files(content_copy) == before


def test_an_edited_cell_changes_that_field_and_nothing_else(tmp_path: Path, content_copy: Path) -> None:
    from guide.load import load_content as load

    out = _export(tmp_path, content_copy)
    book = load_workbook(out)
    roles = book["Roles"]
    assert roles["A3"].value == "product-manager" and roles["I1"].value == "responsibilities"
    roles["I3"].value += "\nRun the quarterly planning of the product area"
    book["Competencies"]["D2"].value = "Runs **discovery** every week."
    guide = {row[0].value: row[1] for row in book["Guide"].iter_rows(min_row=2)}
    guide["ladder.title"].value = "The ladder, at a glance"
    # A new role: a row on Roles and a column on Competencies.
    new = roles.max_row + 1
    row = {"id": "principal-pm", "title": "Principal Product Manager", "level": 3.5, "track": "main"}
    for column, cell in enumerate(roles[2], start=1):
        name = roles.cell(1, column).value
        roles.cell(new, column, row.get(name, cell.value if name not in ("next_steps", "short_title") else None))
    matrix = book["Competencies"]
    matrix.cell(1, matrix.max_column + 1, "principal-pm")
    for index in range(2, matrix.max_row + 1):
        matrix.cell(index, matrix.max_column, f"Principal level {index}.")
    book.save(out)
    before = _files(content_copy)

    dry = _import(out, content_copy, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "responsibilities changed (5 items, now 6; Roles!I3)" in dry.output and "nothing written" in dry.output
    assert _files(content_copy) == before

    result = _import(out, content_copy)
    assert result.exit_code == 0, result.output
    after = _files(content_copy)
    assert set(after) - set(before) == {"roles/principal-pm.yaml"}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"roles/product-manager.yaml", "guide.yaml"}
    # The lines that changed are the edited fields', and the files' comments and layout stay.
    old, now = before["roles/product-manager.yaml"].decode(), after["roles/product-manager.yaml"].decode()
    assert (
        now.replace("  - Run the quarterly planning of the product area\n", "", 1).replace(
            "Runs **discovery** every week.", "Runs **discovery** and can name the precise problems the product solves."
        )
        == old
    )
    assert (
        before["guide.yaml"].decode().replace("The ladder at a glance", "The ladder, at a glance")
        == after["guide.yaml"].decode()
    )
    data = load(content_copy).data
    assert data["roles"]["principal-pm"]["level"] == 3.5
    assert data["roles"]["principal-pm"]["competencies"]["customer-empathy"] == "Principal level 2."


def test_every_bad_cell_is_named_and_nothing_is_written(tmp_path: Path, content_copy: Path) -> None:
    out = _export(tmp_path, content_copy)
    book = load_workbook(out)
    roles = book["Roles"]
    roles["E4"].value = "high"  # level
    roles["I3"].value = "\n".join(f"Responsibility {n}" for n in range(40))  # too many: the model's own limit
    roles["O1"].value = "responsibilites"  # an unknown column, misspelt
    book["Guide"]["A3"].value = "subtitel"
    book.save(out)
    before = _files(content_copy)
    result = _import(out, content_copy)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert any("framework.xlsx:Roles!E4: level: a level is a number" in line for line in errors), result.output
    assert any("framework.xlsx:Roles!O1: unknown column `responsibilites` (did you mean" in e for e in errors)
    assert any(
        "framework.xlsx:Guide!A3: `subtitel` is not a field of the guide (did you mean `subtitle`" in e for e in errors
    )
    assert "Traceback" not in result.output
    assert _files(content_copy) == before
    # The level mended, the list still too long: that problem comes from the validation of the content, at its cell.
    roles["E4"].value = 4
    roles["O1"].value = None
    book["Guide"]["A3"].value = "subtitle"
    book.save(out)
    result = _import(out, content_copy)
    assert result.exit_code == 1 and "framework.xlsx:Roles!I3: responsibilities" in result.output, result.output
    assert _files(content_copy) == before


def test_a_file_that_is_not_a_workbook_is_refused_by_name(tmp_path: Path, content_copy: Path) -> None:
    fake = tmp_path / "framework.xlsx"
    fake.write_bytes(b"name,role\n")
    result = _import(fake, content_copy)
    assert result.exit_code == 1 and "framework.xlsx: cannot read this Excel file" in result.output


def test_a_sheet_of_too_many_rows_stops_at_the_limit(tmp_path: Path, content_copy: Path) -> None:
    out = _export(tmp_path, content_copy)
    book = load_workbook(out)
    book["Guide"].cell(5000, 1, "title")
    book.save(out)
    result = _import(out, content_copy)
    assert result.exit_code == 1 and "framework.xlsx:Guide!A2001: more than 2000 rows" in result.output, result.output


def test_the_matrix_as_csv_for_google_sheets(tmp_path: Path) -> None:
    import csv

    out = tmp_path / "matrix.csv"
    result = CliRunner().invoke(main, ["export", "--csv", str(out), "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8 too
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    data = load_content(CONTENT).data
    assert rows[0] == ["competency", "name", *ROLE_IDS]
    assert [row[0] for row in rows[1:]] == [c["id"] for c in data["competencies"]["competencies"]]
    assert rows[1][2:] == [data["roles"][r]["competencies"][rows[1][0]] for r in ROLE_IDS]
    nothing = CliRunner().invoke(main, ["export", "--content", str(CONTENT)])
    assert nothing.exit_code == 2 and "--xlsx FILE" in nothing.output and "--csv FILE" in nothing.output


def test_import_never_writes_into_the_content_that_ships_with_the_package(tmp_path: Path, monkeypatch) -> None:
    out = _export(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(main, ["import", str(out)])
    assert result.exit_code == 1 and "no content/ folder here" in result.output
