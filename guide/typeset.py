"""Content text to print: the language's quotes, apostrophes, dashes, ellipses and spaces.

Content authors and translators type straight quotes and double hyphens; a
printed guide wants each language's own quotation marks („…“ in German,
« … » in French and Spanish), curly apostrophes, en dashes and, in French,
the no-break spaces before `:` `;` `!` `?` and inside guillemets. Doing it
here keeps the YAML and the translations easy to type.
"""

from __future__ import annotations

import re

ENGLISH_QUOTES = "\u201c \u201d \u2018 \u2019"
_OPENS = r"(^|[\s(\[{\u2014\u2013-])"
_RULES = [
    (re.compile(r"\s--\s"), "\u2009\u2013\u2009"),
    (re.compile(r"(?<=\d)-(?=\d)"), "\u2013"),  # 3-5 years
    (re.compile(r"\.\.\."), "\u2026"),
]
NBSP, NNBSP = "\u00a0", "\u202f"


def typeset(text: str, lang: str = "en", quotes: str | None = None) -> str:
    """`text` with typographic quotes (`quotes`: "open close open-single close-single"), dashes and ellipses."""
    marks = (quotes or ENGLISH_QUOTES).split()
    double_open, double_close, single_open, single_close = marks if len(marks) == 4 else ENGLISH_QUOTES.split()
    text = re.sub(r"(?<=\w)'(?=\w)", "\u2019", text)  # don't, l'équipe
    text = re.sub(_OPENS + "'", lambda m: m.group(1) + single_open, text)
    text = text.replace("'", single_close)
    text = re.sub(_OPENS + '"', lambda m: m.group(1) + double_open, text)
    text = text.replace('"', double_close)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    if lang.split("_")[0].split("-")[0] == "fr":
        # A colon that ends a word gets its space; one inside a word or address (https:, 10:30) is left alone.
        text = re.sub(r"(?:(?<=[\w\u2019»)\]])|\s+):(?=\s|$)", NBSP + ":", text)
        text = re.sub(r"(?<=[\w\u2019»)\]])\s*([;!?])", NNBSP + r"\1", text)
        text = re.sub(r"«\s*", "«" + NNBSP, text)
        text = re.sub(r"\s*»", NNBSP + "»", text)
    return text
