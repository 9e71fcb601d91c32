"""`--emit-html` writes the exact HTML WeasyPrint saw, and it reproduces the PDF."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
from conftest import ROLE_IDS


def test_html_written_next_to_each_pdf(built) -> None:
    out, _, _ = built
    assert (out / "career-guide.html").is_file()
    assert (out / "role-cards.html").is_file()
    for role_id in ROLE_IDS:
        html = (out / "cards" / f"{role_id}.html").read_text()
        assert html.count('<section class="card"') == 1
        assert f'id="card-{role_id}"' in html


def test_emitted_html_is_self_contained(built) -> None:
    out, _, _ = built
    html = (out / "career-guide.html").read_text()
    assert "<style>" in html and "--primary: #1E3A5F" in html
    assert "<link" not in html and "url(" not in html


def test_weasyprint_command_on_emitted_html_reproduces_the_pdf(built, tmp_path: Path) -> None:
    out, _, _ = built
    for name in ("career-guide", "cards/product-manager"):
        again = tmp_path / f"{Path(name).name}.pdf"
        weasyprint = Path(sys.executable).with_name("weasyprint")
        subprocess.run([str(weasyprint), str(out / f"{name}.html"), str(again)], check=True)
        assert _page_texts(out / f"{name}.pdf") == _page_texts(again)


def _page_texts(pdf: Path) -> list[str]:
    """Each page's text, as PDFium reads it (quickly)."""
    document = pdfium.PdfDocument(str(pdf))
    return [document[index].get_textpage().get_text_range() for index in range(len(document))]
