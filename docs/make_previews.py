"""Render the README's preview images from a build folder.

Usage: python docs/make_previews.py build docs

Writes the default guide's cover, contents, a role section, the matrix and a
card, the cover and a card of every example company built into `build/`, a
packet, and northwind's A6 cards (front, back, an imposed A3 sheet); then, in
Debian's Chromium, northwind's web edition at desktop and phone widths and
`careerguide serve` showing it beside its guide; and northwind's workbook
(`export --xlsx`) as LibreOffice Calc prints it, with grid and headings.
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


def browser(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(argument)
    options.add_argument("--force-device-scale-factor=1")
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_window_size(width, height)
    return driver


def screenshot(driver, out: Path) -> None:
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(driver.get_screenshot_as_png())).convert("RGB").quantize(colors=128)
    image.save(out, optimize=True)
    print(out)


def web_previews(build: Path, docs: Path) -> None:
    """The web edition as a reader sees it, and the live preview as a designer does."""
    import threading
    import time

    from guide.plan import BuildOptions
    from guide.serve import serve

    site = build / "northwind" / "web"
    for name, page, width, height in (
        ("web-desktop", "index.html", 1100, 760),
        ("web-phone", "roles/senior-product-manager.html", 360, 760),
    ):
        driver = browser(width, height)
        try:
            driver.get((site / page).resolve().as_uri())
            screenshot(driver, docs / f"{name}.png")
        finally:
            driver.quit()
    stop, ready = threading.Event(), []
    options = BuildOptions(out_dir=build, companies=("northwind",))
    hooks = {"port": 0, "say": lambda _: None, "stop": stop, "ready": ready.append}
    server = threading.Thread(target=serve, args=(options,), kwargs=hooks)
    server.start()
    driver = browser(1280, 760)
    try:
        while not ready:
            time.sleep(0.1)
        driver.get(ready[0])
        pages = "return [...document.querySelectorAll('#pages img')].map(i => i.naturalWidth)"
        while not (driver.execute_script(pages) or [0])[0]:
            time.sleep(0.2)
        screenshot(driver, docs / "serve.png")
    finally:
        driver.quit()
        stop.set()
        server.join()


def workbook_preview(docs: Path) -> None:
    """Northwind's workbook, its Roles sheet's first columns: what a people partner opens in Excel or Calc."""
    import io
    import subprocess
    import tempfile

    from openpyxl import load_workbook

    from guide.workbook import export_workbook

    root = Path(__file__).resolve().parent.parent
    book = load_workbook(io.BytesIO(export_workbook(root / "content", root / "companies" / "northwind")))
    roles = book["Roles"]
    for column in "CDFHJKLMN":  # room for the columns worth seeing: ids, titles, levels, summary, responsibilities
        roles.column_dimensions[column].hidden = True
    roles.print_options.gridLines = roles.print_options.headings = True
    roles.page_setup.paperSize = roles.PAPERSIZE_A4
    roles.sheet_properties.pageSetUpPr.fitToPage = True
    roles.page_setup.fitToWidth, roles.page_setup.fitToHeight = 1, 0
    book.active = book.sheetnames.index("Roles")
    with tempfile.TemporaryDirectory() as scratch:
        book.save(Path(scratch) / "northwind.xlsx")
        command = ["soffice", "--headless", "--convert-to", "pdf", "--outdir", scratch, "northwind.xlsx"]
        subprocess.run(command, cwd=scratch, check=True, capture_output=True)
        page = pdfium.PdfDocument(str(Path(scratch) / "northwind.pdf"))[0]
        image = page.render(scale=1000 / page.get_width()).to_pil().convert("RGB")
    box = image.point(lambda value: 255 if value > 250 else 0).convert("L").point(lambda v: 255 - v).getbbox()
    image.crop((box[0] - 8, box[1] - 8, box[2] + 8, min(box[3], box[1] + 560) + 8)).quantize(colors=128).save(
        docs / "workbook.png", optimize=True
    )
    print(docs / "workbook.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
    web_previews(Path(sys.argv[1]), Path(sys.argv[2]))
    workbook_preview(Path(sys.argv[2]))
