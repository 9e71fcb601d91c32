"""Stage 1a: the content and labels in the reader's language, from gettext catalogues.

Every string a reader sees has a place (its context, e.g.
`roles.product-manager.responsibilities[2]`) and an English source text. A
catalogue (`<folder>/translations/<locale>.po`; labels in
`guide/locales/<locale>.po`) stores, per place, the English it translated
(msgid) and the translation (msgstr). The stored English is the
fingerprint: when the shared English changes, the entry no longer matches
and the string is *stale* until a translator looks at it again; gettext's
`fuzzy` flag means the same. A stale or missing string is printed in English
and marked as such (see `Untranslated`), so hyphenation and screen readers
treat it as English.

Catalogues are read in layers: the shipped ones, then the company's own
(`companies/<slug>/translations/<locale>.po`), whose entries win. A company
can so override a label, translate its own sections and roles, or bring a
language careerguide does not ship.

This runs on plain data, before the merge: the company's own text (written
in its language) then merges over translated shared content.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import Problem, UserError
from .files import decode_text, read_inside
from .load import Key, Loaded, Position

SOURCE_LOCALE = "en"
MAX_CATALOG_BYTES = 4 * 1024 * 1024  # a complete catalogue is about 60 KB
TRANSLATIONS = "translations"  # the folder of a content or company folder that holds its catalogues


class Untranslated(str):
    """A string printed in English in another language's edition: stale, missing, or a cited title.

    A str subclass so that it travels through the merge and the references
    unchanged; validation collects these into `Content.untranslated`, and the
    templates mark each with `lang="en"`.
    """

    __slots__ = ()


# Where the translatable text is: dotted patterns over a value's key, `*` any
# name, `#` any list index, `a|b` either name. Everything else (ids, levels,
# addresses, dates, people's names, the cited source's title) is kept as written.
_ROLE = [
    "title|short_title|noun|summary|experience",
    "hiring_signals|responsibilities|day_to_day|skills|ready_for_next #",
    "next_steps # title|note",
    "competencies *",
]
_GUIDE = [
    "title|subtitle",
    "introduction #",
    "how_to_read # title|text",
    "ladder title|text",
    "beyond_the_ladder title",
    "beyond_the_ladder paragraphs #",
    "on_ramps title|intro",
    "on_ramps items # from|brings|build",
    "off_ramps title|intro|text",
    "off_ramps exits # title|note",
    "sources # note",
    "first_weeks title",
    "first_weeks items #",
]
_PATTERNS = (
    [f"guide {p}" for p in _GUIDE]
    + ["competencies title|intro", "competencies competencies # name", "tracks * name|description"]
    + [f"roles * {p}" for p in _ROLE]
    + ["titles *", "label *"]
    + [f"sections # {p}" for p in ("title|signature", "paragraphs #", "contacts # role|note", "links # title|note")]
)


def _compile(pattern: str) -> tuple[frozenset[str] | str, ...]:
    return tuple(part if part in ("*", "#") else frozenset(part.split("|")) for part in pattern.split())


PATTERNS = tuple(_compile(p) for p in _PATTERNS)
SHARED_ROOTS = ("guide", "competencies", "tracks", "roles")


def _normal(key: Key) -> Key:
    """A key as the patterns see it: a company's overrides and extra roles like the shared content's."""
    if key[:1] == ("company",):
        key = key[1:]
    elif key[:1] == ("extra_roles",):
        key = ("roles", *key[1:])
    return tuple(part for part in key if part not in ("append", "prepend"))


def translatable(key: Key) -> bool:
    key = _normal(key)
    for pattern in PATTERNS:
        if len(pattern) == len(key) and all(
            (part == "#" and isinstance(name, int))
            or (part == "*" and isinstance(name, str))
            or (isinstance(part, frozenset) and name in part)
            for part, name in zip(pattern, key, strict=True)
        ):
            return True
    return False


def context_of(key: Key) -> str:
    """The place of a string as a translator sees it: `roles.product-manager.responsibilities[2]`."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _list_context(context: str) -> str | None:
    """`a.b[3]` -> `a.b`: an item found at another index of the same list is the same text, moved."""
    match = re.fullmatch(r"(.*)\[\d+\]", context)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Source:
    """One translatable string: where it is, its English, and a note for translators."""

    context: str
    text: str
    key: Key
    where: Position | None = None
    note: str = ""


def sources(loaded: Loaded, roots: Iterable[str] = SHARED_ROOTS) -> list[Source]:
    """Every translatable string under `roots` of plain data, in the order a reader meets them."""
    found: list[Source] = []
    roles = loaded.data.get("roles") if isinstance(loaded.data.get("roles"), dict) else {}

    def note(key: Key) -> str:
        normal = _normal(key)
        if normal[:1] == ("roles",) and len(normal) > 2:
            role = roles.get(normal[1]) or (loaded.data.get("extra_roles") or {}).get(normal[1]) or {}
            title = role.get("title") if isinstance(role, dict) else None
            return f"{title or normal[1]}: {context_of(normal[2:])}"
        return ""

    def walk(value: Any, key: Key) -> None:
        if isinstance(value, str):
            if translatable(key) and value.strip():
                found.append(Source(context_of(key), value, key, loaded.positions.get(key), note(key)))
        elif isinstance(value, dict):
            for name, item in value.items():
                walk(item, (*key, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*key, index))

    for root in roots:
        if root in loaded.data:
            walk(loaded.data[root], (root,))
    return found


# ---------------------------------------------------------------------------
# Catalogues


@dataclass(frozen=True)
class Translation:
    context: str
    source: str  # the English it translates, as it was when translated
    text: str
    fuzzy: bool = False
    line: int | None = None
    path: Path | None = None


@dataclass(frozen=True)
class Catalog:
    """One PO file's entries by context, and its language (from its header)."""

    locale: str | None
    entries: Mapping[str, Translation]
    path: Path | None = None


def parse_po(text: str, path: Path | None) -> tuple[Catalog, list[Problem]]:
    """A PO file's entries; duplicates and entries with no context are problems, with their line.

    polib parses; a syntax error is reported with the line polib names.
    """
    import polib

    try:
        # polib takes a string holding a path as that file: text that ends in a newline is never one.
        po = polib.pofile(text if text.endswith("\n") else text + "\n", wrapwidth=78)
    except (OSError, ValueError) as error:
        found = re.search(r"line (\d+)", str(error))
        why = re.sub(r"\s*\(line \d+\)", "", str(error)).strip() or "not a PO file"
        raise UserError(
            Problem(f"this is not a readable PO file: {why.lower()}", path, int(found.group(1)) if found else None)
        ) from None
    problems: list[Problem] = []
    entries: dict[str, Translation] = {}
    for entry in po:
        if entry.obsolete:
            continue
        if not entry.msgctxt:
            problems.append(Problem(f"entry “{_short(entry.msgid)}” has no msgctxt (its place)", path, entry.linenum))
            continue
        if entry.msgctxt in entries:
            first = entries[entry.msgctxt].line
            problems.append(
                Problem(f"`{entry.msgctxt}` is translated twice (first on line {first})", path, entry.linenum)
            )
            continue
        entries[entry.msgctxt] = Translation(entry.msgctxt, entry.msgid, entry.msgstr, entry.fuzzy, entry.linenum, path)
    locale = po.metadata.get("Language") or None
    return Catalog(locale, entries, path), problems


def _short(text: str, size: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


@lru_cache(maxsize=32)
def _parsed(data: bytes, path: Path) -> Catalog:
    catalog, problems = parse_po(decode_text(data, path), path)
    if problems:
        raise UserError(problems)
    return catalog


def read_catalog(path: Path, root: Path) -> Catalog | None:
    """The catalogue at `path` (inside `root`, read as an untrusted file), or None when there is none.

    Parsed once per version of its bytes: a long-lived process never reads a stale one.
    """
    if not path.exists() and not path.is_symlink():
        return None
    return _parsed(read_inside(path, root, MAX_CATALOG_BYTES), path)


def catalog_path(folder: Path, locale: str) -> Path:
    return folder / TRANSLATIONS / f"{locale}.po"


# ---------------------------------------------------------------------------
# Applying a catalogue


@dataclass
class Coverage:
    """How much of one locale's text a target has in that language."""

    locale: str
    total: int = 0
    stale: list[Source] = field(default_factory=list)
    missing: list[Source] = field(default_factory=list)

    @property
    def translated(self) -> int:
        return self.total - len(self.stale) - len(self.missing)

    def add(self, other: Coverage) -> None:
        self.total += other.total
        self.stale += other.stale
        self.missing += other.missing

    def summary(self) -> str:
        return f"{self.locale}: {self.translated} of {self.total} translated, {len(self.stale)} stale"


class Lookup:
    """Catalogues in layers, later ones winning: what a string is in one locale, and whether it is current."""

    def __init__(self, locale: str, catalogs: Iterable[Catalog | None]) -> None:
        self.locale = locale
        self.entries: dict[str, Translation] = {}
        for catalog in catalogs:
            if catalog is not None:
                self.entries.update(catalog.entries)
        self.moved: dict[tuple[str, str], Translation] = {}
        for entry in self.entries.values():
            if (whole := _list_context(entry.context)) is not None and not entry.fuzzy and entry.text:
                self.moved.setdefault((whole, entry.source), entry)

    def find(self, source: Source) -> tuple[Translation | None, bool]:
        """(translation, stale): the current translation of `source`, or None and whether an old one exists."""
        entry = self.entries.get(source.context)
        if entry is not None and entry.text and not entry.fuzzy and entry.source == source.text:
            return entry, False
        whole = _list_context(source.context)
        moved = self.moved.get((whole, source.text)) if whole else None
        if moved is not None:
            return moved, False
        return None, entry is not None and bool(entry.text)


def translate(loaded: Loaded, lookup: Lookup, roots: Iterable[str] = SHARED_ROOTS) -> tuple[Loaded, Coverage]:
    """`loaded` with every translatable string under `roots` in the lookup's language.

    A string with no current translation stays English, as `Untranslated`.
    The cited sources' titles are always as published (English).
    """
    coverage = Coverage(lookup.locale)
    replaced: dict[Key, str] = {}
    positions = dict(loaded.positions)
    for source in sources(loaded, roots):
        coverage.total += 1
        found, stale = lookup.find(source)
        if found is None:
            (coverage.stale if stale else coverage.missing).append(source)
            replaced[source.key] = Untranslated(source.text)
        else:
            replaced[source.key] = found.text
            if found.path is not None:  # a mistake in a translation is reported at its line in the catalogue
                positions[source.key] = Position(found.path, found.line)
    guide = loaded.data.get("guide")
    if "guide" in roots and isinstance(guide, dict) and isinstance(guide.get("sources"), list):
        for index, cited in enumerate(guide["sources"]):
            if isinstance(cited, dict) and isinstance(cited.get("title"), str):
                replaced[("guide", "sources", index, "title")] = Untranslated(cited["title"])
    return Loaded(_replace(loaded.data, (), replaced), positions), coverage


def _replace(value: Any, key: Key, replaced: Mapping[Key, str]) -> Any:
    if isinstance(value, dict):
        return {name: _replace(item, (*key, name), replaced) for name, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, (*key, index), replaced) for index, item in enumerate(value)]
    return replaced.get(key, value)


def untranslated_texts(value: Any) -> Iterator[str]:
    """Every `Untranslated` string in plain data, as it will be printed (stripped)."""
    if isinstance(value, Untranslated):
        yield value.strip()
    elif isinstance(value, dict):
        for item in value.values():
            yield from untranslated_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from untranslated_texts(item)


# ---------------------------------------------------------------------------
# Writing catalogues


def write_po(
    locale: str, rows: Iterable[tuple[Source, Translation | None]], places: bool = False, root: Path | None = None
) -> str:
    """A PO catalogue: for each source, its context, its English and its translation.

    With `places` (a file for translators) each entry also says where the
    English is and what it belongs to, and a translation of older English
    is given as gettext does: marked fuzzy, with the English it was made
    from as the previous msgid. Without them (the stored catalogue) each
    entry keeps the English it was translated from, which is how staleness
    is found later. Entries come in the sources' order, so the output is the
    same for the same input.
    """
    import polib

    po = polib.POFile(wrapwidth=78)
    po.header = (
        f"careerguide translations ({locale}). Each entry: msgctxt is the place of the text, msgid the English "
        "it translates, msgstr the translation. `careerguide translate export` writes this file for "
        "translators; `careerguide translate import` reads it back."
    )
    po.metadata = {
        "Project-Id-Version": "careerguide",
        "Language": locale,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    for source, translation in rows:
        entry = polib.POEntry(msgctxt=source.context, msgid=source.text, msgstr="")
        if translation is not None:
            entry.msgstr = translation.text
            current = translation.source == source.text and not translation.fuzzy
            if places:
                if not current:
                    entry.flags.append("fuzzy")
                    if translation.source != source.text:
                        entry.previous_msgid = translation.source
            else:
                entry.msgid = translation.source
                if translation.fuzzy:
                    entry.flags.append("fuzzy")
        if places:
            entry.comment = source.note
            if source.where is not None and source.where.path is not None:
                entry.occurrences = [(_shown(source.where.path, root), str(source.where.line or 1))]
        po.append(entry)
    return str(po)


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(Path(path).resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return Path(path).name


def content_root(loaded: Loaded) -> Path:
    """The folder a content tree was read from (`load.load_content` records its roles folder)."""
    return loaded.positions[("roles",)].path.parent


def content_lookup(locale: str, content_dir: Path, company_dir: Path | None = None) -> Lookup:
    """The content folder's catalogue of `locale`, then the company's own."""
    shipped = read_catalog(catalog_path(content_dir, locale), content_dir)
    own = read_catalog(catalog_path(company_dir, locale), company_dir) if company_dir else None
    return Lookup(locale, [shipped, own])


def coverage_warning(coverage: Coverage, where: Path) -> Problem | None:
    """A warning naming what is printed in English, or None when everything is translated."""
    if not coverage.stale and not coverage.missing:
        return None
    parts = []
    for kind, found in (("stale (the English changed)", coverage.stale), ("not translated", coverage.missing)):
        if found:
            shown = ", ".join(source.context for source in found[:3]) + (", ..." if len(found) > 3 else "")
            parts.append(f"{len(found)} {kind}: {shown}")
    return Problem(
        f"{coverage.summary()}; printed in English until translated: {'; '.join(parts)} "
        f"(careerguide translate export --locale {coverage.locale} writes them for a translator)",
        where,
    )
