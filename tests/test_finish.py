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


def test_qr_code_leads_to_the_role_on_the_company_site(print_shop: Path) -> None:
    """Each back's QR code is its own role's address (brand.url at the role's anchor), drawn in the PDF."""
    import segno

    from guide.pipeline import prepare
    from guide.render_html import render_backs

    (prepared,), _ = prepare(BuildOptions(content_dir=CONTENT, project=ROOT, companies=("northwind",)))
    html = render_backs(prepared.content, prepared.target, Finish(card_backs=True)).html
    codes = set()
    for role in prepared.content.roles:
        url = f"https://careers.northwind.example/product#role-{role.id}"
        code = segno.make(url, error="m").svg_inline(scale=1, border=0, dark="#1A2B33", omitsize=True)
        path = re.search(r' d="([^"]+)"', code).group(1)
        assert path in html, role.id  # segno's drawing of this role's address
        codes.add(path)
    assert len(codes) == len(prepared.content.roles)
    # The code is drawn: many dark modules in the back's lower right corner.
    image = pdfium.PdfDocument(str(print_shop / "cards" / "product-manager.pdf"))[1].render(scale=2).to_pil()
    box = image.convert("L").crop((image.width // 2, image.height * 3 // 4, image.width, image.height))
    modules = sum(
        row.count(1)
        for row in segno.make("https://careers.northwind.example/product#role-product-manager", error="m").matrix
    )
    assert sum(box.histogram()[:80]) > modules * 12  # each module is several pixels across
    back = " ".join(PdfReader(print_shop / "cards" / "product-manager.pdf").pages[1].extract_text().split())
    assert "Where do you stand?" in back and "Not yet Sometimes Consistently" in back


MM_PT = 72 / 25.4


def _font_sizes(page) -> set[float]:
    """The size of every font a page's text is set in, in points (read from its content stream)."""
    data = page.get_contents().get_data().decode("latin-1")
    assert "0.75 0 0 0.75 0 0 cm" in data  # the renderer draws in CSS pixels, three quarters of a point
    return {round(float(size) * 0.75, 2) for size in re.findall(r"([\d.]+) Tf", data)}


def test_a6_cards_are_a6_with_8_pt_type_and_impose_four_to_an_a3_sheet_with_bleed(tmp_path: Path) -> None:
    out = _build(tmp_path, units=("cards", "deck"), card_size="a6", cards_per_sheet=4, sheet="a3", card_backs=True)
    for path in sorted((out / "cards").glob("*.pdf")):
        reader = PdfReader(path)
        for page in reader.pages:
            trim, crop, bleed = _box(page, "/TrimBox"), _box(page, "/CropBox"), _box(page, "/BleedBox")
            assert crop == trim  # what a viewer shows and a printer prints: the card itself
            assert (trim[2] - trim[0]) / MM_PT == pytest.approx(105, abs=0.1)
            assert (trim[3] - trim[1]) / MM_PT == pytest.approx(148, abs=0.1)
            assert trim[0] - bleed[0] == pytest.approx(BLEED_PT, abs=0.01)  # the bleed stays in the file
        for page in reader.pages:
            assert min(_font_sizes(page)) >= 7.99, path.name  # no type below 8 pt
    sheets = PdfReader(out / "role-cards.pdf")
    assert len(sheets.pages) == 4  # six cards, four to a sheet: two sheets of fronts, each with its backs
    for index, page in enumerate(sheets.pages):
        assert [round(float(v) / MM_PT) for v in page.mediabox[2:]] == [297, 420]
        assert len(page["/Resources"]["/XObject"]) == (4 if index < 2 else 2)
        trim, bleed = _box(page, "/TrimBox"), _box(page, "/BleedBox")
        assert [round(b - t, 2) for t, b in zip(trim[:2], bleed[:2], strict=True)] == [round(-BLEED_PT, 2)] * 2
        # Two A6 cards side by side, two bleeds (6 mm) apart.
        assert (trim[2] - trim[0]) / MM_PT == pytest.approx(2 * 105 + 6, abs=0.1)
    # The title bands run on through the gutter between two cards: no white line to cut.
    image = pdfium.PdfDocument(str(out / "role-cards.pdf"))[0].render(scale=1).to_pil().convert("RGB")
    trim = _box(sheets.pages[0], "/TrimBox")
    gutter_x = (trim[0] + trim[2]) / 2
    band_y = image.height - (trim[3] - 8 * MM_PT)  # 8 mm below the top trim edge: inside the title band
    assert image.getpixel((round(gutter_x), round(band_y))) != (255, 255, 255)
    assert image.getpixel((round(gutter_x), round(band_y))) == image.getpixel((round(gutter_x) - 40, round(band_y)))
    # Cut marks sit in the margin outside the block, where the sheet is otherwise white.
    assert "0.25 w" in sheets.pages[0].get_contents().get_data().decode()


def test_card_size_from_company_yaml_and_a_clear_message_when_cards_do_not_fit(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner
    from conftest import make_company

    import guide.outputs as outputs
    from guide.cli import main
    from guide.pipeline import prepare
    from guide.render_html import card_page_css, render_cards

    make_company(tmp_path, "postcard", "name: Postcard\npaper: letter\ncards:\n  size: 4x6\n")
    (prepared,), _ = prepare(BuildOptions(content_dir=CONTENT, project=tmp_path, companies=("postcard",)))
    assert "@page card { size: 4in 6in;" in render_cards(prepared.content, prepared.target).html
    assert (
        "@page card { size: 5in 7in;"
        in render_cards(prepared.content, prepared.target, finish=Finish(card_size="5x7")).html
    )
    assert card_page_css(prepared.target, Finish(card_size="page")) == ""  # the guide's paper, as before
    monkeypatch.setattr(outputs, "UNITS", tuple(unit for unit in outputs.UNITS if unit.name == "deck"))
    monkeypatch.chdir(tmp_path)
    args = ["build", "--company", "postcard", "--cards-per-sheet", "8", "--content", str(CONTENT), "--out", "out"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "8 4 x 6 in cards do not fit on a Letter sheet at full size with bleed and cut marks; 2 do." in result.output
    assert "Use --cards-per-sheet 2 or --sheet a3" in result.output and "Traceback" not in result.output


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


def test_a_fresh_process_with_another_hash_seed_gives_identical_bytes(tmp_path: Path, small_content: Path) -> None:
    """No set or dict order, cache or other state of this process, nor the output folder, may reach the bytes.

    The richest build is the one compared (on the two-role content, for
    speed): a branded company in German, print-ready pages, imposed
    sheets with backs and their QR codes, single cards. (PNG previews are
    pdfium's drawing of these PDFs: the same PDFs give the same PNGs.)
    """
    from conftest import make_company

    logo = (ROOT / "companies" / "northwind" / "logo.svg").read_bytes()
    company = "name: Shop\nlocale: de\nbrand:\n  logo: logo.svg\n  url: https://shop.example/karriere\n"
    make_company(tmp_path, "shop", company, {"logo.svg": logo})
    finish = {"print_ready": True, "cards_per_sheet": 4, "card_backs": True}
    options = BuildOptions(
        out_dir=tmp_path / "here",
        content_dir=small_content,
        project=tmp_path,
        companies=("shop",),
        finish=Finish(**finish),
    )
    build(options)
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    # This process's seed is PYTHONHASHSEED if set, else random: the child's differs either way.
    env["PYTHONHASHSEED"] = str(int(os.environ.get("PYTHONHASHSEED") or 0) + 1)
    env["TZ"] = "Pacific/Kiritimati"  # UTC+14: a date turned into a time in the local zone would differ
    cli = "from guide.cli import main; main()"  # the `careerguide` command
    flags = ["--print-ready", "--cards-per-sheet", "4", "--card-backs"]
    args = ["--company", "shop", "--content", str(small_content), *flags, "-j", "1"]
    command = [sys.executable, "-c", cli, "build", "--out", "fresh", *args]
    child = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stdout + child.stderr
    here, again = tmp_path / "here" / "shop", tmp_path / "fresh" / "shop"
    names = sorted(str(path.relative_to(here)) for path in here.rglob("*") if path.suffix == ".pdf")
    assert {"career-guide.pdf", "role-cards.pdf", "cards/product-manager.pdf"} <= set(names)
    for name in names:
        assert (here / name).read_bytes() == (again / name).read_bytes(), name


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
