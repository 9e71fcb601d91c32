"""Company overrides: the example companies, their PDFs, and what the merge does to roles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pypdfium2 as pdfium
import pyphen
import pytest
from conftest import CONTENT, ROLE_IDS, ROOT, make_company, pdf_text
from pypdf import PdfReader

from guide.load import load_content
from guide.locale import labels
from guide.pipeline import prepare_company
from guide.validate import validate

EXAMPLES = ["bergwerk", "lumen", "northwind"]


def _text(pdf: Path) -> str:
    return pdf_text(pdf)


def _cover_pixel(pdf: Path, x: float, y: float) -> tuple[int, int, int]:
    page = pdfium.PdfDocument(str(pdf))[0]
    image = page.render(scale=0.5).to_pil().convert("RGB")
    return image.getpixel((int(x * image.width), int(y * image.height)))


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))


def test_all_builds_default_and_every_example(built_all) -> None:
    out, records, results = built_all
    # lumen also has a ladder of its own, for design (companies/lumen/frameworks/design/).
    assert [r.target for r in results] == ["default", "bergwerk", "lumen", "lumen/design", "northwind"]
    assert [r.getMessage() for r in records if r.levelname in ("WARNING", "ERROR")] == []
    for slug in ["default", *EXAMPLES, "lumen/design"]:
        assert (out / slug / "career-guide.pdf").is_file()
        assert (out / slug / "role-cards.pdf").is_file()


@pytest.mark.parametrize(("slug", "primary"), [("northwind", "#0E5E6F"), ("bergwerk", "#1E4D3B"), ("lumen", "#4B2142")])
def test_primary_colour_is_on_the_cover_and_cards(built_all, slug: str, primary: str) -> None:
    out, _, _ = built_all
    expected = _rgb(primary)
    for pdf, (x, y) in ((out / slug / "career-guide.pdf", (0.03, 0.03)), (out / slug / "role-cards.pdf", (0.5, 0.01))):
        pixel = _cover_pixel(pdf, x, y)
        assert all(abs(a - b) <= 3 for a, b in zip(pixel, expected, strict=True)), (pdf, pixel)


def test_examples_look_different_from_each_other(built_all) -> None:
    out, _, _ = built_all
    covers = {slug: _cover_pixel(out / slug / "career-guide.pdf", 0.03, 0.03) for slug in ["default", *EXAMPLES]}
    assert len(set(covers.values())) == 4


def test_letter_company_has_letter_pages_and_landscape_matrix(built_all) -> None:
    out, _, _ = built_all
    reader = PdfReader(out / "northwind" / "career-guide.pdf")
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(612, 792), (792, 612)}
    for card in (out / "northwind" / "cards").glob("*.pdf"):
        box = PdfReader(card).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    a4 = PdfReader(out / "default" / "career-guide.pdf").pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)


def test_renamed_titles_appear_and_old_ones_do_not(built_all) -> None:
    out, _, _ = built_all
    guide = _text(out / "northwind" / "career-guide.pdf")
    for title in ("Product Manager I", "Product Manager II", "Head of Product", "Principal Product Manager"):
        assert title in guide
    assert "Associate Product Manager" not in guide
    assert "Director of Product" not in guide
    reader = PdfReader(out / "northwind" / "career-guide.pdf")
    outline = [item.title for item in reader.outline]
    assert "Head of Product" in outline and "Director of Product" not in outline
    card = _text(out / "northwind" / "cards" / "director-of-product.pdf")
    assert card.startswith("Northwind Analytics LEVEL 4 OF 6 · MANAGEMENT Head of Product")


def test_the_principal_track_forks_after_senior_product_manager(built_all) -> None:
    """Northwind's added role is on its own track, level 4 beside Head of Product: both are Senior PM's next steps."""
    out, _, _ = built_all
    deck = [" ".join(p.extract_text().split()) for p in PdfReader(out / "northwind" / "role-cards.pdf").pages]
    assert len(deck) == 7
    assert "LEVEL 4 OF 6 · MANAGEMENT Head of Product" in deck[3]
    assert "LEVEL 4 OF 6 · INDIVIDUAL CONTRIBUTOR Principal Product Manager" in deck[6]
    assert "The top of this track" in deck[6]
    assert (out / "northwind" / "cards" / "principal-product-manager.pdf").is_file()
    senior = _text(out / "northwind" / "cards" / "senior-product-manager.pdf").replace("\u2010 ", "").replace("- ", "-")
    assert "Next role: Head of Product (management) or Principal Product Manager (individual contributor)" in senior, (
        senior
    )


@pytest.mark.parametrize(
    ("slug", "removed", "title"),
    [
        ("bergwerk", "associate-product-manager", "Associate Product Manager"),
        ("lumen", "vp-of-product", "VP of Product"),
    ],
)
def test_removed_role_appears_nowhere(built_all, slug: str, removed: str, title: str) -> None:
    out, _, _ = built_all
    assert not (out / slug / "cards" / f"{removed}.pdf").exists()
    assert len(list((out / slug / "cards").glob("*.pdf"))) == 5
    for pdf in [out / slug / "career-guide.pdf", out / slug / "role-cards.pdf", *(out / slug / "cards").glob("*.pdf")]:
        assert title not in _text(pdf), pdf
    reader = PdfReader(out / slug / "career-guide.pdf")
    assert title not in [item.title for item in reader.outline]
    # The matrix has one column per remaining role: its header row counts 1 to 5, with their labels.
    prepared = prepare_company(load_content(CONTENT), ROOT / "companies" / slug)
    content = prepared.content
    assert removed not in [role.id for role in content.roles]
    header = _matrix_header(out / slug / "career-guide.pdf", content, prepared.target.locale)
    assert header == [(role.rank, role.label) for role in content.roles]
    assert [rank for rank, _ in header] == [1, 2, 3, 4, 5]


def _matrix_header(pdf: Path, content, locale: str) -> list[tuple[int, str]]:
    """The (number, label) of every role column in the header row of the landscape matrix page."""
    page = next(p for p in PdfReader(pdf).pages if float(p.mediabox.width) > float(p.mediabox.height))
    text = " ".join(page.extract_text().split())
    start = text.index(f" {labels(locale)['competency']} ") + len(labels(locale)["competency"]) + 2
    end = text.index(content.competencies.competencies[0].name.split()[0], start)  # the first row's heading
    return [(int(number), label.strip()) for number, label in re.findall(r"(\d+)\s*(\D+)", text[start:end])]


def test_the_default_matrix_has_a_column_for_each_of_the_six_roles(built_all) -> None:
    """The counterpart of the check above: the same reading of the default guide finds six columns."""
    out, _, _ = built_all
    content = validate(load_content(CONTENT))
    header = _matrix_header(out / "default" / "career-guide.pdf", content, "en")
    assert header == [(rank, role.label) for rank, role in enumerate(content.roles, 1)]
    assert [role.id for role in content.roles] == ROLE_IDS


def test_german_company_has_german_labels_language_and_hyphenation(built_all) -> None:
    out, _, _ = built_all
    reader = PdfReader(out / "bergwerk" / "career-guide.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "de"
    text = _text(out / "bergwerk" / "career-guide.pdf")
    for label in ("Inhalt", "Einführung", "Aufgaben", "Im Arbeitsalltag", "Quellen", "Seite 3 von"):
        assert label in text, label
    assert "Responsibilities" not in text and "Contents" not in text
    # pypdf, not PDFium, for the card: PDFium reads letter-spaced labels as single letters.
    card = " ".join(PdfReader(out / "bergwerk" / "cards" / "product-manager.pdf").pages[0].extract_text().split())
    assert "WAS SIE TUN" in card and "STUFE 1 VON 5" in card
    assert PdfReader(out / "bergwerk" / "role-cards.pdf").trailer["/Root"]["/Lang"] == "de"
    # Body text is hyphenated, by German rules: a word broken at a line end (WeasyPrint's hyphen, U+2010,
    # then the line break) is a word of the company's German text, split where German allows.
    lines = "\n".join(page.extract_text() for page in reader.pages)
    breaks = re.findall(r"(\w+)[\u2010\u00ad]\n(\w+)", lines)
    assert len(breaks) >= 10, breaks
    german = pyphen.Pyphen(lang="de_DE")
    source = " ".join(
        [(ROOT / "companies" / "bergwerk" / "company.yaml").read_text(encoding="utf-8")]
        + [entry.msgstr for entry in polib.pofile(str(CONTENT / "translations" / "de.po"))]
        + [entry.msgstr for entry in polib.pofile(str(ROOT / "guide" / "locales" / "de.po"))]
    )
    for head, tail in breaks:
        assert head + tail in source, (head, tail)
        assert len(head) in german.positions(head + tail), (head, tail)


def test_company_font_files_are_embedded(built_all) -> None:
    out, _, _ = built_all
    reader = PdfReader(out / "lumen" / "cards" / "product-manager.pdf")
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    # The @font-face family made from the company's files (EB Garamond, renamed "Lumen Serif").
    assert {"Lumen-Serif", "Lumen-Serif-Bold"} <= {name.split("+")[1] for name in names}, names
    northwind = PdfReader(out / "northwind" / "cards" / "product-manager.pdf").pages[0]["/Resources"]["/Font"]
    assert any("Lato" in str(northwind[key].get_object()["/BaseFont"]) for key in northwind)


def test_company_pages_are_in_the_guide_and_contents(built_all) -> None:
    out, _, _ = built_all
    reader = PdfReader(out / "northwind" / "career-guide.pdf")
    outline = [item.title for item in reader.outline]
    assert outline.index("Welcome to the product team") < outline.index("Introduction")
    assert outline.index("Who to talk to") < outline.index("Sources")
    contents = reader.pages[1].extract_text()
    assert "Welcome to the product team" in contents and "Who to talk to" in contents
    assert "daniel.reyes@northwind.example" in _text(out / "northwind" / "career-guide.pdf")


def test_one_content_fix_reaches_every_company(tmp_path: Path) -> None:
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "roles" / "senior-product-manager.yaml"
    path.write_text(path.read_text().replace("Guide and coach more junior", "Coach and guide more junior"))
    shared = load_content(content)
    for slug in EXAMPLES:
        role = prepare_company(shared, ROOT / "companies" / slug).content.role("senior-product-manager")
        # Also in German: the translation is stale now, so the new English is printed until it is translated.
        assert role.responsibilities[1].startswith("Coach and guide more junior")


def test_excluded_role_reroutes_the_next_step(tmp_path: Path) -> None:
    make_company(tmp_path, "flat", "name: Flat\nexclude_roles: [senior-product-manager, chief-product-officer]\n")
    content = prepare_company(load_content(CONTENT), tmp_path / "companies" / "flat").content
    assert [r.id for r in content.roles] == [
        r for r in ROLE_IDS if r not in ("senior-product-manager", "chief-product-officer")
    ]
    assert content.next_role(content.role("product-manager")).id == "director-of-product"
    vp = content.role("vp-of-product")
    assert [s.title for s in vp.next_steps] == ["General Manager", "Chief Operating Officer", "Chief Executive Officer"]
    assert [r.rank for r in content.roles] == [1, 2, 3, 4]


def test_renaming_drops_the_old_short_label(tmp_path: Path) -> None:
    make_company(tmp_path, "r", "name: R\ntitles:\n  director-of-product: Head of Product\n")
    content = prepare_company(load_content(CONTENT), tmp_path / "companies" / "r").content
    assert content.role("director-of-product").label == "Head of Product"
    assert content.role("vp-of-product").label == "VP"


COVER_TITLES = {"default": "The Product Manager Career Path", "bergwerk": "Karrierewege bei Bergwerk"}


@pytest.mark.parametrize(("slug", "title"), COVER_TITLES.items())
def test_cover_titles_break_between_words(built_all, slug: str, title: str) -> None:
    """A cover title is set at whole words: a word that is only just too wide must not be split in two."""
    out, _, _ = built_all
    page = pdfium.PdfDocument(str(out / slug / "career-guide.pdf"))[0]
    lines = [line.strip() for line in page.get_textpage().get_text_range().splitlines() if line.strip()]
    start = next(index for index, line in enumerate(lines) if line.startswith(title.split()[0]))
    assert " ".join(lines[start : start + 3]).split()[: len(title.split())] == title.split()


@pytest.mark.parametrize(
    ("slug", "sentences"),
    [
        (
            "default",
            ["Six roles from Associate Product Manager to Chief Product Officer", "Six roles, each one a step"],
        ),
        (
            "northwind",
            ["Seven roles, each one a step", "several years in the Product Manager II role", "The head of product"],
        ),
        (
            "lumen",
            ["Five roles, each one a step up", "Beyond partner", "ending as Studio Product Lead or"],
        ),
        ("bergwerk", ["Fünf Rollen von Produktmanager:in bis Chief Product Officer", "Fünf Rollen, jede mit mehr"]),
    ],
)
def test_each_example_guide_counts_and_names_its_own_ladder(built_all, slug: str, sentences: list[str]) -> None:
    out, _, _ = built_all
    text = " ".join(_text(out / slug / "career-guide.pdf").split()).replace("\u2010 ", "").replace("\u00ad", "")
    for sentence in sentences:
        assert sentence in text, (slug, sentence)
    assert "{" not in text


def test_the_northwind_matrix_and_overview_stay_on_their_pages(built_all) -> None:
    out, _, _ = built_all
    reader = PdfReader(out / "northwind" / "career-guide.pdf")
    landscape = [page for page in reader.pages if float(page.mediabox.width) > float(page.mediabox.height)]
    # Eight roles on two tracks: one matrix per track, each whole on its own landscape page.
    assert len(landscape) == 2
    for page, track in zip(landscape, ("Management", "Individual contributor"), strict=True):
        text = " ".join(page.extract_text().split())
        assert track in text and "Leadership" in text  # the last row is on its track's page
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    ladder = next(i for i, text in enumerate(texts) if "LEVEL ROLE KEY SKILLS" in text.upper())
    assert "Principal Product Manager" in texts[ladder] and "Chief Product Officer" in texts[ladder]


def test_lumen_design_ladder_is_built_in_lumen_brand_beside_its_product_guide(built_all) -> None:
    """A company's own framework: its own roles and text, the company's name and fonts, none of the product ladder."""
    out, _, _ = built_all
    reader = PdfReader(out / "lumen" / "design" / "career-guide.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert reader.metadata.author == "Lumen Studio"
    assert "Three design roles, from Designer to Design Lead" in text
    assert "usually including time in the Designer role" in text
    assert "Product Manager" not in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert any("Lumen-Serif" in str(fonts[key].get_object()["/BaseFont"]) for key in fonts)
    assert json.loads((out / "lumen" / "design" / "manifest.json").read_text())["outputs"]
