"""Render the README's preview images from a build folder.

Usage: python docs/make_previews.py build docs

Writes the default guide's cover, contents, a role section, the matrix and a
card, the cover and a card of every example company built into `build/`, a
packet, and northwind's A6 cards (front, back, an imposed A3 sheet).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2 as pdfium

WIDTH = 800  # pixels: sharp in the README, small in the repository
EXAMPLES = ("northwind", "bergwerk", "lumen")


def page_png(pdf: Path, index: int, out: Path, width: int = WIDTH) -> None:
    page = pdfium.PdfDocument(str(pdf))[index]
    image = page.render(scale=width / page.get_width()).to_pil().convert("RGB")
    image = image.quantize(colors=128)  # flat colours: a palette keeps the files small
    image.save(out, optimize=True)
    print(out)


def find_page(pdf: Path, *needles: str) -> int:
    document = pdfium.PdfDocument(str(pdf))
    for index in range(len(document)):
        text = document[index].get_textpage().get_text_range()
        if all(needle in text for needle in needles):
            return index
    raise SystemExit(f"no page of {pdf} has {needles}")


def main(build: Path, docs: Path) -> None:
    guide = build / "default" / "career-guide.pdf"
    page_png(guide, 0, docs / "preview-cover.png")
    page_png(guide, 1, docs / "preview-contents.png")
    page_png(guide, find_page(guide, "Product Manager\r\nThe core role"), docs / "preview-role.png")
    page_png(guide, find_page(guide, "Competency matrix", "Leadership"), docs / "preview-matrix.png")
    page_png(build / "default" / "cards" / "product-manager.pdf", 0, docs / "preview-card.png")
    packet = build / "northwind" / "onboarding" / "amelie-durand.pdf"
    if packet.is_file():
        page_png(packet, 0, docs / "example-packet-cover.png", 500)
        page_png(packet, 1, docs / "example-packet-role.png", 500)
    cards = build / "print" / "northwind"  # `make previews` builds A6 cards with backs, four to an A3 sheet, here
    if cards.is_dir():
        page_png(cards / "cards" / "senior-product-manager.pdf", 0, docs / "example-a6-card.png", 400)
        page_png(cards / "cards" / "senior-product-manager.pdf", 1, docs / "example-a6-back.png", 400)
        page_png(cards / "role-cards.pdf", 0, docs / "example-a6-sheet.png", 560)
    for slug in EXAMPLES:
        if (build / slug).is_dir():
            page_png(build / slug / "career-guide.pdf", 0, docs / f"example-{slug}-cover.png", 500)
            page_png(build / slug / "cards" / "senior-product-manager.pdf", 0, docs / f"example-{slug}-card.png", 500)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
