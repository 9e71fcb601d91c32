"""Content text to print: typography and a small, safe Markdown subset.

Content authors type straight quotes and double hyphens; a printed guide
wants curly quotes, apostrophes and en dashes. Doing it here keeps the YAML
easy to type.

Body text may also use `**bold**`, `*emphasis*` and `[a link](https://...)`.
Everything else is text: the input is escaped first, so HTML typed into a
YAML file (a `<script>`, an `<iframe>`) prints as the characters typed, and
the little HTML we make is passed through nh3 with only those three tags
allowed.
"""

from __future__ import annotations

import re

import nh3
from markupsafe import Markup, escape

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


_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^\s)]+)\)")


def rich(text: str) -> Markup:
    """`text` as safe HTML: typeset, escaped, with bold, emphasis and links from the Markdown subset."""
    html = str(escape(typeset(text)))
    html = _LINK.sub(r'<a href="\2">\1</a>', html)
    html = _STRONG.sub(r"<strong>\1</strong>", html)
    html = _EMPHASIS.sub(r"<em>\1</em>", html)
    clean = nh3.clean(
        html, tags={"strong", "em", "a"}, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"}
    )
    return Markup(clean)
