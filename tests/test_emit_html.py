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


def test_a_company_s_fonts_and_images_travel_with_its_html(tmp_path: Path, small_content: Path) -> None:
    """Company fonts, stylesheets and the images they use are copied beside the HTML and named relatively."""
    import shutil

    from click.testing import CliRunner
    from conftest import make_company
    from pypdf import PdfReader

    from guide.cli import main

    folder = make_company(
        tmp_path,
        "acme",
        "name: Acme\nbrand:\n  font:\n    family: Acme Serif\n    files: [fonts/serif.otf]\n",
        {"styles/brand.css": ".card-title::after { content: url(../dot.svg); }"},
    )
    (folder / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    (folder / "fonts").mkdir()
    shutil.copy("/usr/share/fonts/opentype/ebgaramond/EBGaramond12-Regular.otf", folder / "fonts" / "serif.otf")
    out_dir, content = str(tmp_path / "out"), str(small_content)
    result = CliRunner().invoke(
        main, ["build", "--company", str(folder), "--emit-html", "--out", out_dir, "--content", content]
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / "acme"
    copied = {path.relative_to(out).as_posix() for path in (out / "assets").rglob("*") if path.is_file()}
    assert {"assets/fonts/serif.otf", "assets/styles/brand.css", "assets/dot.svg"} <= copied
    card = out / "cards" / "product-manager.html"
    for html in (out / "career-guide.html", card):
        text = html.read_text()
        assert "file:" not in text and str(tmp_path) not in text
    assert 'href="../assets/styles/brand.css"' in card.read_text()
    # Moved elsewhere, with the company folder gone, the HTML still makes the card, in the company's font.
    moved = tmp_path / "moved"
    shutil.copytree(out, moved)
    shutil.rmtree(folder)
    weasyprint = Path(sys.executable).with_name("weasyprint")
    again = tmp_path / "again.pdf"
    subprocess.run([str(weasyprint), str(moved / "cards" / "product-manager.html"), str(again)], check=True)
    assert _page_texts(again) == _page_texts(out / "cards" / "product-manager.pdf")
    fonts = PdfReader(again).pages[0]["/Resources"]["/Font"]
    assert any("Acme-Serif" in str(fonts[key].get_object()["/BaseFont"]) for key in fonts)
