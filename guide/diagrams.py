"""SVG diagrams drawn from the role data.

The ladder is generated, not a static picture, so that a company's renamed,
removed or added roles and its colours show up in it automatically. Every
step carries its level number and name, so the diagram reads in greyscale
and never relies on colour alone.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from markupsafe import Markup, escape

from .colors import tint
from .ladder import trunk
from .models import Brand, Content, Role

LABEL_SIZE = 11.5
LABEL_FLOOR = 7.0  # smaller than this, labels move to a legend
LEGEND_SIZE = 10.0
# Average advance of a character, as a share of the font size: generous, so
# that wide fonts still fit.
CHAR_WIDTH = 0.58


Group = tuple[str | None, Sequence[Role]]  # a track's name (None: the shared trunk) and its roles, lowest first


def trunk_roles(content: Content) -> set[str]:
    """The roles every track of `content` shares (see `ladder.trunk`)."""
    return trunk(content.roles, content.tracks)


def ladder_groups(content: Content, names: dict[str, str | None], trunk: set[str]) -> list[Group]:
    """The roles in ladder order, cut into the trunk and one group per track after the fork."""
    groups: list[Group] = []
    for role in content.roles:
        name = None if role.id in trunk else names[role.track]
        if not groups or groups[-1][0] != name:
            groups.append((name, []))
        groups[-1][1].append(role)  # type: ignore[union-attr]
    return groups


def ladder_svg(
    groups: Sequence[Group] | Sequence[Role],
    brand: Brand,
    *,
    current: str | None = None,
    width: float = 600,
    height: float = 190,
    use_title: bool = False,
    decorative: bool = False,
    title: str = "",
    links: dict[str, str] | None = None,
) -> Markup:
    """A rising staircase, one step per role, lowest level on the left.

    With tracks, the shared trunk comes first and each track follows it, side
    by side, under its name, a wider gap between them; a step's height is
    its level's, so roles of one level stand equally tall on every track.
    `current` highlights one role (filled with the primary colour); the
    others are outlined tints. A `decorative` ladder (the cover art) has no
    text and is hidden from screen readers. Sizes are in SVG user units; the
    caller sets the printed width with CSS, and the diagram grows taller when
    long labels need the room. `links` (role id -> address, for the web) makes
    each step a link for the pointer; such a ladder is hidden from screen
    readers and its steps from the tab order (a link inside an image is
    neither), so the page gives its text alternative and the links in text.
    """
    if groups and not isinstance(groups[0], tuple):  # plain roles: one track
        groups = [(None, list(groups))]  # type: ignore[list-item]
    roles: list[Role] = [role for _, members in groups for role in members]  # type: ignore[misc]
    starts = {members[0].id: name for name, members in groups if name}  # type: ignore[index]
    count = len(roles)
    levels = max(role.rank for role in roles)
    gap = 6.0
    track_gap = 18.0  # between the trunk and a track, and between tracks
    step_width = (width - gap * (count - len(groups)) - track_gap * (len(groups) - 1)) / count
    names = [role.title if use_title else role.label for role in roles]
    # Each label wraps to its step's width at whole words, a short word kept
    # with its neighbour ("Director of" / "Product" never; "Manager II" whole).
    # Only a label with a word too long for the step is set smaller, down to a
    # floor. Below the floor (many roles, or very long words) the steps carry
    # their numbers only and the names are set in a legend under the
    # staircase: never cut, never dropped.
    room = step_width - 14
    fitted = {role.id: _fit_label(name, room) for role, name in zip(roles, names, strict=True)}
    legend = not decorative and any(size < LABEL_FLOOR for size, _ in fitted.values())
    number_size = min(22.0, (step_width - 8) / (len(str(count)) * 0.62))
    labels = {} if legend else {role_id: lines for role_id, (_, lines) in fitted.items()}
    sizes = {role_id: size for role_id, (size, _) in fitted.items()}
    # The lowest step holds its number and its longest label; the steps rise
    # by at least a visible amount above it.
    needed = 22 + number_size + max((sizes[key] * 1.15 * len(lines) for key, lines in labels.items()), default=0)
    legend_rows, legend_height, legend_size = _legend(roles, names, width) if legend else ([], 0.0, LEGEND_SIZE)
    # Track names sit above their group's first step, wrapped to the group's width; one size for all of
    # them, small enough that the longest word of any fits its group (capitals and letter-spacing counted).
    room_of = {role_id: _group_width(groups, role_id, step_width, gap) - 2 for role_id in starts}
    track_size = min(
        [10.0]
        + [
            (room_of[role_id] / max(len(word) for word in name.split()) - 0.6) / 0.72
            for role_id, name in starts.items()
        ]
    )
    track_lines = {
        role_id: _wrap(name.upper(), max(1, int(room_of[role_id] / (track_size * 0.72 + 0.6))))
        for role_id, name in starts.items()
    }
    headroom = 0.0 if decorative else track_size * 1.25 * max((len(lines) for lines in track_lines.values()), default=0)
    stairs = max(height, needed + 5 * (levels - 1))
    lowest = max(stairs * 0.42, needed)
    rise = (stairs - lowest) / max(levels - 1, 1)
    height = headroom + stairs + legend_height
    primary, text = brand.colors.primary, brand.colors.text
    family = escape(brand.font.family)
    if decorative or links:
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
    opening = {members[0].id for _, members in groups[1:]}  # type: ignore[index]
    x = 0.0
    for index, role in enumerate(roles):
        step_height = lowest + rise * (role.rank - 1)
        if index:
            x += step_width + (track_gap if role.id in opening else gap)
        y = headroom + stairs - step_height
        if not decorative:
            for line_index, text_line in enumerate(reversed(track_lines.get(role.id, []))):
                parts.append(
                    f'<text x="{x:.1f}" y="{y - 4 - track_size * 1.25 * line_index:.1f}" font-family="{family}" '
                    f'font-size="{track_size:.1f}" font-weight="700" letter-spacing="0.6" fill="{primary}">'
                    f"{escape(text_line)}</text>"
                )
        if links:
            parts.append(f'<a href="{escape(links[role.id])}" tabindex="-1">')
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
        size = sizes[role.id]
        for line_index, text_line in enumerate(labels.get(role.id, ())):
            parts.append(
                f'<text x="{x + 8:.1f}" y="{y + 14 + number_size + size * 1.15 * (line_index + 1):.1f}" '
                f'font-family="{family}" font-size="{size:.1f}" font-weight="{700 if active else 400}" '
                f'fill="{ink}">{escape(text_line)}</text>'
            )
        if links:
            parts.append("</a>")
    current_rank = next((role.rank for role in roles if role.id == current), None)
    for x, y, rank, text_line in legend_rows:
        parts.append(
            f'<text x="{x:.1f}" y="{headroom + stairs + y:.1f}" font-family="{family}" font-size="{legend_size:.1f}" '
            f'font-weight="{700 if rank == current_rank else 400}" fill="{text}">{escape(text_line)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _fit_label(name: str, room: float) -> tuple[float, list[str]]:
    """A label's type size and lines: as large as its longest unbreakable part allows, at most `LABEL_SIZE`.

    Short words are bound to their neighbour with no-break spaces when that
    costs the label at most a fifth of its size (and not below the floor); a
    label whose lines leave a short word alone is set a step smaller while
    that mends it.
    """
    bound = bind_short_words(name)
    # Keeping "of Product" together is worth a slightly smaller label, not a much smaller one.
    if _size_for(bound, room) < max(LABEL_FLOOR, 0.8 * _size_for(name, room)):
        bound = name
    size = _size_for(bound, room)
    lines = _wrap(bound, max(1, int(room / (size * CHAR_WIDTH))))
    while _orphaned(lines) and size * 0.92 >= LABEL_FLOOR:
        size *= 0.92
        lines = _wrap(bound, max(1, int(room / (size * CHAR_WIDTH))))
    return size, lines


def _size_for(label: str, room: float) -> float:
    longest = max((len(word) for word in label.split(" ")), default=1)
    return min(LABEL_SIZE, room / (max(longest, 1) * CHAR_WIDTH))


_SHORT = re.compile(r"(?<![\w\u00a0])(\w{1,3}) (?=\w)")  # "of ", "de ", "der ", "y "
_NUMERAL = re.compile(r" (?=(?:[IVX]{1,4}|\d{1,2})\b)")  # " II", " 3"


def bind_short_words(label: str) -> str:
    """`label` with no-break spaces after short lower-case words and before level numerals.

    "Director of Product" breaks as "Director" / "of Product", "Product
    Manager II" keeps "Manager II" together.
    """
    label = _SHORT.sub(lambda match: match.group(1) + NBSP if match.group(1).islower() else match.group(0), label)
    return _NUMERAL.sub(NBSP, label)


NBSP = "\u00a0"


def _group_width(groups: Sequence[Group], first: str, step_width: float, gap: float) -> float:
    members = next(members for _, members in groups if members and members[0].id == first)
    return len(members) * step_width + (len(members) - 1) * gap


def _wrap(name: str, per_line: int) -> list[str]:
    """Whole words per line; a single word longer than the line keeps its own line whole.

    A short word is never left alone on a line ("Product Manager" / "II"):
    the lines are made narrower until it joins its neighbour ("Product" /
    "Manager II"), when that is possible at all.
    """

    def wrap(width: int) -> list[str]:
        return textwrap.wrap(name, width, break_long_words=False, break_on_hyphens=False) or [name]

    lines = wrap(per_line)
    longest = max(len(word) for word in name.split()) if name.split() else 1
    for width in range(per_line - 1, longest - 1, -1):
        if not _orphaned(lines):
            break
        lines = wrap(width)
    return lines if not _orphaned(lines) else wrap(per_line)


def _orphaned(lines: list[str]) -> bool:
    """A short word (three letters or fewer) left alone on a line of a label that takes several lines.

    Alone at the end ("Product Manager" / "II"), or a small word anywhere ("of");
    a label that starts with its own short word ("VP" / "of Product") is fine.
    """
    return len(lines) > 1 and any(
        len(line.split()) == 1 and len(line) <= 3 and (index == len(lines) - 1 or line.islower())
        for index, line in enumerate(lines)
    )


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
