"""Facts of the real PDFs from one build of the default content."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pypdfium2 as pdfium
from conftest import CONTENT, ROLE_IDS, ROLE_TITLES
from pypdf import PdfReader

TITLES = ROLE_TITLES


def _texts(path: Path) -> list[str]:
    """Each page's text as pypdf reads it, once per file (several tests read the same guide)."""
    return list(_page_texts(path, path.stat().st_mtime_ns))


@functools.cache
def _page_texts(path: Path, _modified: int) -> tuple[str, ...]:
    return tuple(page.extract_text() for page in PdfReader(path).pages)


def _flat(text: str) -> str:
    """Text with every run of white space as one space, so wrapped titles match."""
    return " ".join(text.split())


def test_build_logs_no_warnings(built) -> None:
    _, records, results = built
    assert [r.getMessage() for r in records if r.levelname in ("WARNING", "ERROR")] == []
    assert results[0].warnings == []


def test_harfbuzz_subsetter_is_installed() -> None:
    from weasyprint.text import ffi

    assert ffi.harfbuzz_subset is not None, "install libharfbuzz-subset0 (make setup)"


def test_outputs_exist(built) -> None:
    out, _, _ = built
    assert (out / "career-guide.pdf").is_file()
    assert (out / "role-cards.pdf").is_file()
    assert sorted(p.stem for p in (out / "cards").glob("*.pdf")) == sorted(ROLE_IDS)


def test_each_card_is_one_page_with_its_title(built) -> None:
    out, _, _ = built
    for role_id, title in TITLES.items():
        reader = PdfReader(out / "cards" / f"{role_id}.pdf")
        assert len(reader.pages) == 1, role_id
        text = _flat(reader.pages[0].extract_text())
        assert title in text
        assert reader.metadata.title.startswith(title)
        # The title is the card's heading: it comes right after the brand and level.
        assert text.index(title) < 40, (role_id, text[:80])


def test_card_deck_holds_every_card_in_ladder_order(built) -> None:
    out, _, _ = built
    texts = _texts(out / "role-cards.pdf")
    assert len(texts) == len(ROLE_IDS)
    for level, (text, title) in enumerate(zip(texts, TITLES.values(), strict=True), 1):
        assert title in _flat(text)
        assert f"Level {level} of 6" in text  # the card footer


def test_card_contains_summary_skills_and_next_step_criteria(built) -> None:
    out, _, _ = built
    text = PdfReader(out / "cards" / "product-manager.pdf").pages[0].extract_text()
    flat = _flat(text)
    assert "WHAT GETS YOU TO THE NEXT STEP" in flat
    assert "Product ownership" in flat
    assert "Next role: Senior Product Manager" in flat


def _role_start_pages(texts: list[str]) -> dict[str, int]:
    """Find, independently of the outline, the page where each role section starts."""
    starts = {}
    for level, (role_id, title) in enumerate(TITLES.items(), 1):
        for number, text in enumerate(texts, 1):
            lines = [line.strip() for line in text.splitlines()]
            if f"LEVEL {level} OF 6" in lines and title.split()[0] in " ".join(lines[:8]):
                starts[role_id] = number
                break
    return starts


def test_table_of_contents_page_numbers_match_the_role_sections(built) -> None:
    out, _, _ = built
    texts = _texts(out / "career-guide.pdf")
    toc = next(text for text in texts[:4] if "Contents" in text)
    starts = _role_start_pages(texts)
    assert len(starts) == 6
    for level, (role_id, title) in enumerate(TITLES.items(), 1):
        match = re.search(rf"^{level}\s*{re.escape(title)}[ .]*?(\d+)\s*$", toc, re.MULTILINE)
        assert match, f"{title} not in the contents:\n{toc}"
        assert int(match.group(1)) == starts[role_id], title


def test_outline_has_an_entry_per_role_pointing_at_its_page(built) -> None:
    out, _, _ = built
    reader = PdfReader(out / "career-guide.pdf")
    texts = _texts(out / "career-guide.pdf")
    starts = _role_start_pages(texts)
    entries = {item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline}
    for role_id, title in TITLES.items():
        assert entries[title] == starts[role_id]
    assert "Competency matrix" in entries and "Sources" in entries


def test_metadata_title_author_language(built) -> None:
    out, _, _ = built
    reader = PdfReader(out / "career-guide.pdf")
    assert reader.metadata.title == "The Product Manager Career Path"
    assert reader.metadata.author == "careerguide"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    cards = PdfReader(out / "role-cards.pdf")
    assert cards.trailer["/Root"]["/Lang"] == "en"


def test_running_header_and_page_x_of_y(built) -> None:
    out, _, _ = built
    texts = _texts(out / "career-guide.pdf")
    total = len(texts)
    for number in (3, total):
        assert f"Page {number} of {total}" in texts[number - 1]
        assert "THE PRODUCT MANAGER CAREER PATH" in texts[number - 1]
    assert "Page 1 of" not in texts[0]  # the cover has no running footer


def test_guide_has_every_part_and_credits_the_source(built) -> None:
    out, _, _ = built
    text = " ".join(" ".join(_texts(out / "career-guide.pdf")).split())
    for heading in (
        "Contents",
        "Introduction",
        "How to read this guide",
        "The ladder at a glance",
        "Competency matrix",
        "Ways into product management",
        "Beyond the Chief Product Officer",
        "The path is not a straight line",
        "Sources",
    ):
        assert heading in text, heading
    for ramp in ("Product design", "Engineering", "Quality assurance", "Business analysis"):
        assert ramp in text
    assert "Dana Solomon" in text and "ProductPlan" in text and "What is the Product Manager Career Path?" in text


def test_ladder_diagram_is_vector_drawn_from_the_roles(built) -> None:
    out, _, _ = built
    html = (out / "career-guide.html").read_text()
    figure = html[html.index('<figure class="ladder-figure">') :]
    svg = figure[: figure.index("</svg>")]
    for title in TITLES.values():
        for word in title.split():
            assert word in svg
    # One step per role, each labelled with its level number.
    assert svg.count("<rect") == 2 * len(TITLES)
    texts = _texts(out / "career-guide.pdf")
    ladder_page = next(t for t in texts if "The ladder at a glance" in t and "Level" in t.title())
    assert all(str(level) in ladder_page for level in range(1, 7))


def test_matrix_fits_one_landscape_page(built) -> None:
    out, _, _ = built
    reader = PdfReader(out / "career-guide.pdf")
    texts = _texts(out / "career-guide.pdf")
    pages = [i for i, t in enumerate(texts) if "Competency matrix" in t and "Leadership" in t]
    assert len(pages) == 1
    box = reader.pages[pages[0]].mediabox
    assert float(box.width) > float(box.height)
    text = reader.pages[pages[0]].extract_text()
    for competency in ("Prioritisation", "Data and metrics", "Communication", "Strategy", "Leadership"):
        assert competency in text


def _pixel(pdf, page: int, x: float, y: float) -> tuple[int, int, int]:
    document = pdfium.PdfDocument(str(pdf))
    image = document[page].render(scale=1).to_pil().convert("RGB")
    return image.getpixel((int(x * image.width), int(y * image.height)))


def test_cover_and_card_band_use_the_primary_colour(built) -> None:
    out, _, _ = built
    primary = (0x1E, 0x3A, 0x5F)
    close = lambda a, b: all(abs(p - q) <= 3 for p, q in zip(a, b, strict=True))  # noqa: E731
    assert close(_pixel(out / "career-guide.pdf", 0, 0.02, 0.02), primary)
    assert close(_pixel(out / "cards" / "product-manager.pdf", 0, 0.5, 0.02), primary)
    assert close(_pixel(out / "career-guide.pdf", 0, 0.5, 0.98), (255, 255, 255))


def test_fonts_are_embedded(built) -> None:
    out, _, _ = built
    reader = PdfReader(out / "cards" / "product-manager.pdf")
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [fonts[key].get_object()["/BaseFont"] for key in fonts]
    assert any("Inter" in name for name in names)
    for key in fonts:
        descendant = fonts[key].get_object()["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"]
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_the_shipped_guide_has_one_track_and_no_track_names(built) -> None:
    out, _, _ = built
    html = (out / "career-guide.html").read_text()
    assert 'class="toc-track"' not in html and 'class="track-row"' not in html and "data-track=" not in html
    assert not (CONTENT / "tracks.yaml").exists()
