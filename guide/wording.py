"""Stage 1b: text that speaks of the target's own ladder.

Shared prose never names a role by its title: it refers to it, and each
target's guide reads the titles, the count and the first and top roles of its
own ladder. The references, usable in any text field of the content, a
company's overrides and its own sections:

    {role:director-of-product}   the role's title on this ladder ("Head of Product")
    {noun:director-of-product}   the role as a common noun in a sentence ("head of product")
    {role:first}, {role:top}     the first and the top role of this ladder (also with noun:)
    {role:self}, {role:below}, {role:above}
                                 in a role's own text: that role, the one below it, the one above
    {count}, {Count}             how many roles the ladder has, as a word ("six", "Six")

A role's in-sentence form is its `noun:` field when it has one; otherwise it
is made from the title by the language's rule (lower case in English, French
and Spanish, except for abbreviations and numerals; as written in German,
where nouns keep their capital).

This runs on plain data, after the merge and before validation, so that a
reference to a role the company removed is reported with its file and line
like any other mistake. It also finds the titles a target must not print: the
shared title of a role the company removed or renamed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import Problem
from .load import Key, Loaded
from .locale import english_labels
from .translate import Untranslated

REFERENCE = re.compile(r"\{(role|noun|count|Count)(?::([^{}\s]*))?\}")
# Anything a reference mistyped would look like: `{ROLE:top}`, `{role: top}`, `{ count }`, `{rol:top}`.
LOOKS_LIKE_REFERENCE = re.compile(r"\{\s*([A-Za-z_]+)\s*(?::\s*([^{}]*?))?\s*\}")
KINDS = ("role", "noun", "count", "Count")
ALIASES = ("first", "top", "self", "below", "above")
RELATIVE = {"self": 0, "below": -1, "above": 1}
# Fields that hold data rather than prose: references in them are not resolved.
DATA_FIELDS = {"id", "level", "url", "email", "date", "version", "track", "branches_from"}
ROLE_NAMES = {"title", "short_title", "noun"}


def _is_data(key: Key) -> bool:
    """Data, not prose: ids, levels, addresses; and `role` where it is a role id (in next_steps)."""
    return key[-1] in DATA_FIELDS or (key[-1] == "role" and "next_steps" in key)


def _is_role_name(key: Key) -> bool:
    """A role's own names: what references print, so they cannot hold references themselves."""
    return key[:1] == ("roles",) and len(key) == 3 and key[2] in ROLE_NAMES


@dataclass(frozen=True)
class Rung:
    id: str
    title: str
    noun: str
    track: str = "main"
    short_title: str | None = None


def ladder_of(data: dict, words: Mapping[str, str]) -> list[Rung]:
    """The roles on the ladder, lowest first, from plain (merged, unvalidated) data.

    Roles whose title or level has the wrong shape are left out here;
    validation reports them.
    """
    roles = data.get("roles") if isinstance(data.get("roles"), dict) else {}
    usable = [
        (role["level"], role_id, role)
        for role_id, role in roles.items()
        if isinstance(role, dict)
        and isinstance(role.get("title"), str)
        and isinstance(role.get("level"), int | float)
        and not isinstance(role.get("level"), bool)
    ]
    usable.sort(key=lambda item: item[0])
    return [
        Rung(
            role_id,
            role["title"],
            role["noun"] if isinstance(role.get("noun"), str) else noun(role["title"], words),
            role["track"] if isinstance(role.get("track"), str) else "main",
            role["short_title"] if isinstance(role.get("short_title"), str) else None,
        )
        for _, role_id, role in usable
    ]


def _forks(data: dict) -> dict[str, str]:
    """Track id -> the role it branches from, from plain data."""
    tracks = data.get("tracks") if isinstance(data.get("tracks"), dict) else {}
    return {
        track_id: track["branches_from"]
        for track_id, track in tracks.items()
        if isinstance(track, dict) and isinstance(track.get("branches_from"), str)
    }


def noun(title: str, words: Mapping[str, str]) -> str:
    """A title as a common noun inside a sentence, by the language's rule (see the module's docstring).

    `words` are the target's labels (`locale.labels`): they say how its language writes nouns.
    """
    if words.get("nouns_keep_capitals") == "yes":
        return title
    return " ".join(word.lower() if _plain_capitalised(word) else word for word in title.split(" "))


def _plain_capitalised(word: str) -> bool:
    """`Product`, `Manager`, `Of`: yes. `VP`, `I`, `II`, `UX`, `iOS`, `McKay`: no."""
    letters = word.strip("()-,")
    return len(letters) > 1 and letters[0].isupper() and letters[1:].islower()


def number_word(count: int, words: Mapping[str, str]) -> str:
    numbers = str(words.get("numbers", "")).split()
    return numbers[count] if 0 <= count < len(numbers) else str(count)


def resolve(loaded: Loaded, words: Mapping[str, str]) -> tuple[Loaded, list[Problem]]:
    """Every reference in the text replaced by what it names on this ladder; unknown ones as problems.

    `words` are the target's labels (`locale.labels`). Text kept in English
    (`translate.Untranslated`) stays marked so after its references are resolved.
    """
    ladder = ladder_of(loaded.data, words)
    if not ladder:
        return loaded, []  # nothing to refer to: validation says there are no (usable) roles
    main = [rung for rung in ladder if rung.track == "main"] or ladder
    by_id = {rung.id: rung for rung in ladder} | {"first": main[0], "top": main[-1]}
    forks = _forks(loaded.data)
    tracks = loaded.data.get("tracks")
    declared = {"main", *(tracks if isinstance(tracks, dict) else {})}
    excluded = _excluded(loaded.data)
    problems: list[Problem] = []

    def replace(text: str, key: Key) -> str:
        if _is_role_name(key):
            if REFERENCE.search(text):
                problems.append(_problem(loaded, key, "a role's title, short title or noun cannot hold a reference"))
            return text
        for match in LOOKS_LIKE_REFERENCE.finditer(text):
            if REFERENCE.fullmatch(match.group(0)):
                continue
            kind, target = match.group(1), (match.group(2) or "").strip()
            close = difflib.get_close_matches(kind.lower(), [k.lower() for k in KINDS], n=1, cutoff=0.6)
            if not close:
                continue  # ordinary braces, like {hh:mm}: printed as typed
            if close[0] in ("role", "noun") and target:
                hint = _hint(close[0], target)
            else:
                hint = "did you mean `{" + ("Count" if kind[:1].isupper() and kind != "ROLE" else close[0]) + "}`?"
            problems.append(_problem(loaded, key, f"`{match.group(0)}` is not a reference careerguide knows ({hint})"))

        def one(match: re.Match) -> str:
            kind, target = match.groups()
            if kind in ("count", "Count"):
                if target is not None:
                    problems.append(_problem(loaded, key, f"`{match.group(0)}` takes no role: write `{{{kind}}}`"))
                    return match.group(0)
                # Text kept in English (not translated yet) counts in English.
                word = number_word(len(ladder), english_labels() if isinstance(text, Untranslated) else words)
                return word[:1].upper() + word[1:] if kind == "Count" else word
            if target in RELATIVE:
                return _relative(match, kind, target, key)
            rung = by_id.get(target or "")
            if rung is None:
                problems.append(
                    _problem(
                        loaded, key, f"`{match.group(0)}` names no role on this ladder ({_hint(kind, target or '')})"
                    )
                )
                return match.group(0)
            return rung.title if kind == "role" else rung.noun

        return REFERENCE.sub(one, text)

    def _hint(kind: str, target: str) -> str:
        if target in excluded:
            return f"`{target}` is removed by exclude_roles; write this text without it"
        names = {rung.id: rung.id for rung in ladder} | {alias: alias for alias in ALIASES}
        for rung in ladder:
            names |= {rung.title.casefold(): rung.id, (rung.short_title or rung.id).casefold(): rung.id}
        found = names.get(target.casefold()) or next(
            iter(difflib.get_close_matches(target.casefold(), list(names), n=1)), None
        )
        if found:
            return f"did you mean `{{{kind}:{names.get(found, found)}}}`?"
        return f"roles here: {', '.join(rung.id for rung in ladder)}"

    def _relative(match: re.Match, kind: str, target: str, key: Key) -> str:
        """`self`, `below` and `above`, from the role whose text this is, along its track.

        Below the first role of a track is the role it branches from; above a
        role is the next one up on its own track.
        """
        own = by_id.get(key[1]) if key[:1] == ("roles",) and len(key) > 1 else None
        if own is None:
            problems.append(_problem(loaded, key, f"`{match.group(0)}` can only be used in a role's own text"))
            return match.group(0)
        if own.track not in declared or (own.track in forks and forks[own.track] not in by_id):
            return match.group(0)  # the track itself is wrong: validation says so, and nothing is printed
        track = [rung for rung in ladder if rung.track == own.track]
        index = track.index(own) + RELATIVE[target]
        rung = track[index] if 0 <= index < len(track) else None
        if rung is None and target == "below" and own.track in forks:
            rung = by_id.get(forks[own.track])
        if rung is None:
            where = "first" if target == "below" else "top"
            problems.append(
                _problem(
                    loaded,
                    key,
                    f"`{match.group(0)}`: {own.title} is the {where} role of its track on this ladder, so there "
                    f"is no role {target} it: write this text without it",
                )
            )
            return match.group(0)
        return rung.title if kind == "role" else rung.noun

    data = {
        part: _map_text(value, (part,), replace) if part in ("guide", "competencies", "roles", "sections") else value
        for part, value in loaded.data.items()
    }
    return Loaded(data, loaded.positions), problems


def _excluded(data: dict) -> set[str]:
    """The roles a company removed (the merge records them), to say so when text still refers to one."""
    removed = data.get("excluded_roles")
    return {role_id for role_id in removed or [] if isinstance(role_id, str)}


def _map_text(value: Any, key: Key, replace) -> Any:
    if isinstance(value, str):
        if "{" not in value or _is_data(key):
            return value
        return type(value)(replace(value, key))  # an `Untranslated` text stays one
    if isinstance(value, dict):
        return {name: _map_text(item, (*key, name), replace) for name, item in value.items()}
    if isinstance(value, list):
        return [_map_text(item, (*key, index), replace) for index, item in enumerate(value)]
    return value


def _problem(loaded: Loaded, key: Key, message: str) -> Problem:
    return Problem.at(loaded.locate(key), message, _field(key))


def _field(key: Key) -> str:
    name = ""
    for part in key:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def stale_titles(resolved: Loaded, words: Mapping[str, str], shared_titles: dict[str, str]) -> list[Problem]:
    """Warnings for text that names a role by a title this ladder does not have.

    A stale title is the shared title of a role the company removed or
    renamed. It is found as written (with its capitals); its in-sentence
    form is found in any case when it has three words or more ("associate
    product manager"), because a two-word form like "product manager" is
    also the name of the discipline. A match inside one of the ladder's own
    titles ("Product Manager" in "Senior Product Manager") is not stale.
    """
    ladder = ladder_of(resolved.data, words)
    current = {rung.id: rung for rung in ladder}
    own = [rung.title for rung in ladder] + [rung.noun for rung in ladder]
    stale: list[tuple[re.Pattern, str, str, str]] = []
    for role_id, title in shared_titles.items():
        if role_id in current and current[role_id].title == title:
            continue
        if any(title.casefold() in rung.title.casefold() for rung in ladder):
            continue  # renamed to a longer title ("Product Manager II"): the old words are the discipline's too
        if role_id in current:
            why = f"is called {current[role_id].title} here: write `{{role:{role_id}}}` or `{{noun:{role_id}}}`"
        else:
            why = "is not on this ladder (exclude_roles): reword it"
        # As written, also in the plural ("Associate Product Managers").
        if title not in own:
            stale.append((re.compile(rf"(?<!\w){re.escape(title)}s?(?!\w)"), title, role_id, why))
        lower = noun(title, words)
        if len(lower.split()) >= 3 and lower not in own:
            # In the singular only: "senior product managers" is how one speaks of the profession at large.
            stale.append((re.compile(rf"(?<!\w){re.escape(lower)}(?!\w)", re.IGNORECASE), title, role_id, why))
    if not stale:
        return []
    keep = [re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE) for name in own]
    warnings = []
    for key, written in _texts(resolved.data):
        text = " ".join(written.split())  # a title broken over two lines of a YAML block is still found
        covered = [match.span() for pattern in keep for match in pattern.finditer(text)]
        for pattern, title, _role_id, why in stale:
            for match in pattern.finditer(text):
                if any(start <= match.start() and match.end() <= end for start, end in covered):
                    continue
                warnings.append(
                    _problem(
                        resolved,
                        key,
                        f"names “{match.group(0)}”, but the role {title} {why}",
                    )
                )
                break
    return list({(w.path, w.line, w.column, w.message): w for w in warnings}.values())


def _texts(data: dict) -> Iterator[tuple[Key, str]]:
    """Every text a reader sees, with its key (titles of roles included: a section's title is prose)."""

    def walk(value: Any, key: Key) -> Iterator[tuple[Key, str]]:
        if isinstance(value, str):
            cited = key[:2] == ("guide", "sources") and key[-1] in ("title", "publisher", "author")
            if not _is_data(key) and not cited:
                yield key, value
        elif isinstance(value, dict):
            for name, item in value.items():
                if not (key[:1] == ("roles",) and len(key) == 2 and name in ("title", "short_title", "noun")):
                    yield from walk(item, (*key, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, (*key, index))

    for part in ("guide", "competencies", "roles", "sections"):
        if part in data:
            yield from walk(data[part], (part,))
