"""Body text as safe HTML: the small Markdown subset content may use, and nothing else.

Body text may use `**bold**`, `*emphasis*` and `[a link](https://...)`.
Everything else is text: the input is escaped first, so HTML typed into a
YAML file (a `<script>`, an `<iframe>`) prints as the characters typed, and
the little HTML made here is passed through nh3 with only those three tags,
the `href` attribute and web and mail addresses allowed. Content and company
files come from outside the team that runs the build; this is the one place
their text becomes markup.
"""

from __future__ import annotations

import re

import nh3
from markupsafe import Markup, escape

from .typeset import typeset

_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^\s)]+)\)")


def rich(text: str, lang: str = "en", quotes: str | None = None) -> Markup:
    """`text` as safe HTML: typeset in `lang`, escaped, with bold, emphasis and links from the Markdown subset."""
    html = str(escape(typeset(text, lang, quotes)))
    html = _LINK.sub(r'<a href="\2">\1</a>', html)
    html = _STRONG.sub(r"<strong>\1</strong>", html)
    html = _EMPHASIS.sub(r"<em>\1</em>", html)
    clean = nh3.clean(
        html, tags={"strong", "em", "a"}, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"}
    )
    return Markup(clean)
