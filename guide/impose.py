"""Put several cards on one sheet, for cutting at the office or at a print shop.

Cards are laid out once by WeasyPrint; imposition only places those
finished pages on larger sheets. Each card becomes a PDF form XObject and is
drawn into its slot:

- Page-size cards (`impose`) are clipped to their trim box (so bleed and crop
  marks of print-ready cards stay out of the gutters), shrunk, and for two
  per sheet turned; cut marks are drawn in the gutters around every card.
- Cards of a real size (`impose_real`, A6, 4x6 in...) stay full size and keep
  their 3 mm bleed, so colour runs into the gutters (two bleeds wide) and a
  slightly inaccurate cut shows no white edge; the cut marks sit in the
  sheet's margins, in line with every cut. Each sheet's TrimBox is the block
  of cards and its BleedBox that block plus the bleed, as print shops'
  preflight tools read them.

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

from .paper import SHEETS

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
    sheet_w, sheet_h = SHEETS[paper].points
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
    sheet_w = SHEETS[paper].points[0]
    return [
        Slot(sheet_w - s.x - s.width, s.y, s.width, s.height, s.scale, -s.rotate if s.rotate else 0) for s in layout
    ]


def real_slots(per_sheet: int, paper: str, card_width: float, card_height: float, bleed: float) -> list[Slot]:
    """Full-size card positions on a sheet, trim to trim two bleeds apart, the block centred.

    Upright if that many fit, else turned on their side; a ValueError says
    how many fit when `per_sheet` do not.
    """
    sheet_w, sheet_h = SHEETS[paper].points
    gutter = 2 * bleed
    room_w, room_h = sheet_w - 2 * MARGIN + gutter, sheet_h - 2 * MARGIN + gutter
    best = 0
    for rotate in (0, 90):
        width, height = (card_height, card_width) if rotate else (card_width, card_height)
        fit_cols, fit_rows = int(room_w // (width + gutter)), int(room_h // (height + gutter))
        best = max(best, fit_cols * fit_rows)
        if fit_cols * fit_rows < per_sheet:
            continue
        cols = min(fit_cols, per_sheet)
        rows = -(-per_sheet // cols)
        left = (sheet_w - cols * width - (cols - 1) * gutter) / 2
        bottom = (sheet_h - rows * height - (rows - 1) * gutter) / 2
        step_x, step_y = width + gutter, height + gutter
        return [
            Slot(left + col * step_x, bottom + (rows - 1 - row) * step_y, width, height, 1.0, rotate)
            for row in range(rows)
            for col in range(cols)
        ][:per_sheet]
    raise ValueError(best)


def impose(fronts: bytes, backs: bytes | None, per_sheet: int, paper: str, title: str, lang: str) -> bytes:
    """Sheets of `per_sheet` page-size cards, shrunk to fit (fronts, then their backs when given) as PDF bytes."""
    front_pages = PdfReader(io.BytesIO(fronts)).pages
    first = front_pages[0].trimbox
    return _write(fronts, backs, slots(per_sheet, paper, float(first.width), float(first.height)), paper, title, lang)


def impose_real(fronts: bytes, backs: bytes | None, per_sheet: int, paper: str, title: str, lang: str) -> bytes:
    """Sheets of `per_sheet` cards of a real size, full size with their bleed; ValueError(fit) when they do not fit."""
    first = PdfReader(io.BytesIO(fronts)).pages[0]
    trim, bleed = first.trimbox, first.bleedbox
    layout = real_slots(per_sheet, paper, float(trim.width), float(trim.height), float(trim.left - bleed.left))
    return _write(fronts, backs, layout, paper, title, lang, bleed=float(trim.left - bleed.left))


def _write(
    fronts: bytes, backs: bytes | None, layout: list[Slot], paper: str, title: str, lang: str, bleed: float = 0
) -> bytes:
    front_pages = PdfReader(io.BytesIO(fronts)).pages
    back_pages = PdfReader(io.BytesIO(backs)).pages if backs else []
    per_sheet = len(layout)
    writer = PdfWriter()
    for start in range(0, len(front_pages), per_sheet):
        _sheet(writer, front_pages[start : start + per_sheet], layout, paper, bleed)
        if back_pages:
            _sheet(writer, back_pages[start : start + per_sheet], mirrored(layout, paper), paper, bleed)
    writer.add_metadata({"/Title": title, "/Creator": "careerguide", "/Producer": "careerguide"})
    writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    stream = io.BytesIO()
    # A file identifier made from the content, so the same cards give the same bytes.
    digest = ByteStringObject(hashlib.md5(fronts + (backs or b"")).digest())
    writer._ID = ArrayObject([digest, digest])
    writer.write(stream)
    return stream.getvalue()


def _sheet(writer: PdfWriter, cards: list[PageObject], layout: list[Slot], paper: str, bleed: float = 0) -> None:
    """One sheet; with a `bleed`, cards keep it, the marks go outside the block and the sheet gets its boxes."""
    sheet = writer.add_blank_page(*SHEETS[paper].points)
    xobjects = DictionaryObject()
    ops = []
    for index, (card, slot) in enumerate(zip(cards, layout, strict=False)):
        name = NameObject(f"/Card{index}")
        xobjects[name] = writer._add_object(_form(writer, card, card.bleedbox if bleed else card.trimbox))
        ops.append(f"q {_matrix(card, slot)} cm {name} Do Q")
    if bleed:
        used = layout[: len(cards)]
        trim = [min(s.x for s in used), min(s.y for s in used)]
        trim += [max(s.x + s.width for s in used), max(s.y + s.height for s in used)]
        sheet[NameObject("/TrimBox")] = ArrayObject([FloatObject(round(v, 3)) for v in trim])
        grown = [trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed]
        sheet[NameObject("/BleedBox")] = ArrayObject([FloatObject(round(v, 3)) for v in grown])
        ops.append(_outer_marks(used, bleed))
    else:
        ops.append(_cut_marks(layout[: len(cards)]))
    sheet[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
    content = DecodedStreamObject()
    content.set_data("\n".join(ops).encode("ascii"))
    sheet[NameObject("/Contents")] = writer._add_object(content)


def _form(writer: PdfWriter, page: PageObject, box) -> DecodedStreamObject:
    """A page as a form XObject, clipped to `box` (its trim box, or its bleed box)."""
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
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


def _outer_marks(layout: list[Slot], bleed: float) -> str:
    """Cut marks in the sheet's margins, in line with every cut, clear of the bleed."""
    left = min(s.x for s in layout) - bleed
    right = max(s.x + s.width for s in layout) + bleed
    bottom = min(s.y for s in layout) - bleed
    top = max(s.y + s.height for s in layout) + bleed
    xs = sorted({round(x, 3) for s in layout for x in (s.x, s.x + s.width)})
    ys = sorted({round(y, 3) for s in layout for y in (s.y, s.y + s.height)})
    lines = []
    for x in xs:
        lines.append(f"{x:.2f} {top + MARK_OFFSET:.2f} m {x:.2f} {top + MARK_OFFSET + MARK_LENGTH:.2f} l")
        lines.append(f"{x:.2f} {bottom - MARK_OFFSET:.2f} m {x:.2f} {bottom - MARK_OFFSET - MARK_LENGTH:.2f} l")
    for y in ys:
        lines.append(f"{left - MARK_OFFSET:.2f} {y:.2f} m {left - MARK_OFFSET - MARK_LENGTH:.2f} {y:.2f} l")
        lines.append(f"{right + MARK_OFFSET:.2f} {y:.2f} m {right + MARK_OFFSET + MARK_LENGTH:.2f} {y:.2f} l")
    return "q 0.25 w 0 0 0 RG\n" + "\n".join(lines) + "\nS Q"
