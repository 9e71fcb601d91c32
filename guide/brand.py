"""Brand checks and brand assets: contrast, logo resolution, font files.

These run at validate time, before anything is drawn, so a brand that would
print badly is caught while the fix is cheap. Contrast and logo resolution
are warnings (errors with `--strict`); a font or logo that cannot be read is
always an error.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import mimetypes
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .colors import contrast
from .errors import Problem, UserError
from .files import read_inside
from .load import Loaded
from .models import Target

AA_TEXT = 4.5
AA_GRAPHICS = 3.0  # WCAG 2.2, 1.4.11: graphics that carry meaning (the readiness ticks)
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000  # 5000 x 5000: far more than a logo needs at 300 dpi
MAX_FONT_BYTES = 20 * 1024 * 1024
PRINT_DPI = 300
# The largest box a logo is printed in (the cover), in millimetres.
LOGO_BOX_MM = (60.0, 14.0)


@dataclass(frozen=True)
class FontFace:
    weight: int
    italic: bool
    digest: str  # of the file's bytes: the renderer's font cache is keyed by the @font-face rule, which carries it


def read_font(path: Path, root: Path) -> FontFace:
    """Read a font file's weight and style; raises ValueError if it is not a whole, readable font.

    Every table is decoded, not only the header: a truncated or corrupted
    file must fail here, with its name, rather than as a nameless warning
    from the renderer.
    """
    return _font_face(_read_asset(path, root, MAX_FONT_BYTES))


def _read_asset(path: Path, root: Path, limit: int) -> bytes:
    """A brand file's bytes; why it cannot be read is a ValueError, placed at company.yaml's line by the caller."""
    try:
        return read_inside(path, root, limit)
    except UserError as error:
        raise ValueError(error.problems[0].message) from None


@lru_cache(maxsize=64)
def _font_face(data: bytes) -> FontFace:
    """Keyed by the font's bytes, so an edited file is read again."""
    from fontTools.ttLib import TTFont

    if sniff(data) not in ("font", "woff", "woff2"):
        raise ValueError("cannot read this font file: it is not a TTF, OTF, WOFF or WOFF2 font")
    try:
        with TTFont(io.BytesIO(data), lazy=False) as font:
            font.ensureDecompiled()
            for table in ("cmap", "head", "hhea", "hmtx", "maxp"):
                font[table]
            os2 = font.get("OS/2")
            weight = int(os2.usWeightClass) if os2 is not None else 400
            italic = bool(os2.fsSelection & 1) if os2 is not None else bool(font["head"].macStyle & 2)
    except Exception as error:  # fontTools raises many kinds for a damaged file
        raise ValueError(f"cannot read this font file: it is damaged or incomplete ({type(error).__name__})") from None
    return FontFace(min(max(weight, 100), 900), italic, hashlib.sha256(data).hexdigest()[:16])


def check_brand(target: Target, loaded: Loaded) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) about a company's brand."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    brand = target.brand
    colors = brand.colors
    root = target.company_dir or Path(".")

    def where(*key: str | int):
        return loaded.locate(("company", "brand", *key))

    pairs = [
        ("colors.text", colors.text, "#FFFFFF", "body text on white paper"),
        ("colors.primary", "#FFFFFF", colors.primary, "white titles on the primary colour"),
        ("colors.primary", colors.primary, "#FFFFFF", "primary-coloured headings on white paper"),
    ]
    graphics = [
        ("colors.accent", colors.accent, "#FFFFFF", "the accent-coloured readiness ticks on white paper"),
    ]
    for field, foreground, background, what, needed, kind in [
        *((*pair, AA_TEXT, "text") for pair in pairs),
        *((*pair, AA_GRAPHICS, "graphics that carry meaning") for pair in graphics),
    ]:
        ratio = contrast(foreground, background)
        if ratio < needed:
            warnings.append(
                Problem.at(
                    where(*field.split(".")),
                    f"contrast of {what} is {ratio:.1f}:1, below the {needed:g}:1 that WCAG AA asks for {kind}",
                    f"brand.{field}",
                )
            )

    family = brand.font.family
    if not brand.font_files and not installed_family(family):
        fallback = "Inter" if installed_family("Inter") else "the system's sans-serif"
        warnings.append(
            Problem.at(
                where("font", "family"),
                f"the font `{family}` is not installed on this machine and brand.font.files lists none of its "
                f"files, so the PDFs are set in {fallback} instead: put its font files in the company folder and "
                "list them under brand.font.files, or choose an installed family (`fc-list : family` lists them)",
                "brand.font.family",
            )
        )

    if brand.logo is not None:
        try:
            width, height, raster = logo_size(brand.logo, root)
        except ValueError as error:
            errors.append(Problem.at(where("logo"), str(error), "brand.logo"))
        else:
            if not raster:
                clipped = logo_overflow(brand.logo, root, brand)
                warnings.extend(Problem.at(where("logo"), message, "brand.logo") for message in clipped)
            strongest = logo_contrast(brand.logo, root, raster)
            if strongest is not None and strongest < PALE_LOGO:
                warnings.append(
                    Problem.at(
                        where("logo"),
                        f"the logo is white or very pale (at most {strongest:.1f}:1 against white): it is drawn on "
                        "the white part of the cover, the card backs and the packets' covers, where it will hardly "
                        "show; use a version of the logo made for light backgrounds",
                        "brand.logo",
                    )
                )
            if raster:
                printed_mm = min(LOGO_BOX_MM[1], LOGO_BOX_MM[0] * height / width)
                dpi = height / (printed_mm / 25.4)
                if dpi < PRINT_DPI:
                    warnings.append(
                        Problem.at(
                            where("logo"),
                            f"the logo is {width}x{height} px: {dpi:.0f} dpi at its printed size, below "
                            f"{PRINT_DPI} dpi; it will look soft in print (use SVG or a larger PNG)",
                            "brand.logo",
                        )
                    )

    for index, path in enumerate(brand.font_files):
        try:
            read_font(path, root)
        except ValueError as error:
            errors.append(Problem.at(where("font", "files", index), str(error), f"brand.font.files[{index}]"))
    return errors, warnings


_SVG_COLOUR = r"(?:fill|stroke|stop-color|color)\s*[:=]\s*[\"']?\s*(#[0-9A-Fa-f]{3,6}\b|white|black)"
PALE_LOGO = 1.5  # a logo none of whose colours reaches this contrast against white paper hardly shows on it


def logo_contrast(path: Path, root: Path, raster: bool) -> float | None:
    """The strongest contrast against white of any colour the logo draws with; None when it cannot tell.

    A raster logo is looked at pixel by pixel (shrunk, transparent pixels
    left out); an SVG by the colours its fills and strokes name (none named
    means black, SVG's default).
    """
    data = _read_asset(path, root, MAX_IMAGE_BYTES)
    if raster:
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.thumbnail((64, 64))
                pixels = [colour for _, colour in image.convert("RGBA").getcolors(64 * 64) if colour[3] > 128]
        except (OSError, ValueError, Image.DecompressionBombError):
            return None
        colours = {"#{:02X}{:02X}{:02X}".format(*pixel[:3]) for pixel in pixels}
    else:
        text = data.decode("utf-8", "replace")
        named = re.findall(_SVG_COLOUR, text)
        if not named:
            return None
        colours = {_hex(colour) for colour in named}
    colours.discard(None)
    return max((contrast(colour, "#FFFFFF") for colour in colours), default=None)


def _hex(colour: str) -> str | None:
    colour = {"white": "#FFFFFF", "black": "#000000"}.get(colour.lower(), colour)
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", colour):
        return "#" + "".join(c * 2 for c in colour[1:])
    return colour if re.fullmatch(r"#[0-9A-Fa-f]{6}", colour) else None


def logo_size(path: Path, root: Path) -> tuple[float, float, bool]:
    """(width, height, is_raster) of a logo; raises ValueError for an unreadable file.

    The format is read from the bytes, not the name: a GIF or a JPEG saved as
    `logo.png` is refused. A PNG's size comes from its header before anything
    is decoded, since a small file can claim billions of pixels.
    """
    data = _read_asset(path, root, MAX_IMAGE_BYTES)
    kind = sniff(data)
    if path.suffix.lower() == ".svg":
        if kind != "svg":
            raise ValueError("the logo is named .svg but is not an SVG image")
        return _svg_size(data)
    if kind != "png":
        raise ValueError(
            f"the logo is named .png but is {'a ' + kind.upper() + ' file' if kind else 'not a PNG image'}"
        )
    width, height = struct.unpack(">II", data[16:24]) if len(data) >= 24 else (0, 0)
    if width * height > MAX_IMAGE_PIXELS:
        raise ValueError(
            f"the PNG logo is {width}x{height} pixels, more than the {MAX_IMAGE_PIXELS // 1_000_000} "
            "million a logo can have; make it smaller"
        )
    try:
        check_image(data)
    except ValueError as error:
        raise ValueError(str(error).replace("the image", "the PNG logo", 1)) from None
    return width, height, True


def check_image(data: bytes) -> None:
    """Decode an image's header and check its pixels; raises ValueError for a bomb or a broken file."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValueError(
                        f"the image is {width}x{height} pixels, more than the {MAX_IMAGE_PIXELS // 1_000_000} "
                        "million allowed; make it smaller"
                    )
                image.verify()
    except ValueError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(
            f"the image has more than the {MAX_IMAGE_PIXELS // 1_000_000} million pixels allowed; make it smaller"
        ) from None
    except Exception as error:  # Pillow raises many kinds for a broken file
        raise ValueError(f"the image cannot be read ({type(error).__name__}: it is damaged or incomplete)") from None


def _svg_size(data: bytes) -> tuple[float, float, bool]:
    """An SVG's drawing size from its viewBox (or width and height), in user units."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise ValueError(f"the SVG logo cannot be read ({error})") from None
    if not root.tag.endswith("svg"):
        raise ValueError("the logo file is not an SVG image")
    box = root.get("viewBox")
    if box is None:
        try:
            return _length(root.get("width", "100")), _length(root.get("height", "100")), False
        except ValueError:
            raise ValueError('the SVG logo needs a viewBox="0 0 WIDTH HEIGHT" (or plain width and height)') from None
    try:
        numbers = [float(part) for part in box.replace(",", " ").split()]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers) or numbers[2] <= 0 or numbers[3] <= 0:
        raise ValueError(f"the SVG logo's viewBox must be four numbers with a positive width and height, not `{box}`")
    return numbers[2], numbers[3], False


def logo_overflow(path: Path, root: Path, brand) -> list[str]:
    """What of an SVG logo runs past its viewBox, which clips it ("Lumen STUDI").

    Each `<text>` is measured with the font it will be set in (the brand's
    own font files for the brand's family, else what fontconfig picks for
    the family named), letter-spacing included, and each rectangle, circle,
    ellipse, line and polygon by its coordinates. Paths, and anything under
    a `transform`, are not measured.
    """
    data = _read_asset(path, root, MAX_IMAGE_BYTES)
    svg = ET.fromstring(data)
    left, top, width, height = _view_box(svg)
    found = []
    transformed = {node for group in svg.iter() if group.get("transform") for node in group.iter()}
    for element in svg.iter():
        kind = element.tag.rsplit("}", 1)[-1]
        if kind in _SHAPES and element not in transformed:
            box = _shape_box(kind, element)
            over = box and max(left - box[0], top - box[1], box[2] - (left + width), box[3] - (top + height))
            if over and over > 0.5:
                found.append(
                    f"the logo's <{kind}> reaches about {over:.0f} units past the edge of its viewBox "
                    f'("{svg.get("viewBox")}") and is cut off there; widen the viewBox'
                )
            continue
        if kind != "text" or element in transformed:
            continue
        text = "".join(element.itertext()).strip()
        try:
            x, size = float(element.get("x", "0")), _length(element.get("font-size", "16"))
            spacing = float(re.sub(r"(px)$", "", element.get("letter-spacing", "0")) or 0)
        except ValueError:
            continue
        family = element.get("font-family", brand.font.family).split(",")[0].strip().strip("'\"")
        weight, style = element.get("font-weight", "400"), element.get("font-style", "normal")
        font = _measuring_font(family, weight, style, brand, root)
        if font is None or not text:
            continue
        anchor = element.get("text-anchor", "start")
        advance = font.font_variant(size=max(1, round(size * 10))).getlength(text) / 10 + spacing * len(text)
        start = x - advance * {"middle": 0.5, "end": 1.0}.get(anchor, 0.0)
        over = max(start + advance - (left + width), left - start)
        if over > 0.5:
            found.append(
                f'the logo\'s text "{text}" runs about {over:.0f} units past the edge of its viewBox '
                f'("{svg.get("viewBox")}") and is cut off there; widen the viewBox, or outline the text'
            )
    return found


_SHAPES = ("rect", "circle", "ellipse", "line", "polygon", "polyline")


def _shape_box(kind: str, element) -> tuple[float, float, float, float] | None:
    """A basic shape's bounding box (half its stroke included), or None when its numbers cannot be read."""

    def number(name: str) -> float:
        return float(re.sub(r"(px)$", "", element.get(name, "0").strip()) or 0)

    try:
        half = number("stroke-width") / 2 if element.get("stroke") not in (None, "none") else 0.0
        if kind == "rect":
            x, y = number("x"), number("y")
            box = (x, y, x + number("width"), y + number("height"))
        elif kind in ("circle", "ellipse"):
            rx = number("r") if kind == "circle" else number("rx")
            ry = number("r") if kind == "circle" else number("ry")
            box = (number("cx") - rx, number("cy") - ry, number("cx") + rx, number("cy") + ry)
        elif kind == "line":
            xs, ys = (number("x1"), number("x2")), (number("y1"), number("y2"))
            box = (min(xs), min(ys), max(xs), max(ys))
        else:
            values = [float(v) for v in re.split(r"[\s,]+", element.get("points", "").strip()) if v]
            if len(values) < 2:
                return None
            box = (min(values[0::2]), min(values[1::2]), max(values[0::2]), max(values[1::2]))
    except ValueError:
        return None
    return box[0] - half, box[1] - half, box[2] + half, box[3] + half


def _view_box(svg) -> tuple[float, float, float, float]:
    box = svg.get("viewBox")
    if box is None:
        return 0.0, 0.0, *_svg_size(ET.tostring(svg))[:2]
    left, top, width, height = (float(part) for part in box.replace(",", " ").split())
    return left, top, width, height


def _measuring_font(family: str, weight: str, style: str, brand, root: Path):
    """A Pillow font for measuring text set in `family`, or None when none can be found."""
    from PIL import ImageFont

    bold = weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)
    italic = style in ("italic", "oblique")
    if family == brand.font.family and brand.font_files:
        faces = []
        for file in brand.font_files:
            face = read_font(file, root)
            faces.append(((face.weight >= 600) != bold, face.italic != italic, file))
        path = min(faces)[2]
    else:
        path = _fontconfig_file(family, bold, italic)
    try:
        return ImageFont.truetype(str(path), 100) if path else None
    except OSError:
        return None


def fc_family(family: str) -> str:
    """A family name as a fontconfig pattern writes it (`:`, `,`, `=`, `-` and `\\` escaped)."""
    return "".join(f"\\{c}" if c in "\\:,=-" else c for c in family)


@lru_cache(maxsize=64)
def installed_family(family: str) -> bool:
    """Whether fontconfig knows a font of exactly this family (fc-match would substitute another)."""
    import subprocess

    try:
        found = subprocess.run(
            ["fc-list", f":family={fc_family(family)}", "family"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return True  # cannot tell: say nothing rather than something wrong
    return bool(found.stdout.strip())


@lru_cache(maxsize=64)
def _fontconfig_file(family: str, bold: bool, italic: bool) -> str | None:
    import subprocess

    pattern = f"{fc_family(family)}:weight={200 if bold else 80}:slant={100 if italic else 0}"
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


def _length(text: str) -> float:
    value = float(re.sub(r"(px|pt|mm|cm|in)$", "", text.strip()))
    if not (math.isfinite(value) and value > 0):
        raise ValueError(text)
    return value


def sniff(data: bytes) -> str:
    """The format of a file, from its first bytes: png, jpeg, gif, webp, svg, font, woff, woff2 or ''."""
    head = data[:16]
    for magic, kind in (
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"\xff\xd8\xff", "jpeg"),
        (b"GIF8", "gif"),
        (b"wOFF", "woff"),
        (b"wOF2", "woff2"),
        (b"\x00\x01\x00\x00", "font"),
        (b"OTTO", "font"),
        (b"true", "font"),
        (b"ttcf", "font"),
    ):
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if b"<svg" in data[:4096].lower():
        return "svg"
    return ""


def data_uri(path: Path, root: Path) -> str:
    """Embed a small asset in the HTML, so emitted HTML files stay self-contained."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    data = read_inside(path, root, MAX_IMAGE_BYTES)
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
