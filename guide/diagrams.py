"""SVG diagrams drawn from the role data.

The ladder is generated, not a static picture, so that a company's renamed,
removed or added roles and its colours show up in it automatically. Every
step carries its level number and name, so the diagram reads in greyscale
and never relies on colour alone.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from markupsafe import Markup, escape

from .colors import tint
from .models import Brand, Role

LABEL_SIZE = 11.5
LABEL_FLOOR = 7.0  # smaller than this, labels move to a legend
LEGEND_SIZE = 10.0
# Average advance of a character, as a share of the font size: generous, so
# that wide fonts still fit.
CHAR_WIDTH = 0.58


def ladder_svg(
    roles: Sequence[Role],
    brand: Brand,
    *,
    current: str | None = None,
    width: float = 600,
    height: float = 190,
    use_title: bool = False,
    decorative: bool = False,
    title: str = "",
) -> Markup:
    """A rising staircase, one step per role, lowest level on the left.

    `current` highlights one role (filled with the primary colour); the
    others are outlined tints. A `decorative` ladder (the cover art) has no
    text and is hidden from screen readers. Sizes are in SVG user units; the
    caller sets the printed width with CSS, and the diagram grows taller when
    long labels need the room.
    """
    count = len(roles)
    gap = 6.0
    step_width = (width - gap * (count - 1)) / count
    names = [role.title if use_title else role.label for role in roles]
    # Labels wrap to the step's width at whole words; a word too long for it
    # makes every label smaller, down to a floor. Below the floor (many
    # roles, or very long words) the steps carry their numbers only and the
    # names are set in a legend under the staircase: never cut, never dropped.
    room = step_width - 14
    longest = max(len(word) for name in names for word in name.split())
    size = min(LABEL_SIZE, room / (longest * CHAR_WIDTH))
    legend = size < LABEL_FLOOR and not decorative
    number_size = min(22.0, (step_width - 8) / (len(str(count)) * 0.62))
    labels: dict[str, list[str]] = {}
    if not legend:
        per_line = max(1, int(room / (size * CHAR_WIDTH)))
        labels = {role.id: _wrap(name, per_line) for role, name in zip(roles, names, strict=True)}
    # The lowest step holds its number and its longest label; the steps rise
    # by at least a visible amount above it.
    line = size * 1.15
    needed = 22 + number_size + line * max((len(lines) for lines in labels.values()), default=0)
    legend_rows, legend_height, legend_size = _legend(roles, names, width) if legend else ([], 0.0, LEGEND_SIZE)
    stairs = max(height, needed + 5 * (count - 1))
    lowest = max(stairs * 0.42, needed)
    rise = (stairs - lowest) / max(count - 1, 1)
    height = stairs + legend_height
    primary, text = brand.colors.primary, brand.colors.text
    family = escape(brand.font.family)
    if decorative:
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
            'aria-hidden="true" class="ladder">'
        ]
    else:
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
            f'role="img" aria-label="{escape(title)}" class="ladder">',
            f"<title>{escape(title)}</title>",
        ]
    for index, role in enumerate(roles):
        step_height = lowest + rise * index
        x = index * (step_width + gap)
        y = stairs - step_height
        active = role.id == current
        fill = primary if active else tint(primary, 0.10)
        ink = "#FFFFFF" if active else text
        number_ink = "#FFFFFF" if active else primary
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step_width:.1f}" height="{step_height:.1f}" '
            f'fill="{fill}" stroke="{primary}" stroke-width="{1.6 if active else 0.8}"/>'
        )
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step_width:.1f}" height="5" fill="{primary}"/>')
        if decorative:
            continue
        parts.append(
            f'<text x="{x + 4 + min(4.0, step_width / 10):.1f}" y="{y + 8 + number_size:.1f}" '
            f'font-family="{family}" font-size="{round(number_size, 1):g}" font-weight="700" fill="{number_ink}">'
            f"{role.rank}</text>"
        )
        for line_index, text_line in enumerate(labels.get(role.id, ())):
            parts.append(
                f'<text x="{x + 8:.1f}" y="{y + 14 + number_size + line * (line_index + 1):.1f}" '
                f'font-family="{family}" font-size="{size:.1f}" font-weight="{700 if active else 400}" '
                f'fill="{ink}">{escape(text_line)}</text>'
            )
    current_rank = next((role.rank for role in roles if role.id == current), None)
    for x, y, rank, text_line in legend_rows:
        parts.append(
            f'<text x="{x:.1f}" y="{stairs + y:.1f}" font-family="{family}" font-size="{legend_size:.1f}" '
            f'font-weight="{700 if rank == current_rank else 400}" fill="{text}">{escape(text_line)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _wrap(name: str, per_line: int) -> list[str]:
    """Whole words per line; a single word longer than the line keeps its own line whole."""
    return textwrap.wrap(name, per_line, break_long_words=False, break_on_hyphens=False) or [name]


def _legend(roles: Sequence[Role], names: list[str], width: float) -> tuple[list[tuple], float, float]:
    """Rows of "rank  name" in columns under the staircase.

    As many columns (up to three) as the longest word allows; one column
    sets its type smaller if even that is too narrow. Returns the rows as
    (x, y, rank, text), the legend's height and its type size.
    """
    longest = max(len(word) for name in names for word in name.split()) + 3
    columns = max(1, min(3 if len(roles) > 16 else 2, int(width / (longest * LEGEND_SIZE * CHAR_WIDTH + 24))))
    column_width = width / columns
    size = min(LEGEND_SIZE, (column_width - 24) / (longest * CHAR_WIDTH))
    per_column = -(-len(roles) // columns)
    per_line = max(1, int((column_width - 24) / (size * CHAR_WIDTH)))
    line = size * 1.3
    rows: list[tuple] = []
    heights = [size * 1.8] * columns
    for index, (role, name) in enumerate(zip(roles, names, strict=True)):
        column = index // per_column
        lines = _wrap(f"{role.rank}\u2002{name}", per_line)
        for line_index, text_line in enumerate(lines):
            indent = 0 if line_index == 0 else size * 1.3
            rows.append((column * column_width + indent, heights[column] + line * line_index, role.rank, text_line))
        heights[column] += line * len(lines) + size * 0.25
    return rows, max(heights) + size * 0.4, size
