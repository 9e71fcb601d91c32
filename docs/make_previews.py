"""Render the README's preview images from a build folder.

Usage: python docs/make_previews.py build/default docs
"""

from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2 as pdfium

WIDTH = 800  # pixels: sharp in the README, small in the repository


def page_png(pdf: Path, index: int, out: Path) -> None:
    document = pdfium.PdfDocument(str(pdf))
    page = document[index]
    image = page.render(scale=WIDTH / page.get_width()).to_pil().convert("RGB")
    image = image.quantize(colors=128)  # flat colours: a palette keeps the files small
    image.save(out, optimize=True)
    print(out)


def main(build: Path, docs: Path) -> None:
    guide = build / "career-guide.pdf"
    texts = pdfium.PdfDocument(str(guide))
    role_page = matrix_page = None
    for index in range(len(texts)):
        text = texts[index].get_textpage().get_text_range()
        if role_page is None and "Product Manager\r\n" in text and "LEVEL 2 OF" in text:
            role_page = index
        if "Competency matrix" in text and "Leadership" in text:
            matrix_page = index
    page_png(guide, 0, docs / "preview-cover.png")
    page_png(guide, 1, docs / "preview-contents.png")
    page_png(guide, role_page or 7, docs / "preview-role.png")
    page_png(guide, matrix_page or 17, docs / "preview-matrix.png")
    page_png(build / "cards" / "product-manager.pdf", 0, docs / "preview-card.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
