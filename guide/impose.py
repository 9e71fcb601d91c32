"""Put several cards on one sheet for printing and cutting at the office.

Cards are laid out once, full size, by WeasyPrint; imposition only places
those finished pages on larger sheets. Each card becomes a PDF form XObject
clipped to its trim box (so bleed and crop marks of print-ready cards stay
out of the gutters) and is drawn scaled, and for two per sheet rotated, into
its slot. Cut marks are drawn in the gutters and margins around every card.

Backs, when given, follow each front sheet, placed for long-edge duplex
printing: a back lands behind its own front when the sheet is turned over
along its long side.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from .paper import PAPERS

MM = 72 / 25.4
MARGIN = 10 * MM
GUTTER = 10 * MM
MARK_OFFSET = 1.5 * MM  # cut marks start this far from the card's corner...
MARK_LENGTH = 3.5 * MM  # ...and are this long: they never reach a neighbour in a 10 mm gutter


@dataclass(frozen=True)
class Slot:
    """Where one card goes on a sheet, in points; `rotate` is 0 or 90 degrees."""

    x: float
    y: float
    width: float
    height: float
    scale: float
    rotate: int


def slots(per_sheet: int, paper: str, card_width: float, card_height: float) -> list[Slot]:
    """The card positions on a portrait sheet, centred, with equal gutters.

    Two per sheet are turned on their side and stacked, which fits them larger
    than side by side; four sit in a 2 x 2 grid.
    """
    sheet_w, sheet_h = PAPERS[paper].points
    if per_sheet == 1:
        scale = min((sheet_w - 2 * MARGIN) / card_width, (sheet_h - 2 * MARGIN) / card_height, 1.0)
        cols, rows, rotate = 1, 1, 0
    elif per_sheet == 2:
        cols, rows, rotate = 1, 2, 90
        scale = min((sheet_w - 2 * MARGIN) / card_height, (sheet_h - 2 * MARGIN - GUTTER) / 2 / card_width)
    elif per_sheet == 4:
        cols, rows, rotate = 2, 2, 0
        scale = min((sheet_w - 2 * MARGIN - GUTTER) / 2 / card_width, (sheet_h - 2 * MARGIN - GUTTER) / 2 / card_height)
    else:
        raise ValueError(f"cards per sheet must be 1, 2 or 4, not {per_sheet}")
    width, height = (card_height, card_width) if rotate else (card_width, card_height)
    width, height = width * scale, height * scale
    left = (sheet_w - cols * width - (cols - 1) * GUTTER) / 2
    bottom = (sheet_h - rows * height - (rows - 1) * GUTTER) / 2
    result = []
    for row in range(rows):  # top row first
        for col in range(cols):
            y = bottom + (rows - 1 - row) * (height + GUTTER)
            result.append(Slot(left + col * (width + GUTTER), y, width, height, scale, rotate))
    return result


def mirrored(layout: list[Slot], paper: str) -> list[Slot]:
    """The same slots as seen from the back after a long-edge flip: left and right swap."""
    sheet_w = PAPERS[paper].points[0]
    return [
        Slot(sheet_w - s.x - s.width, s.y, s.width, s.height, s.scale, -s.rotate if s.rotate else 0) for s in layout
    ]


def impose(fronts: bytes, backs: bytes | None, per_sheet: int, paper: str, title: str, lang: str) -> bytes:
    """Sheets of `per_sheet` cards (fronts, then their backs when given) as PDF bytes."""
    front_pages = PdfReader(io.BytesIO(fronts)).pages
    back_pages = PdfReader(io.BytesIO(backs)).pages if backs else []
    first = front_pages[0].trimbox
    layout = slots(per_sheet, paper, float(first.width), float(first.height))
    writer = PdfWriter()
    for start in range(0, len(front_pages), per_sheet):
        _sheet(writer, front_pages[start : start + per_sheet], layout, paper)
        if back_pages:
            _sheet(writer, back_pages[start : start + per_sheet], mirrored(layout, paper), paper)
    writer.add_metadata({"/Title": title, "/Creator": "careerguide", "/Producer": "careerguide"})
    writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    stream = io.BytesIO()
    # A file identifier made from the content, so the same cards give the same bytes.
    digest = ByteStringObject(hashlib.md5(fronts + (backs or b"")).digest())
    writer._ID = ArrayObject([digest, digest])
    writer.write(stream)
    return stream.getvalue()


def _sheet(writer: PdfWriter, cards: list[PageObject], layout: list[Slot], paper: str) -> None:
    sheet = writer.add_blank_page(*PAPERS[paper].points)
    xobjects = DictionaryObject()
    ops = []
    for index, (card, slot) in enumerate(zip(cards, layout, strict=False)):
        name = NameObject(f"/Card{index}")
        xobjects[name] = writer._add_object(_form(writer, card))
        ops.append(f"q {_matrix(card, slot)} cm {name} Do Q")
    ops.append(_cut_marks(layout[: len(cards)]))
    sheet[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
    content = DecodedStreamObject()
    content.set_data("\n".join(ops).encode("ascii"))
    sheet[NameObject("/Contents")] = writer._add_object(content)


def _form(writer: PdfWriter, page: PageObject) -> DecodedStreamObject:
    """A page as a form XObject, clipped to its trim box."""
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    box = page.trimbox
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)]),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        }
    )
    return form


def _matrix(page: PageObject, slot: Slot) -> str:
    """The transformation that puts the page's trim box into the slot."""
    box = page.trimbox
    s = slot.scale
    left, bottom = float(box.left), float(box.bottom)
    if slot.rotate == 90:  # a quarter turn anticlockwise: the card's top faces left
        a, b, c, d = 0, s, -s, 0
        e, f = slot.x + slot.width + bottom * s, slot.y - left * s
    elif slot.rotate == -90:  # a quarter turn clockwise: the top faces right
        a, b, c, d = 0, -s, s, 0
        e, f = slot.x - bottom * s, slot.y + slot.height + left * s
    else:
        a, b, c, d = s, 0, 0, s
        e, f = slot.x - left * s, slot.y - bottom * s
    return " ".join(f"{v:.4f}" for v in (a, b, c, d, e, f))


def _cut_marks(layout: list[Slot]) -> str:
    """Short hairlines at every card corner, pointing along the cut lines."""
    lines = []
    for s in layout:
        for x in (s.x, s.x + s.width):
            for y in (s.y, s.y + s.height):
                dx = -1 if x == s.x else 1
                dy = -1 if y == s.y else 1
                # horizontal mark along the card's top or bottom edge, outside it
                x0 = x + dx * MARK_OFFSET
                lines.append(f"{x0:.2f} {y:.2f} m {x0 + dx * MARK_LENGTH:.2f} {y:.2f} l")
                # vertical mark along its left or right edge
                y0 = y + dy * MARK_OFFSET
                lines.append(f"{x:.2f} {y0:.2f} m {x:.2f} {y0 + dy * MARK_LENGTH:.2f} l")
    return "q 0.25 w 0 0 0 RG\n" + "\n".join(lines) + "\nS Q"
