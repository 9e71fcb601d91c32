"""`careerguide export --xlsx`: the framework as a workbook, read back cell by cell against the YAML."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONTENT, ROLE_IDS, ROOT, pdf_text
from openpyxl import load_workbook

from guide.cli import main
from guide.load import load_content

WORKBOOKS = Path(__file__).parent / "workbooks"


def _export(tmp_path: Path, content: Path = CONTENT) -> Path:
    out = tmp_path / "framework.xlsx"
    result = CliRunner().invoke(main, ["export", "--xlsx", str(out), "--content", str(content)])
    assert result.exit_code == 0, result.output
    return out


def _lines(value) -> list[str]:
    return str(value).split("\n")


def test_every_role_field_is_a_cell_and_every_list_one_item_per_line(tmp_path: Path) -> None:
    workbook = load_workbook(_export(tmp_path))
    assert workbook.sheetnames == ["Roles", "Competencies", "Tracks", "Guide", "About", "Lists", "Origin"]
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
    assert rules["F2:F200"].type == "list" and rules["F2:F200"].formula1 == "=Tracks!$A$2:$A$50"
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
    assert len(sheets) == 7 and any(b"HYPERLINK" in archive.read(name) for name in sheets)
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
    assert "changed texts of the shared content have translations (de, es, fr)" in dry.output
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


def test_a_sheet_of_too_many_rows_stops_at_the_limit(tmp_path: Path, content_copy: Path, monkeypatch) -> None:
    """The limits (2,000 filled rows, 20,000 in all) set low here, so that the test writes fewer rows."""
    import guide.files
    import guide.workbook_import

    monkeypatch.setattr(guide.workbook_import, "MAX_SHEET_ROWS", 100)
    monkeypatch.setattr(guide.files, "MAX_ROW_NUMBER", 1000)
    out = _export(tmp_path, content_copy)
    book = load_workbook(out)
    for row in range(2, 200):
        book["Guide"].cell(row, 1, f"field-{row}")
    book.save(out)
    result = _import(out, content_copy)
    assert result.exit_code == 1 and "framework.xlsx:Guide!A102: more than 100 rows" in result.output, result.output
    book = load_workbook(_export(tmp_path, content_copy))
    book["Guide"].cell(1500, 1, "title")  # empty rows count too, up to a point: a sheet can claim a million
    book.save(out)
    result = _import(out, content_copy)
    assert result.exit_code == 1 and "framework.xlsx: more than 1,000 rows" in result.output, result.output


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


def test_a_ladder_forks_and_gains_a_competency_in_the_workbook(tmp_path: Path, content_copy: Path) -> None:
    """A track, a role on it and a competency for every role, added in the sheets, become the content's files."""
    out = _export(tmp_path, content_copy)
    book = load_workbook(out)
    tracks = book["Tracks"]
    assert [c.value for c in tracks["A"]] == ["id", "main"]  # the main track is always there to name
    tracks.append(["main", "Management", "Leading the people who build the products.", None])
    tracks.delete_rows(2)
    tracks.append(
        ["individual-contributor", "Individual contributor", "Deeper, without a team.", "senior-product-manager"]
    )
    roles = book["Roles"]
    header = [cell.value for cell in roles[1]]
    senior = next(row for row in roles.iter_rows(min_row=2, values_only=True) if row[0] == "senior-product-manager")
    new = dict(zip(header, senior, strict=True)) | {
        "id": "principal-product-manager",
        "title": "Principal Product Manager",
        "short_title": "Principal PM",
        "level": 4,
        "track": "individual-contributor",
        "next_steps": None,
    }
    roles.append([new[name] for name in header])
    matrix = book["Competencies"]
    matrix.cell(1, matrix.max_column + 1, "principal-product-manager")
    for row in range(2, matrix.max_row + 1):
        matrix.cell(row, matrix.max_column, matrix.cell(row, matrix.max_column - 3).value)  # as the director's
    matrix.append(["ai-fluency", "AI fluency", *(f"AI at level {n}." for n in range(1, 8))])
    book.save(out)

    result = _import(out, content_copy)
    assert result.exit_code == 0, result.output
    assert "tracks.yaml: individual-contributor.branches_from changed (Tracks!D3)" in result.output
    assert "competencies.yaml: competencies changed (6 items, now 7; Competencies!A2:B8)" in result.output
    data = load_content(content_copy).data
    assert data["tracks"]["individual-contributor"]["branches_from"] == "senior-product-manager"
    assert data["tracks"]["main"]["name"] == "Management"
    assert data["roles"]["principal-product-manager"]["track"] == "individual-contributor"
    assert data["competencies"]["competencies"][-1] == {"id": "ai-fluency", "name": "AI fluency"}
    assert data["roles"]["associate-product-manager"]["competencies"]["ai-fluency"] == "AI at level 1."
    assert data["roles"]["principal-product-manager"]["competencies"]["ai-fluency"] == "AI at level 7."
    validated = CliRunner().invoke(main, ["validate", "--content", str(content_copy)])
    assert validated.exit_code == 0, validated.output


def test_a_workbook_saved_by_libreoffice_with_formulas_and_dates_imports(content_copy: Path) -> None:
    """tests/workbooks/from_libreoffice.xlsx: formulas with LibreOffice's saved values, a date cell, a hidden
    column and a sheet of the user's own; made by make_from_libreoffice.py (run it again if the content changes)."""
    result = _import(WORKBOOKS / "from_libreoffice.xlsx", content_copy)
    assert result.exit_code == 0, result.output
    changes = [line for line in result.output.splitlines() if ": " in line and not line.startswith("note")]
    assert sorted(changes) == [
        "guide.yaml: date changed (Guide!B6)",
        "roles/product-manager.yaml: level changed (Roles!E3)",
        "roles/senior-product-manager.yaml: title changed (Roles!B4)",
    ], result.output  # nothing else: LibreOffice's way of saving the rest changes nothing
    assert "note: the sheet `My notes` is not one careerguide reads" in result.output
    data = load_content(content_copy).data
    assert data["roles"]["product-manager"]["level"] == 2.5  # =1.5+1
    assert data["roles"]["senior-product-manager"]["title"] == "Senior Product Lead"  # ="Senior Product"&" Lead"
    assert str(data["guide"]["date"]) == "2027-03-01"  # typed as a date, shown as 01.03.2027


def test_merged_cells_and_formulas_without_a_value_are_named_and_refused(tmp_path: Path, content_copy: Path) -> None:
    out = _export(tmp_path, content_copy)
    book = load_workbook(out)
    book["Roles"].merge_cells("H3:I3")
    book.save(out)
    result = _import(out, content_copy)
    assert result.exit_code == 1 and "framework.xlsx:Roles!H3:I3: merged cells: unmerge them" in result.output
    book["Roles"].unmerge_cells("H3:I3")
    book["Roles"]["E3"] = "=1+1"  # openpyxl saves no value for a formula, as a script would
    book.save(out)
    result = _import(out, content_copy)
    assert result.exit_code == 1 and "cell Roles!E3 holds a formula with no saved value" in result.output


def test_exports_are_the_same_bytes_every_time(tmp_path: Path) -> None:
    """No time of saving in the file: every zip entry and the document's dates are fixed."""
    out = _export(tmp_path)
    archive = zipfile.ZipFile(out)
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    guide_date = load_content(CONTENT).data["guide"]["date"].isoformat()
    core = archive.read("docProps/core.xml").decode()
    assert core.count(f"{guide_date}T00:00:00Z") == 2, core  # created and modified: the guide's date
    # Nothing of this machine in it: exported elsewhere, the same file.
    assert not any(str(CONTENT).encode() in archive.read(name) for name in archive.namelist())
    again = tmp_path / "again.xlsx"
    CliRunner().invoke(main, ["export", "--xlsx", str(again), "--content", str(CONTENT)])
    assert again.read_bytes() == out.read_bytes()


# --- a company's workbook --------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A writable project: the content and the example companies."""
    shutil.copytree(CONTENT, tmp_path / "project" / "content")
    shutil.copytree(ROOT / "companies", tmp_path / "project" / "companies")
    return tmp_path / "project"


def _company_export(project: Path, slug: str) -> Path:
    out = project / f"{slug}.xlsx"
    args = ["export", "--xlsx", str(out), "--company", str(project / "companies" / slug)]
    result = CliRunner().invoke(main, [*args, "--content", str(project / "content")])
    assert result.exit_code == 0, result.output
    return out


def _company_import(project: Path, slug: str, *flags: str):
    args = ["import", str(project / f"{slug}.xlsx"), "--company", str(project / "companies" / slug)]
    return CliRunner().invoke(main, [*args, "--content", str(project / "content"), *flags])


@pytest.mark.parametrize("slug", ["northwind", "bergwerk", "lumen"])
def test_a_company_s_workbook_round_trips_unchanged(project: Path, slug: str) -> None:
    before = _files(project)
    _company_export(project, slug)
    result = _company_import(project, slug)
    assert result.exit_code == 0 and "nothing to change" in result.output, result.output
    assert {k: v for k, v in _files(project).items() if not k.endswith(".xlsx")} == before


def test_a_company_s_workbook_shows_its_ladder_and_marks_what_it_changed(project: Path) -> None:
    book = load_workbook(_company_export(project, "bergwerk"))
    assert book.sheetnames == [
        "Roles",
        "Competencies",
        "Tracks",
        "Guide",
        "Removed roles",
        "Sections",
        "About",
        "Lists",
        "Origin",
    ]
    roles = {row[0].value: row for row in book["Roles"].iter_rows(min_row=2)}
    assert "associate-product-manager" not in roles  # Bergwerk removed it: it is on the Removed roles sheet
    assert [c.value for c in book["Removed roles"]["A"][1:]] == ["associate-product-manager"]
    title = roles["director-of-product"][1]
    assert title.value == "Produktleitung" and title.fill.fgColor.rgb == "00FFF2CC"
    assert "Set by Bergwerk Software GmbH" in title.comment.text and "Leitung Produktmanagement" in title.comment.text
    # In the language Bergwerk writes in: the shared text as the guide prints it, in German, and not marked.
    summary = roles["product-manager"][6]
    assert summary.value.startswith("Die Kernrolle der Disziplin.") and summary.fill.fgColor.rgb != "00FFF2CC"
    assert "Bergwerk" in book["Sections"]["A2"].value
    nw = load_workbook(_company_export(project, "northwind"))
    own = {row[0].value: row for row in nw["Roles"].iter_rows(min_row=2)}["principal-product-manager"]
    assert {cell.fill.fgColor.rgb for cell in own} == {"00E2EFDA"}  # Northwind's own role: the whole row
    assert [row[0].value for row in nw["Tracks"].iter_rows(min_row=2)] == ["main", "individual-contributor"]
    contacts = nw["Sections"]["E3"].value.splitlines()
    assert contacts[1] == (
        "Daniel Reyes | People Partner, Product and Design | daniel.reyes@northwind.example | "
        "Promotion cycles, levels and pay bands"
    )


def test_a_change_on_each_sheet_of_a_company_s_workbook_reaches_its_guide(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from guide import outputs
    from guide.outputs import guide

    out = _company_export(project, "northwind")
    book = load_workbook(out)
    roles = book["Roles"]
    row = {roles.cell(r, 1).value: r for r in range(2, roles.max_row + 1)}
    roles.cell(row["product-manager"], 2).value = "Product Manager"  # back to the shared title
    cell = roles.cell(row["product-manager"], 9)
    cell.value = "Own the discovery backlog\n" + cell.value  # before the shared items (Northwind appends one)
    roles.cell(row["senior-product-manager"], 7).value = "Leads a product area at Northwind, end to end."
    roles.cell(row["principal-product-manager"], 2).value = "Staff Product Manager"  # Northwind's own role
    header = [cell.value for cell in roles[1]]
    principal = [cell.value for cell in roles[row["principal-product-manager"]]]
    distinguished = dict(zip(header, principal, strict=True)) | {
        "id": "distinguished-product-manager",
        "title": "Distinguished Product Manager",
        "short_title": "Distinguished PM",
        "level": 5,
        "next_steps": None,
    }
    roles.append([distinguished[name] for name in header])  # a new role of Northwind's own
    matrix = book["Competencies"]
    matrix.cell(1, matrix.max_column + 1, "distinguished-product-manager")
    for index in range(2, matrix.max_row + 1):
        matrix.cell(index, matrix.max_column, f"Sets the bar for the whole company ({index}).")
    roles.delete_rows(row["associate-product-manager"])
    book["Removed roles"]["A2"] = "associate-product-manager"
    book["Tracks"]["B3"] = "Principal track"
    book["Competencies"]["B3"] = "Product sense"
    guide_rows = {r[0].value: r[1] for r in book["Guide"].iter_rows(min_row=2)}
    guide_rows["how_to_read[1].title"].value = "Start with your own role"
    sections = book["Sections"]
    sections["C2"] = sections["C2"].value.replace("ten years ago", "a decade ago")
    book.save(out)

    result = _company_import(project, "northwind")
    assert result.exit_code == 0, result.output
    company = (project / "companies" / "northwind" / "company.yaml").read_text(encoding="utf-8")
    assert "product-manager: Product Manager II" not in company  # an override equal to the shared value goes
    assert "associate-product-manager: Product Manager I" not in company  # a removed role keeps no title
    assert "      prepend:\n        - Own the discovery backlog\n      append:\n" in company  # the append form kept
    assert "# Northwind Analytics: a US data company." in company and "\n\nroles:\n" in company  # comments, layout
    assert "Whether you joined us last week or a decade ago, this guide is for you.\n" in company  # folded at 72
    own = (project / "companies" / "northwind" / "roles" / "principal-product-manager.yaml").read_text()
    assert "title: Staff Product Manager" in own
    assert (
        "level: 5" in (project / "companies" / "northwind" / "roles" / "distinguished-product-manager.yaml").read_text()
    )

    monkeypatch.setattr(outputs, "UNITS", (guide.UNIT,))
    args = ["build", "--quiet", "--company", "northwind", "--out", str(project / "build")]
    monkeypatch.chdir(project)
    built = CliRunner().invoke(main, args)
    assert built.exit_code == 0, built.output
    text = pdf_text(project / "build" / "northwind" / "career-guide.pdf").replace("\u00ad", "")
    for words in (
        "Own the discovery backlog",
        "Leads a product area at Northwind, end to end.",
        "Staff Product Manager",
        "Distinguished Product Manager",
        "Sets the bar for the whole",  # (the matrix hyphenates "company")
        "Principal track",
        "Product sense",
        "Start with your own role",
        "a decade ago",
    ):
        assert words in text, words
    assert "Product Manager I " not in text and "Product Manager II" not in text


def test_an_old_company_workbook_does_not_undo_a_later_change_to_the_shared_text(project: Path) -> None:
    """Northwind's workbook is exported, the shared text is then fixed, then the workbook comes back with one edit."""
    out = _company_export(project, "northwind")
    role = project / "content" / "roles" / "senior-product-manager.yaml"
    role.write_text(role.read_text(encoding="utf-8").replace("summary: ", "summary: Fixed. ", 1), encoding="utf-8")
    book = load_workbook(out)
    rows = {row[0].value: row for row in book["Roles"].iter_rows(min_row=2)}
    rows["vp-of-product"][6].value = "Leads the product organisation at Northwind."  # the one edit
    book.save(out)
    result = _company_import(project, "northwind")
    assert result.exit_code == 0, result.output
    assert "roles.vp-of-product.summary changed" in result.output
    assert "1 cell still holds what the workbook was exported with" in result.output
    company = (project / "companies" / "northwind" / "company.yaml").read_text(encoding="utf-8")
    assert "senior-product-manager:\n    summary" not in company  # the old shared summary did not come back


def test_a_company_s_workbook_names_its_bad_cells(project: Path) -> None:
    out = _company_export(project, "northwind")
    book = load_workbook(out)
    book["Removed roles"]["A2"] = "vp-of-prodcut"
    book["Removed roles"]["A3"] = "product-manager"  # still on the Roles sheet
    book["Competencies"].cell(1, book["Competencies"].max_column + 1, "chief-product-oficer")
    book.save(out)
    before = _files(project / "companies")
    result = _company_import(project, "northwind")
    assert result.exit_code == 1, result.output
    bad_id = "northwind.xlsx:'Removed roles'!A2: id: `vp-of-prodcut` is not a shared role (did you mean `vp-of-product`"
    assert bad_id in result.output
    assert "'Removed roles'!A3: id: `product-manager` is also on the Roles sheet" in result.output
    assert "Competencies!J1: `chief-product-oficer` is not a role on the Roles sheet (did you mean" in result.output
    assert _files(project / "companies") == before


def test_import_writes_nothing_through_a_link_out_of_the_company_s_folder(project: Path, tmp_path: Path) -> None:
    folder = project / "companies" / "bergwerk"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "roles").symlink_to(elsewhere)  # an empty folder outside: a new role's file would land there
    out = _company_export(project, "bergwerk")
    book = load_workbook(out)
    roles = book["Roles"]
    header = [cell.value for cell in roles[1]]
    last = dict(zip(header, [cell.value for cell in roles[roles.max_row]], strict=True))
    roles.append([({**last, "id": "chief-of-staff", "title": "Chief of Staff"})[name] for name in header])
    matrix = book["Competencies"]
    matrix.cell(1, matrix.max_column + 1, "chief-of-staff")
    for row in range(2, matrix.max_row + 1):
        matrix.cell(row, matrix.max_column, "Keeps the leadership team's work moving.")
    book.save(out)
    result = _company_import(project, "bergwerk")
    assert result.exit_code == 1 and "bergwerk/roles: not a folder, or a link: import writes only" in result.output
    assert list(elsewhere.iterdir()) == []


def test_the_csv_never_starts_a_cell_with_a_formula(tmp_path: Path, content_copy: Path) -> None:
    role = content_copy / "roles" / "product-manager.yaml"
    text = role.read_text(encoding="utf-8")
    role.write_text(text.replace("  customer-empathy: ", '  customer-empathy: "=HYPERLINK(1)" # ', 1), encoding="utf-8")
    out = tmp_path / "matrix.csv"
    result = CliRunner().invoke(main, ["export", "--csv", str(out), "--content", str(content_copy)])
    assert result.exit_code == 0, result.output
    assert "'=HYPERLINK(1)" in out.read_text(encoding="utf-8-sig")


# --- what a crafted or mistaken workbook cannot do -----------------------------------------


def _rewrite(workbook: Path, member: str, edit) -> None:
    """Change one part of the .xlsx archive, as a tool other than openpyxl (or an attacker) could write it."""
    parts = {}
    with zipfile.ZipFile(workbook) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name)
    parts[member] = edit(parts[member])
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        # A comment of unclosed <mergeCell tags: a careless pattern takes minutes over it.
        (lambda xml: xml.replace(b"<sheetPr", b"<!-- " + b"<mergeCell " * 40_000 + b" --><sheetPr", 1), "nothing"),
        # An entity that expands a 40 KB file into gigabytes.
        (
            lambda xml: xml.replace(
                b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY e "' + b"A" * 290 + b'">]><worksheet', 1
            ).replace(b"<v>", b"<v>" + b"&e;" * 200_000, 1),
            "cannot read this Excel file",
        ),
        # Three million empty cells in one row: openpyxl would build them all before cutting the row to 64.
        (
            lambda xml: xml.replace(b"</row>", b"<c/>" * 3_000_000 + b"</row>", 1),
            "row 1 of Roles holds tens of thousands of cells",
        ),
    ],
    ids=["merge-comment", "entities", "wide-row"],
)
def test_a_small_crafted_workbook_is_read_quickly_and_in_little_memory(
    tmp_path: Path, content_copy: Path, edit, expected: str
) -> None:
    """In a process allowed 800 MB of address space and 20 s: each of these files would take gigabytes or minutes."""
    import resource
    import subprocess
    import sys

    out = _export(tmp_path, content_copy)
    _rewrite(out, "xl/worksheets/sheet1.xml", edit)
    assert out.stat().st_size < 200_000

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (800 * 1024 * 1024,) * 2)

    careerguide = Path(sys.executable).with_name("careerguide")
    result = subprocess.run(
        [careerguide, "import", out, "--dry-run", "--content", content_copy],
        capture_output=True,
        text=True,
        timeout=20,
        preexec_fn=limited,
    )
    assert "Traceback" not in result.stderr + result.stdout
    if expected == "nothing":
        assert result.returncode == 0 and "nothing to change" in result.stdout, result.stderr
    else:
        assert result.returncode == 1 and expected in result.stderr, result.stderr


def test_bad_cells_of_every_kind_are_named(tmp_path: Path, content_copy: Path) -> None:
    from openpyxl.worksheet.formula import ArrayFormula

    out = _export(tmp_path, content_copy)
    book = load_workbook(out)
    roles = book["Roles"]
    roles["A8"] = "a" * 300  # an id too long for a file name
    roles["E3"] = "1_0"  # Python would read this as 10
    roles["N3"] = "senior-product-manager\nvp-of-prodct | a jump"  # a mistyped role id in next steps
    roles["C4"] = ArrayFormula("C4", "=UPPER(B4)")  # no saved value
    book["Competencies"]["E1"] = "associate-product-manager"  # a role column twice
    book["Guide"].append(["subtitle", "Said twice"])
    book.save(out)
    result = _import(out, content_copy)
    assert result.exit_code == 1, result.output
    assert "cell Roles!C4 holds a formula with no saved value" in result.output  # reading stops at the first such
    roles["C4"] = None
    book.save(out)
    result = _import(out, content_copy)
    errors = result.output
    assert "Roles!A8: id: `" in errors and "64 at most" in errors
    assert "Roles!E3: level: a level is a number, such as 2 or 3.5, not `1_0`" in errors
    assert "Roles!N3: next_steps: `vp-of-prodct` is not a role on the ladder (did you mean `vp-of-product`?)" in errors
    assert "Competencies!E1: the column `associate-product-manager` is there twice" in errors
    assert "is on two rows" in errors and "Traceback" not in errors
    assert result.exit_code == 1


def test_an_export_that_a_cell_cannot_hold_is_refused_by_its_field(tmp_path: Path, content_copy: Path) -> None:
    role = content_copy / "roles" / "product-manager.yaml"
    text = role.read_text(encoding="utf-8")
    role.write_text(text.replace("summary: ", 'summary: "\\x01', 1).replace("\nhiring_signals", '"\nhiring_signals', 1))
    result = CliRunner().invoke(main, ["export", "--xlsx", str(tmp_path / "f.xlsx"), "--content", str(content_copy)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "cannot export summary of product-manager (Roles!G3): the text holds a control character (U+0001)" in (
        result.output
    )
    assert not (tmp_path / "f.xlsx").exists()


def test_a_company_s_workbook_goes_back_only_where_it_came_from(project: Path) -> None:
    out = _company_export(project, "northwind")
    before = _files(project)
    into_content = CliRunner().invoke(main, ["import", str(out), "--content", str(project / "content")])
    assert into_content.exit_code == 1 and "is Northwind Analytics's workbook" in into_content.output
    assert "--company northwind" in into_content.output
    shared = project / "shared.xlsx"
    CliRunner().invoke(main, ["export", "--xlsx", str(shared), "--content", str(project / "content")])
    args = ["import", str(shared), "--company", str(project / "companies" / "bergwerk")]
    into_company = CliRunner().invoke(main, [*args, "--content", str(project / "content")])
    assert into_company.exit_code == 1 and "is the shared content's workbook" in into_company.output
    assert {k: v for k, v in _files(project).items() if not k.endswith(".xlsx")} == {
        k: v for k, v in before.items() if not k.endswith(".xlsx")
    }


def test_import_keeps_a_file_s_permissions_and_line_ends(tmp_path: Path, content_copy: Path) -> None:
    guide_file = content_copy / "guide.yaml"
    guide_file.write_bytes(guide_file.read_bytes().replace(b"\n", b"\r\n"))
    guide_file.chmod(0o600)
    out = _export(tmp_path, content_copy)
    book = load_workbook(out)
    rows = {row[0].value: row[1] for row in book["Guide"].iter_rows(min_row=2)}
    rows["ladder.title"].value = "The ladder, at a glance"
    book.save(out)
    before = guide_file.read_bytes()
    result = _import(out, content_copy)
    assert result.exit_code == 0, result.output
    after = guide_file.read_bytes()
    assert after == before.replace(b"The ladder at a glance", b"The ladder, at a glance")
    assert guide_file.stat().st_mode & 0o777 == 0o600


def test_the_mistakes_a_person_makes_in_a_workbook_are_named(tmp_path: Path, content_copy: Path) -> None:
    out = _export(tmp_path, content_copy)
    book = load_workbook(out)
    book["Roles"].title = "Rollen"  # a renamed sheet
    book.save(out)
    result = _import(out, content_copy)
    assert result.exit_code == 1 and "the workbook has no sheet named 'Roles' (it has Rollen" in result.output
    book["Rollen"].title = "Roles"
    roles = book["Roles"]
    roles["I1"] = None  # a cleared header cell, over edited cells
    roles["I3"] = roles["I3"].value + "\nOne more"
    roles["A3"] = "product-manger"  # a mistyped id
    header = [cell.value for cell in roles[1]]
    roles.append(["staff-product-manager", "Staff Product Manager", None, None, 3.5])  # a new role, mostly empty
    roles["N4"] = "Director of Product"  # a next step by its title, as people write it
    book.save(out)
    result = _import(out, content_copy)
    errors = result.output
    assert result.exit_code == 1
    assert "Roles!I1: this column has no name: write its name back in the first row" in errors
    assert "Roles!A3: id: `product-manger` is not a role here: did you mean `product-manager`, whose row" in errors
    for column in ("G", "H", "J", "K", "L", "M"):  # every cell the new role still needs, at once
        assert f"Roles!{column}8: " in errors and "a new role needs its" in errors, column
    assert "Roles!A8: responsibilities: a new role needs its responsibilities, and the sheet has no" in errors
    assert "Competencies!A1: `staff-product-manager` is a new role: add its column here" in errors
    assert "`product-manger` is a new role" not in errors
    assert "next_steps" not in errors  # "Director of Product" is the director's title: a step to that role
    assert header[8] is None


def test_a_next_step_written_as_a_title_becomes_that_role(tmp_path: Path, content_copy: Path) -> None:
    out = _export(tmp_path, content_copy)
    book = load_workbook(out)
    book["Roles"]["N4"] = "Director of Product | after two years or so"
    book.save(out)
    result = _import(out, content_copy)
    assert result.exit_code == 0, result.output
    steps = load_content(content_copy).data["roles"]["senior-product-manager"]["next_steps"]
    assert steps == [{"role": "director-of-product", "note": "after two years or so"}]


def test_a_company_s_mistakes_are_named(project: Path) -> None:
    out = _company_export(project, "northwind")
    book = load_workbook(out)
    book["Removed roles"]["A2"] = "principal-product-manager"  # Northwind's own role
    book["Sections"]["E3"] = "Maya Okafor, CPO, maya.okafor@northwind.example"  # commas, not bars
    del book["Lists"]  # the mark of what it was made from, gone
    book.save(out)
    result = _company_import(project, "northwind")
    assert result.exit_code == 1
    assert "`principal-product-manager` is Northwind Analytics's own role: to remove it, delete companies/" in (
        result.output
    )
    assert "Sections!E3: contacts: write each line's parts between bars: name | role | email | note" in result.output
    into_content = CliRunner().invoke(main, ["import", str(out), "--content", str(project / "content")])
    assert into_content.exit_code == 1 and "this is a company's workbook (it has the Removed roles" in (
        into_content.output
    )


def test_every_header_cell_says_what_its_column_is_for(project: Path) -> None:
    book = load_workbook(_company_export(project, "northwind"))
    for name in ("Roles", "Competencies", "Tracks", "Guide", "Removed roles", "Sections"):
        for cell in book[name][1]:
            assert cell.comment is not None and len(cell.comment.text) > 20, (name, cell.value)
    assert "track" in book["Tracks"]["A1"].comment.text and "role's id" not in book["Tracks"]["A1"].comment.text


def test_import_says_what_a_build_would_warn_about_at_its_cell_and_drops_typed_bullets(project: Path) -> None:
    out = _company_export(project, "northwind")
    book = load_workbook(out)
    rows = {row[0].value: row for row in book["Roles"].iter_rows(min_row=2)}
    rows["senior-product-manager"][1].value = "Lead Product Manager"  # other roles' text still says "senior PM"
    rows["vp-of-product"][10].value = "• Organisational design\n• Hiring leaders"  # skills, typed as bullets
    book.save(out)
    result = _company_import(project, "northwind")
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.output.splitlines() if line.startswith("warning: "))
    assert "is called Lead Product Manager here" in warning and "(northwind.xlsx:Roles!L" in warning
    assert "2 changes written" in result.output  # the warning is not counted as a change
    company = (project / "companies" / "northwind" / "company.yaml").read_text(encoding="utf-8")
    assert "      - Organisational design\n      - Hiring leaders\n" in company
