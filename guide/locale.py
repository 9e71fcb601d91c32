"""Label catalogues: the words the templates print that are not content, and what each language is.

The English labels are `guide/locales/en.yaml`; their translations are PO
catalogues beside it (`de.po`, ...), and a company may add to or override
them in `companies/<slug>/translations/<locale>.po` (see `translate.py`),
also for a language careerguide does not ship.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from ruamel.yaml import YAML

from .load import Loaded
from .resources import locales_dir
from .translate import SOURCE_LOCALE, Coverage, Lookup, Source, catalog_path, read_catalog, translate

#: What a translator needs to know about the labels that are settings rather than words.
NOTES = {
    "numbers": "The numbers 0 to 20 as words, separated by spaces, in the form used before “roles” "
    "(German: feminine, “eine”). They print the ladder's size in sentences.",
    "nouns_keep_capitals": "“yes” if the language writes nouns with a capital inside a sentence (German), else “no”.",
    "quotes": "The opening and closing double quotes, then single quotes, separated by spaces.",
    "language_name": "The language's own name.",
}


def english_labels() -> dict[str, str]:
    return dict(_english((locales_dir() / "en.yaml").read_bytes()))


@lru_cache(maxsize=4)
def _english(data: bytes) -> Mapping[str, str]:
    return MappingProxyType({str(key): str(value) for key, value in YAML(typ="safe").load(data).items()})


def label_sources() -> list[Source]:
    return [
        Source(f"label.{name}", text, ("label", name), note=NOTES.get(name, ""))
        for name, text in english_labels().items()
    ]


def label_lookup(locale: str, company_dir: Path | None = None) -> Lookup:
    """The shipped label catalogue of `locale`, then the company's own."""
    shipped = read_catalog(locales_dir() / f"{locale}.po", locales_dir())
    own = read_catalog(catalog_path(company_dir, locale), company_dir) if company_dir else None
    return Lookup(locale, [shipped, own])


def language(locale: str, company_dir: Path | None = None) -> tuple[dict[str, str], Coverage]:
    """The labels of `locale` (English where a label is not translated) and how many are translated."""
    english = english_labels()
    if locale == SOURCE_LOCALE:
        return english, Coverage(locale)
    translated, coverage = translate(Loaded({"label": english}), label_lookup(locale, company_dir), ("label",))
    return {name: str(text) for name, text in translated.data["label"].items()}, coverage


def labels(locale: str, company_dir: Path | None = None) -> Mapping[str, str]:
    """The labels for `locale`, English for any label without a current translation."""
    return language(locale, company_dir)[0]


def shipped_locales() -> list[str]:
    return sorted({SOURCE_LOCALE, *(path.stem for path in locales_dir().glob("*.po"))})


def available_locales(company_dir: Path | None = None) -> list[str]:
    """The shipped languages, and those a company brings in its translations folder."""
    own = {path.stem for path in (company_dir / "translations").glob("*.po")} if company_dir else set()
    return sorted({*shipped_locales(), *own})


def check_locale(locale: str, company_dir: Path | None = None, known: bool = True) -> str | None:
    """Why `locale` cannot be used, or None.

    A language needs a code that dates and lists know and, to print a guide
    in it (`known`), its translations: shipped, or in the company's folder.
    """
    from babel import Locale, UnknownLocaleError

    if known and locale not in available_locales(company_dir):
        how = (
            f"; to add it, put its translations in translations/{locale}.po in the company folder "
            f"(careerguide translate export --locale {locale} --company {company_dir.name})"
            if company_dir
            else ""
        )
        return f"unknown locale `{locale}` (available: {', '.join(available_locales(company_dir))}){how}"
    try:
        Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return f"`{locale}` is not a language code careerguide knows (like `nl` or `pt_BR`)"
    return None
