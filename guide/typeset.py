"""Content text to print: typographic quotes, apostrophes, dashes and ellipses.

Content authors type straight quotes and double hyphens; a printed guide
wants curly quotes, apostrophes and en dashes. Doing it here keeps the YAML
easy to type.
"""

from __future__ import annotations

import re

_RULES = [
    (re.compile(r"(?<=\w)'(?=\w)"), "\u2019"),  # don't, product's
    (re.compile(r"(^|[\s(\[{\u2014\u2013-])'"), "\\1\u2018"),  # opening single quote
    (re.compile(r"'"), "\u2019"),
    (re.compile(r'(^|[\s(\[{\u2014\u2013-])"'), "\\1\u201c"),  # opening double quote
    (re.compile(r'"'), "\u201d"),
    (re.compile(r"\s--\s"), "\u2009\u2013\u2009"),
    (re.compile(r"(?<=\d)-(?=\d)"), "\u2013"),  # 3-5 years
    (re.compile(r"\.\.\."), "\u2026"),
]


def typeset(text: str) -> str:
    """Return `text` with typographic quotes, apostrophes, dashes and ellipses."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
