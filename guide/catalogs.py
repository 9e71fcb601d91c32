"""The translator's workflow: a PO file out for translators, back in, and how complete each language is.

`export_catalog` writes every translatable string of a target (the content,
the labels and, for a company that writes in another language, its own
text) with its English, its place, a note on what it belongs to and the
current translation, the way gettext tools and translation platforms expect
(stale translations as `fuzzy`, with the English they were made from).
`import_catalog` checks a translated file completely before it writes
anything, then stores each entry where it belongs: the shipped labels in
`guide/locales/`, the content's in `<content>/translations/`, a company's in
its own `translations/` folder (only what differs from the shipped ones).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from .company import load_company
from .errors import Problem, UserError
from .files import decode_text, read_bounded
from .load import Loaded, load_content
from .locale import check_locale, label_lookup, label_sources, shipped_locales
from .resources import locales_dir
from .translate import (
    MAX_CATALOG_BYTES,
    SOURCE_LOCALE,
    TRANSLATIONS,
    Catalog,
    Coverage,
    Lookup,
    Source,
    Translation,
    catalog_path,
    content_lookup,
    parse_po,
    read_catalog,
    sources,
    write_po,
)
from .wording import LOOKS_LIKE_REFERENCE, REFERENCE
from .write import write_all

COMPANY_ROOTS = ("company", "extra_roles")


@dataclass
class Strings:
    """Every translatable string of one target, each with the lookup that translates it and the file that stores it."""

    locale: str
    rows: list[tuple[Source, Lookup, Path]] = field(default_factory=list)

    def by_context(self) -> dict[str, tuple[Source, Lookup, Path]]:
        return {row[0].context: row for row in self.rows}


def target_strings(locale: str, content_dir: Path, company_dir: Path | None = None) -> Strings:
    """The content's strings, the labels, and a company's own text when it is written in another language."""
    content = load_content(content_dir)
    found = Strings(locale)
    own_store = catalog_path(company_dir, locale) if company_dir else None
    content_store = own_store or catalog_path(content_dir, locale)
    label_store = own_store or locales_dir() / f"{locale}.po"
    lookup = content_lookup(locale, content_dir, company_dir)
    found.rows += [(source, lookup, content_store) for source in sources(content)]
    labels = label_lookup(locale, company_dir)
    found.rows += [(source, labels, label_store) for source in label_sources()]
    if company_dir is not None:
        company = load_company(company_dir)
        written_in = company.settings.written_in if company.settings else None
        if written_in not in (None, locale):
            own = Lookup(locale, [read_catalog(own_store, company_dir)])
            found.rows += [(source, own, own_store) for source in sources(company.loaded, COMPANY_ROOTS)]
    return found


def _current_or_old(lookup: Lookup, source: Source) -> Translation | None:
    found, _ = lookup.find(source)
    return found or lookup.entries.get(source.context)


def export_catalog(locale: str, content_dir: Path, company_dir: Path | None = None) -> str:
    """A PO file with every string of the target in `locale`, for a translator or a translation platform."""
    if locale == SOURCE_LOCALE:
        raise UserError(Problem("English is the language the content is written in: choose a locale to translate into"))
    if why := check_locale(locale, company_dir, known=False):
        raise UserError(Problem(why))
    strings = target_strings(locale, content_dir, company_dir)
    return write_po(
        locale, ((s, _current_or_old(lookup, s)) for s, lookup, _ in strings.rows), places=True, root=Path.cwd()
    )


@dataclass
class Imported:
    locale: str
    changed: dict[Path, list[str]] = field(default_factory=dict)  # file -> contexts whose translation changed
    warnings: list[Problem] = field(default_factory=list)


def import_catalog(path: Path, content_dir: Path, company_dir: Path | None = None, dry_run: bool = False) -> Imported:
    """Check a translated PO file, then store its translations; nothing is written if any entry is wrong.

    Errors: a file that does not parse, no `Language` header, an entry for a
    place careerguide does not know, a place translated twice, a reference
    (`{role:...}`) the English does not make. A translation of older English
    (or one marked fuzzy) is a warning: it is stored, and printed in English
    until a translator confirms it.
    """
    catalog, problems = parse_po(decode_text(read_bounded(path, MAX_CATALOG_BYTES), path), path)
    if catalog.locale is None:
        raise UserError(Problem('the file names no language: its header needs a line like "Language: de\\n"', path))
    locale = catalog.locale
    if locale == SOURCE_LOCALE or (why := check_locale(locale, company_dir, known=False)):
        raise UserError(Problem(f"Language: {why or 'English is the source language, not a translation'}", path))
    strings = target_strings(locale, content_dir, company_dir)
    known = strings.by_context()
    result = Imported(locale)
    for entry in catalog.entries.values():
        row = known.get(entry.context)
        if row is None:
            close = difflib.get_close_matches(entry.context, list(known), n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            problems.append(
                Problem(f"`{entry.context}` is not a text of this guide{hint}: remove the entry", path, entry.line)
            )
            continue
        source = row[0]
        if entry.text:
            problems.extend(_reference_problems(entry, source, path))
            if entry.fuzzy or entry.source != source.text:
                result.warnings.append(
                    Problem(
                        f"`{entry.context}` is marked fuzzy or translates older English: stored, and printed in "
                        "English until it is confirmed",
                        path,
                        entry.line,
                    )
                )
    if problems:
        raise UserError(problems)
    # What the shipped catalogues already say (content and labels have different places): a company stores only
    # what differs.
    shipped_entries = {**content_lookup(locale, content_dir).entries, **label_lookup(locale).entries}
    shipped = Lookup(locale, [Catalog(locale, shipped_entries)])
    stores: dict[Path, dict[str, Translation]] = {}
    for _, _, store in strings.rows:
        if store not in stores:
            existing = read_catalog(store, store.parent.parent) if store.exists() else None
            stores[store] = dict(existing.entries) if existing else {}
    for entry in catalog.entries.values():
        if not entry.text:
            continue
        source, _, store = known[entry.context]
        kept = stores[store].get(entry.context)
        if company_dir is not None and not entry.context.startswith(COMPANY_ROOTS):
            same, _ = shipped.find(source)
            if same is not None and same.text == entry.text and not entry.fuzzy and entry.source == source.text:
                stores[store].pop(entry.context, None)  # the shipped translation says it already
                continue
        if kept is None or (kept.text, kept.source, kept.fuzzy) != (entry.text, entry.source, entry.fuzzy):
            result.changed.setdefault(store, []).append(entry.context)
        stores[store][entry.context] = entry
    files: dict[Path, bytes] = {}
    for store, entries in stores.items():
        rows = [(s, entries[s.context]) for s, _, where in strings.rows if where == store and s.context in entries]
        data = write_po(locale, rows).encode("utf-8")
        if (store.exists() and store.read_bytes() != data) or (not store.exists() and rows):
            files[store] = data
    if not dry_run and files:
        write_all(files)
    return result


def _reference_problems(entry: Translation, source: Source, path: Path) -> list[Problem]:
    """References in a translation must be well formed and name what the English names."""
    allowed = {_reference(kind, target) for kind, target in REFERENCE.findall(source.text)}
    problems = []
    for match in LOOKS_LIKE_REFERENCE.finditer(entry.text):
        token = match.group(0)
        full = REFERENCE.fullmatch(token)
        if full is None:
            if difflib.get_close_matches(match.group(1).lower(), ["role", "noun", "count"], n=1, cutoff=0.6):
                problems.append(
                    Problem(f"`{token}` in the translation is not a reference careerguide knows", path, entry.line)
                )
            continue
        kind, target = full.groups()
        if _reference(kind, target) not in allowed:
            used = ", ".join(sorted({m.group(0) for m in REFERENCE.finditer(source.text)})) or "none"
            problems.append(
                Problem(
                    f"`{token}` in the translation of `{entry.context}` is not in the English (its references: {used})",
                    path,
                    entry.line,
                )
            )
    return problems


def _reference(kind: str, target: str | None) -> tuple[str, str]:
    """What a reference names, whatever its form: `{Count}` is `{count}`, `{noun:x}` is `{role:x}` in a sentence."""
    return kind.lower().replace("noun", "role"), target or ""


def coverage_report(content_dir: Path) -> list[Coverage]:
    """How complete each shipped language is for the content in `content_dir` (labels included)."""
    from .pipeline import in_language

    content: Loaded = load_content(content_dir)
    locales = {*shipped_locales(), *(p.stem for p in (content_dir / TRANSLATIONS).glob("*.po"))} - {SOURCE_LOCALE}
    return [in_language(content, locale, None)[2] for locale in sorted(locales)]
