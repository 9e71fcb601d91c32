"""Print-ready, imposed, accessible and reproducible PDFs."""

from __future__ import annotations

import itertools
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import CONTENT, ROOT
from pypdf import PdfReader

from guide.pipeline import build
from guide.plan import BuildOptions, Finish

BLEED_PT = 3 * 72 / 25.4
# Northwind's cards in ladder order (the trunk, the management track, the individual-contributor track),
# with the level line each back prints above the title.
NORTHWIND_CARDS = [
    ("Product Manager I", "LEVEL 1 OF 6"),
    ("Product Manager II", "LEVEL 2 OF 6"),
    ("Senior Product Manager", "LEVEL 3 OF 6"),
    ("Head of Product", "LEVEL 4 OF 6 · MANAGEMENT"),
    ("VP of Product", "LEVEL 5 OF 6 · MANAGEMENT"),
    ("Chief Product Officer", "LEVEL 6 OF 6 · MANAGEMENT"),
    ("Principal Product Manager", "LEVEL 4 OF 6 · INDIVIDUAL CONTRIBUTOR"),
]
NORTHWIND_ROLES = [title for title, _ in NORTHWIND_CARDS]


def _build(out: Path, company: str | None = None, units: tuple[str, ...] = (), **finish) -> Path:
    """Build one target in this process; `units` names the only outputs to make (all when empty)."""
    import guide.outputs as outputs

    options = BuildOptions(
        out_dir=out,
        content_dir=CONTENT,
        project=ROOT,
        companies=(company,) if company else (),
        finish=Finish(**finish),
    )
    with pytest.MonkeyPatch.context() as patch:
        if units:
            patch.setattr(outputs, "UNITS", tuple(unit for unit in outputs.UNITS if unit.name in units))
        build(options)
    return out / (company or "default")


@pytest.fixture(scope="module")
def print_shop(tmp_path_factory) -> Path:
    """Northwind, print-ready, four cards per sheet with backs, PNG previews."""
    return _build(
        tmp_path_factory.mktemp("print"), "northwind", print_ready=True, cards_per_sheet=4, card_backs=True, png=True
    )


def _box(page, name: str) -> list[float]:
    return [float(v) for v in page[name]]


def test_print_ready_pages_have_3mm_bleed_and_right_boxes(print_shop: Path) -> None:
    for pdf in (print_shop / "career-guide.pdf", print_shop / "cards" / "product-manager.pdf"):
        for page in PdfReader(pdf).pages:
            media, trim, bleed = _box(page, "/MediaBox"), _box(page, "/TrimBox"), _box(page, "/BleedBox")
            assert trim[0] - bleed[0] == pytest.approx(BLEED_PT, abs=0.01)
            assert trim[1] - bleed[1] == pytest.approx(BLEED_PT, abs=0.01)
            assert bleed[2] - trim[2] == pytest.approx(BLEED_PT, abs=0.01)
            assert bleed[3] - trim[3] == pytest.approx(BLEED_PT, abs=0.01)
            # The sheet reaches 10 mm past the trim: the crop marks sit outside the bleed.
            assert trim[0] - media[0] == pytest.approx(10 * 72 / 25.4, abs=0.01)
            assert media[2] - trim[2] == pytest.approx(10 * 72 / 25.4, abs=0.01)
            width, height = trim[2] - trim[0], trim[3] - trim[1]
            assert sorted((round(width), round(height))) == [612, 792]  # Letter trim size


def _pixel(pdf: Path, page: int, x_pt: float, y_pt_from_top: float) -> tuple[int, int, int]:
    document = pdfium.PdfDocument(str(pdf))
    image = document[page].render(scale=2).to_pil().convert("RGB")
    return image.getpixel((int(x_pt * 2), int(y_pt_from_top * 2)))


def test_colour_that_touches_the_trim_edge_runs_into_the_bleed(print_shop: Path) -> None:
    primary = (0x0E, 0x5E, 0x6F)
    near = lambda a, b: all(abs(p - q) <= 4 for p, q in zip(a, b, strict=True))  # noqa: E731
    slug = 10 * 72 / 25.4  # the sheet's edge to the trim edge
    # 1 pt outside the trim edge is in the bleed: the colour runs on...
    assert near(_pixel(print_shop / "career-guide.pdf", 0, slug - 1, 300), primary)
    assert near(_pixel(print_shop / "cards" / "product-manager.pdf", 0, 300, slug - 1), primary)
    # ...and stops before the crop marks, which stay black on white.
    assert _pixel(print_shop / "career-guide.pdf", 0, slug - BLEED_PT - 3, 300) == (255, 255, 255)
    assert _pixel(print_shop / "career-guide.pdf", 0, 4, slug) == (0, 0, 0)
    # Inner pages stay white in the bleed.
    assert _pixel(print_shop / "career-guide.pdf", 3, slug - 1, 300) == (255, 255, 255)


def test_four_cards_per_sheet_with_backs_behind_their_fronts(print_shop: Path) -> None:
    reader = PdfReader(print_shop / "role-cards.pdf")
    fronts = math.ceil(len(NORTHWIND_ROLES) / 4)
    assert len(reader.pages) == 2 * fronts
    for index, page in enumerate(reader.pages):
        expected = min(4, len(NORTHWIND_ROLES) - 4 * (index // 2))
        assert len(page["/Resources"]["/XObject"]) == expected
        assert [round(float(v)) for v in page.mediabox] == [0, 0, 612, 792]
    document = pdfium.PdfDocument(str(print_shop / "role-cards.pdf"))

    def quadrant(page: int, col: int, row: int) -> str:
        text = document[page].get_textpage()
        w, h = 612, 792
        left, right = (0, w / 2) if col == 0 else (w / 2, w)
        bottom, top = (h / 2, h) if row == 0 else (0, h / 2)
        return " ".join(text.get_text_bounded(left, bottom, right, top).split())

    for sheet in range(fronts):
        for slot in range(4):
            number = 4 * sheet + slot
            if number >= len(NORTHWIND_ROLES):
                continue
            title = NORTHWIND_ROLES[number]
            col, row = slot % 2, slot // 2
            front = quadrant(2 * sheet, col, row)
            back = quadrant(2 * sheet + 1, 1 - col, row)  # a long-edge flip swaps left and right
            assert f"{title} " in f"{front} " or front.endswith(title), (sheet, slot, front)
            assert f"{NORTHWIND_CARDS[number][1]} {title}" in back, (sheet, slot, back)


def test_two_cards_per_sheet(tmp_path: Path) -> None:
    out = _build(tmp_path, units=("deck",), cards_per_sheet=2)
    reader = PdfReader(out / "role-cards.pdf")
    assert len(reader.pages) == 3
    for page in reader.pages:
        assert len(page["/Resources"]["/XObject"]) == 2
        content = page.get_contents().get_data().decode()
        # Each card is turned a quarter and scaled to fit; cut marks are stroked hairlines.
        assert len(re.findall(r"q 0\.0000 [\d.]+ -[\d.]+ 0\.0000", content)) == 2
        assert "0.25 w" in content and content.count(" l") == 16
    texts = [page.extract_text() for page in reader.pages]
    assert "Associate Product" in texts[0] and "Chief Product Officer" in texts[2]


def test_single_cards_carry_their_back(print_shop: Path) -> None:
    reader = PdfReader(print_shop / "cards" / "senior-product-manager.pdf")
    assert len(reader.pages) == 2
    back = " ".join(reader.pages[1].extract_text().split())
    assert "LEVEL 3 OF 6 Senior Product Manager" in back
    assert "careers.northwind.example/product" in back


def test_qr_code_is_drawn_from_the_company_url(print_shop: Path) -> None:
    import segno

    image = pdfium.PdfDocument(str(print_shop / "cards" / "product-manager.pdf"))[1].render(scale=1).to_pil()
    grey = image.convert("L")
    # The QR code sits in the lower part of the back, centred: count its dark modules' pixels.
    box = grey.crop((image.width // 3, image.height * 2 // 3, image.width * 2 // 3, image.height - 40))
    dark = sum(box.histogram()[:80])
    modules = sum(row.count(1) for row in segno.make("https://careers.northwind.example/product", error="m").matrix)
    assert dark > modules * 4  # every module is several pixels across at this size


def test_png_previews(print_shop: Path) -> None:
    from PIL import Image

    for path in [print_shop / "career-guide.png", *(print_shop / "cards").glob("*.png")]:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width == 800
    assert len(list((print_shop / "cards").glob("*.png"))) == 7


def test_tagged_pdfs_with_language_title_and_marks(built) -> None:
    out, _, _ = built
    for pdf in (out / "career-guide.pdf", out / "role-cards.pdf", out / "cards" / "vp-of-product.pdf"):
        root = PdfReader(pdf).trailer["/Root"]
        assert "/StructTreeRoot" in root
        assert root["/Lang"] == "en"
        assert root["/MarkInfo"]["/Marked"] in (True, "true")
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true")


def _struct_elements(node, found=None):
    found = [] if found is None else found
    node = node.get_object()
    if hasattr(node, "get"):
        if node.get("/S") is not None:
            found.append(node)
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid.get_object(), "get"):
                    _struct_elements(kid, found)
    return found


def test_matrix_is_a_real_table_and_headings_are_tagged(built) -> None:
    out, _, _ = built
    root = PdfReader(out / "career-guide.pdf").trailer["/Root"]["/StructTreeRoot"]
    tags = [str(e["/S"]) for e in _struct_elements(root)]
    for tag in ("/Table", "/TR", "/TH", "/TD", "/H1", "/H2", "/L", "/LI", "/Figure"):
        assert tag in tags, tag


def test_logo_has_alt_text_and_links_are_annotations(print_shop: Path) -> None:
    reader = PdfReader(print_shop / "career-guide.pdf")
    figures = [e for e in _struct_elements(reader.trailer["/Root"]["/StructTreeRoot"]) if e["/S"] == "/Figure"]
    assert "Northwind Analytics" in [str(f.get("/Alt")) for f in figures]
    uris = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object() and "/URI" in annotation.get_object()["/A"]
    ]
    assert "https://handbook.northwind.example/product" in uris
    assert "mailto:maya.okafor@northwind.example" in uris


def test_headings_never_skip_a_level() -> None:
    for name in ("career-guide", "role-cards"):
        html = (ROOT / "tests" / "golden" / f"{name}.html").read_text()
        levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", html)]
        assert levels[0] == 1
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, (name, before, after)


def test_matrix_text_extracts_row_by_row_in_reading_order(built) -> None:
    out, _, _ = built
    from guide.load import load_content
    from guide.validate import validate

    content = validate(load_content(CONTENT))
    reader = PdfReader(out / "career-guide.pdf")
    page = next(p for p in reader.pages if float(p.mediabox.width) > float(p.mediabox.height))
    text = " ".join(page.extract_text().split()).replace("\u00ad", "")
    flat = re.sub(r"(\w)- (\w)", r"\1\2", text)  # words hyphenated at line ends
    position = flat.index("Competency")
    for role in content.roles:
        position = flat.index(role.label, position)
    for competency in content.competencies.competencies:
        position = flat.index(competency.name, position)
        for role in content.roles:
            plain = role.competencies[competency.id].replace("**", "").replace("\u2019", "'")  # bold: new at this level
            first_words = " ".join(plain.split()[:2])
            found = flat.replace("\u2019", "'").find(first_words, position)
            assert found > position, (competency.id, role.id, first_words)
            position = found


def test_same_inputs_give_identical_bytes_in_any_folder(tmp_path: Path, built) -> None:
    out, _, _ = built
    again = _build(tmp_path / "elsewhere")
    for name in ("career-guide.pdf", "role-cards.pdf", "cards/product-manager.pdf"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_a_fresh_process_with_another_hash_seed_gives_identical_bytes(tmp_path: Path, print_shop: Path) -> None:
    """No set or dict order, cache or other state of this process may reach the bytes: rebuild in a new one.

    The richest build is the one compared: print-ready pages, imposed sheets
    with backs, single cards and PNG previews.
    """
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    # This process's seed is PYTHONHASHSEED if set, else random: the child's differs either way.
    env["PYTHONHASHSEED"] = str(int(os.environ.get("PYTHONHASHSEED") or 0) + 1)
    env["TZ"] = "Pacific/Kiritimati"  # UTC+14: a date turned into a time in the local zone would differ
    cli = "from guide.cli import main; main()"  # the `careerguide` command
    finish = ["--print-ready", "--cards-per-sheet", "4", "--card-backs", "--png"]
    company = ["--company", str(ROOT / "companies" / "northwind"), "--content", str(CONTENT)]
    command = [sys.executable, "-c", cli, "build", "--out", "fresh", *company, *finish, "-j", "1"]
    child = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stdout + child.stderr
    again = tmp_path / "fresh" / "northwind"
    for name in ("career-guide.pdf", "role-cards.pdf", "cards/product-manager.pdf", "career-guide.png"):
        assert (print_shop / name).read_bytes() == (again / name).read_bytes(), name


def test_dates_come_from_source_date_epoch_or_the_content(tmp_path: Path, monkeypatch, built) -> None:
    out, _, _ = built
    card = "cards/product-manager.pdf"
    for name in ("career-guide.pdf", card):
        assert PdfReader(out / name).metadata["/CreationDate"].startswith("D:20261126")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    epoch = _build(tmp_path, units=("cards",))
    info = PdfReader(epoch / card).metadata
    assert info["/CreationDate"].startswith("D:20231114221320")
    assert info["/ModDate"] == info["/CreationDate"]
    assert PdfReader(out / card).trailer["/ID"][0] != PdfReader(epoch / card).trailer["/ID"][0]


@pytest.mark.parametrize(("variant", "marker"), [("pdf/a-3b", "pdfaid:part"), ("pdf/ua-1", "pdfuaid:part")])
def test_pdf_variants_pass_through(tmp_path: Path, variant: str, marker: str) -> None:
    out = _build(tmp_path, units=("cards",), pdf_variant=variant)
    reader = PdfReader(out / "cards" / "product-manager.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert marker in xmp
    assert "/StructTreeRoot" in reader.trailer["/Root"]
