"""Make `from_libreoffice.xlsx`: an exported workbook edited the way a spreadsheet user would, saved by LibreOffice.

Run it again when the shipped content changes (it needs LibreOffice Calc:
`apt-get install libreoffice-calc-nogui`):

    .venv/bin/python tests/workbooks/make_from_libreoffice.py

The edits: a level and a title typed as formulas, the guide's date typed as
a date, a hidden column, an extra sheet of the user's own notes. LibreOffice
calculates the formulas and saves their values, and writes the file in its
own way (its own styles, shared strings, sheet XML), which is the point.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import load_workbook

from guide.workbook import export_workbook

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "edited.xlsx"
        work.write_bytes(export_workbook(ROOT / "content"))
        book = load_workbook(work)
        roles = book["Roles"]
        rows = {roles.cell(row, 1).value: row for row in range(2, roles.max_row + 1)}
        roles.cell(rows["product-manager"], 5).value = "=1.5+1"  # level: 2.5
        roles.cell(rows["senior-product-manager"], 2).value = '="Senior Product"&" Lead"'
        roles.column_dimensions["D"].hidden = True
        guide = book["Guide"]
        for row in guide.iter_rows(min_row=2):
            if row[0].value == "date":
                row[1].value = dt.datetime(2027, 3, 1)
                row[1].number_format = "DD.MM.YYYY"
        notes = book.create_sheet("My notes")
        notes["A1"] = "Ask Dana about the staff level before the next cycle."
        book.save(work)
        out = Path(scratch) / "out"
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(work)],
            check=True,
            cwd=scratch,
        )
        shutil.copy(out / "edited.xlsx", HERE / "from_libreoffice.xlsx")


if __name__ == "__main__":
    main()
