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

from .models import Brand, Role

LABEL_SIZE = 11.5
# Average advance of a character, as a share of the font size: generous, so
# that wide fonts still fit.
CHAR_WIDTH = 0.58


def tint(color: str, amount: float) -> str:
    """Mix `color` with white; `amount` is the share of the colour (0 to 1)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in mixed)


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
    # Labels wrap to the step's width; a word too long for it makes every
    # label smaller, down to a floor, rather than spilling out of its step.
    room = step_width - 14
    longest = max(len(word) for name in names for word in name.split())
    size = max(7.0, min(LABEL_SIZE, room / (longest * CHAR_WIDTH)))
    per_line = max(4, int(room / (size * CHAR_WIDTH)))
    labels = {role.id: textwrap.wrap(name, per_line)[:3] for role, name in zip(roles, names, strict=True)}
    # The lowest step holds its number and its longest label; the steps rise
    # by at least a visible amount above it.
    line = size * 1.15
    needed = 44 + line * max(len(lines) for lines in labels.values())
    height = max(height, needed + 5 * (count - 1))
    lowest = max(height * 0.42, needed)
    rise = (height - lowest) / max(count - 1, 1)
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
        y = height - step_height
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
            f'<text x="{x + 8:.1f}" y="{y + 30:.1f}" font-family="{family}" font-size="22" '
            f'font-weight="700" fill="{number_ink}">{role.rank}</text>'
        )
        for line_index, text_line in enumerate(labels[role.id]):
            parts.append(
                f'<text x="{x + 8:.1f}" y="{y + 36 + line * (line_index + 1):.1f}" font-family="{family}" '
                f'font-size="{size:.1f}" font-weight="{700 if active else 400}" fill="{ink}">'
                f"{escape(text_line)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
