"""Pages a designer would sign off: no page of a guide but the last left mostly empty.

Blank share is measured as a reader sees it: each page is rendered, and the
share of its text area (inside the page margins, so running heads and
folios do not count) below the lowest ink is the page's blank share.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from conftest import make_company

from guide.balance import measure, sparse_pages
from guide.outputs.job import Job
from guide.pipeline import prepare
from guide.plan import BuildOptions
from guide.render_html import render_guide
from guide.render_pdf import Renderer

MM = 72 / 25.4
LIMIT = 2 / 3


def blank_shares(pdf: pdfium.PdfDocument) -> list[float]:
    """Each page's blank share: the part of its text area below the lowest ink."""
    shares = []
    for page in pdf:
        width, height = page.get_size()
        scale = 0.5
        image = page.render(scale=scale).to_pil().convert("L")
        landscape = width > height
        top, bottom, side = (16, 16, 18) if landscape else (24, 22, 20)  # the page margins in styles/guide.css
        box = (
            int(side * MM * scale),
            int(top * MM * scale),
            int((width - side * MM) * scale),
            int((height - bottom * MM) * scale),
        )
        area = image.crop(box)
        columns, rows = area.size
        pixels = area.load()
        lowest = next((y for y in range(rows - 1, -1, -1) if any(pixels[x, y] < 235 for x in range(0, columns, 2))), -1)
        shares.append(1 - (lowest + 1) / rows)
    return shares


def test_every_shipped_and_example_guide_fills_its_pages(built_all) -> None:
    out, _, _ = built_all
    guides = sorted(out.rglob("career-guide.pdf"))
    assert {path.parent.relative_to(out).as_posix() for path in guides} >= {
        "default",
        "bergwerk",
        "northwind",
        "lumen",
        "lumen/design",
    }
    for path in guides:
        shares = blank_shares(pdfium.PdfDocument(str(path)))
        sparse = {number: f"{share:.0%}" for number, share in enumerate(shares[1:-1], start=2) if share > LIMIT}
        assert not sparse, f"{path.relative_to(out)}: pages more than two-thirds blank: {sparse}"


def test_a_guide_with_short_sections_is_rebalanced(tmp_path: Path, small_content: Path) -> None:
    """A company whose text leaves short pages when every section starts a page: a one-line welcome
    and closing page, and a role made a few items longer (on the two-role content, for speed)."""
    extra = "\n".join(f"      - A further duty of this role, number {n}, described in a line or so" for n in range(4))
    make_company(
        tmp_path,
        "awkward",
        "name: Awkward Ltd\n"
        "sections:\n"
        "  - title: Hello\n    placement: start\n    paragraphs: [Welcome aboard.]\n"
        "  - title: Goodbye\n    placement: end\n    paragraphs: [That is all.]\n"
        f"roles:\n  product-manager:\n    responsibilities:\n      append:\n{extra}\n",
    )
    options = BuildOptions(project=tmp_path, content_dir=small_content, companies=("awkward",))
    (prepared,), problems = prepare(options)
    assert not problems
    renderer = Renderer()
    # Positive control: laid out once, as CSS alone breaks it, it has mostly empty pages.
    plain = renderer.render(render_guide(prepared.content, prepared.target))
    assert sparse_pages(measure(plain))

    job = Job(prepared.content, prepared.target, options, lambda: renderer)
    html, document = job._guide
    assert not sparse_pages(measure(document))
    pdf = pdfium.PdfDocument(job.guide_pdf)
    shares = blank_shares(pdf)
    assert all(share <= LIMIT for share in shares[1:-1]), [f"{share:.0%}" for share in shares]
    # Every role still starts on a page of its own, with its title at the top.
    # (Compared without spaces: the letter-spaced overline reads "L E V E L 1".)
    text = ["".join(pdf[index].get_textpage().get_text_range().split()) for index in range(len(pdf))]
    for role in prepared.content.roles:
        starts = [index for index, page in enumerate(text) if f"LEVEL{role.rank}OF" in page]
        assert starts and role.title.replace(" ", "") in text[starts[0]][:100], role.id
    # The emitted HTML carries the rules, so it lays out as the PDF did.
    assert "page balance" in html.html
    assert len(renderer.render(html).pages) == len(document.pages) == len(pdf)


class Step:
    """The little of a role a ladder diagram reads."""

    def __init__(self, rank: int, title: str) -> None:
        self.id, self.rank, self.title, self.label = f"r{rank}", rank, title, title


def _label_lines(roles) -> dict[str, list[tuple[float, str]]]:
    import xml.etree.ElementTree as ET

    from guide.diagrams import ladder_svg
    from guide.models import Brand

    svg = ET.fromstring(str(ladder_svg(roles, Brand(), height=84, title="t")))
    ns = "{http://www.w3.org/2000/svg}"
    steps = sorted(float(rect.get("x")) for rect in svg.iter(f"{ns}rect") if rect.get("height") != "5")
    lines: dict[str, list[tuple[float, str]]] = {role.id: [] for role in roles}
    for element in svg.iter(f"{ns}text"):
        if element.text.isdigit():
            continue  # the step's number
        index = max(i for i, x in enumerate(steps) if x <= float(element.get("x")))
        lines[roles[index].id].append((float(element.get("font-size")), element.text))
    return lines


def test_ladder_labels_keep_short_words_together_and_only_a_long_one_shrinks() -> None:
    from guide.diagrams import LABEL_FLOOR, LABEL_SIZE

    roles = [
        Step(1, "Product Manager I"),
        Step(2, "Product Manager II"),
        Step(3, "Director of Product"),
        Step(4, "Produktmanagerin"),
        Step(5, "VP"),
        Step(6, "Chief Product Officer"),
    ]
    lines = _label_lines(roles)
    texts = {role_id: [text.replace("\u00a0", " ") for _, text in found] for role_id, found in lines.items()}
    assert "of Product" in texts["r3"] and "Director of" not in texts["r3"]
    assert any(text.endswith("Manager II") for text in texts["r2"]) and "II" not in texts["r2"]
    sizes = {role_id: {size for size, _ in found} for role_id, found in lines.items()}
    assert all(len(found) == 1 for found in sizes.values())  # one size per label
    assert sizes["r4"].pop() < LABEL_SIZE  # the long German word is set smaller...
    assert all(sizes[key] == {LABEL_SIZE} for key in ("r1", "r2", "r3", "r5", "r6"))  # ...and nothing else
    assert min(size for found in lines.values() for size, _ in found) >= LABEL_FLOOR
    # Every word of every title is on its step, none cut.
    for role in roles:
        assert " ".join(texts[role.id]).split() == role.title.split()


def test_a_booklet_has_roles_on_spreads_notes_to_a_multiple_of_four_and_a_back_cover(
    tmp_path: Path, small_content: Path
) -> None:
    from guide.plan import Finish

    make_company(tmp_path, "fold", "name: Fold & Co\nbrand:\n  url: https://fold.example/careers\n")
    options = BuildOptions(
        project=tmp_path, content_dir=small_content, companies=("fold",), finish=Finish(booklet=True)
    )
    (prepared,), _ = prepare(options)
    job = Job(prepared.content, prepared.target, options, Renderer)
    pdf = pdfium.PdfDocument(job.guide_pdf)
    text = ["".join(pdf[index].get_textpage().get_text_range().split()) for index in range(len(pdf))]
    assert len(pdf) % 4 == 0
    for role in prepared.content.roles:
        first = next(index for index, page in enumerate(text) if f"LEVEL{role.rank}OF" in page)
        assert (first + 1) % 2 == 0, role.id  # an even page number: the left-hand page of a spread
    assert "Notes" in text[-2]  # the pages that make up the count are for notes
    assert "Fold&Co" in text[-1]
    assert "Thelatestversionofthisguide" in text[-1] and "https://fold.example/careers" in text[-1]
    # The back cover is in the primary colour to the edge, like the front.
    image = pdf[len(pdf) - 1].render(scale=0.25).to_pil().convert("RGB")
    assert image.getpixel((2, image.height - 3)) == image.getpixel((2, int(image.height * 0.8)))
    assert image.getpixel((2, image.height - 3)) != (255, 255, 255)


def test_card_text_stays_inside_the_page_margins(built_all) -> None:
    """Every character of every full-page card lies inside the text area (16 mm from either side)."""
    out, _, _ = built_all
    for slug in ("default", "northwind", "bergwerk"):
        pdf = pdfium.PdfDocument(str(out / slug / "role-cards.pdf"))
        for index in range(len(pdf)):
            page = pdf[index]
            width = page.get_width()
            text = page.get_textpage()
            boxes = [text.get_charbox(i) for i in range(text.count_chars())]
            lefts = [box[0] for box in boxes if box[2] > box[0]]
            rights = [box[2] for box in boxes if box[2] > box[0]]
            assert min(lefts) >= 16 * MM - 1 and max(rights) <= width - 16 * MM + 1, (slug, index)
