"""Stage 2: turn loaded plain data into typed models, once.

Pydantic does the checking; this module's job is to report every problem at
once, each as `file:line:col: field: message`, in words a non-programmer can
act on. Checks that span files (levels, next steps, matrix cells) run after
the per-file models are built.
"""

from __future__ import annotations

import difflib
import re
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from . import ladder
from .errors import Problem, UserError
from .load import Key, Loaded
from .models import MAIN_TRACK, MAX_ROLES, Competencies, Content, GuideText, Role, Section, Track
from .translate import untranslated_texts
from .wording import resolve

M = TypeVar("M", bound=BaseModel)


def validate(loaded: Loaded, locale: str = "en") -> Content:
    """Validate the whole content tree, raising one `UserError` with every problem.

    References to the ladder in the text (`{role:...}`, `{count}`; see
    `wording.py`) are resolved first, in `locale`, so every caller gets
    text that speaks of this ladder.
    """
    from .locale import labels

    return validate_resolved(*resolve(loaded, labels(locale)))


def validate_resolved(loaded: Loaded, reference_problems: list[Problem]) -> Content:
    """`validate` for content whose references `wording.resolve` has already replaced (and found these problems in).

    For callers that keep the resolved text too (the pipeline shows it in
    `explain` and checks it for stale titles): the text is resolved once.
    """
    problems: list[Problem] = []
    data = loaded.data

    guide = _validate_part(GuideText, data.get("guide"), ("guide",), loaded, problems)
    competencies = _validate_part(Competencies, data.get("competencies"), ("competencies",), loaded, problems)
    roles: list[Role] = []
    if len(data.get("roles", {})) > MAX_ROLES:
        problems.append(Problem.at(loaded.locate(("roles",)), f"more than {MAX_ROLES} roles on one ladder", "roles"))
    for role_id, role_data in data.get("roles", {}).items():
        if isinstance(role_data, dict):
            for computed in ("id", "rank"):
                if computed in role_data:
                    problems.append(
                        Problem.at(loaded.locate(("roles", role_id, computed)), _COMPUTED[computed], computed)
                    )
            role_data = {**role_data, "id": role_id, "rank": 0}
        role = _validate_part(Role, role_data, ("roles", role_id), loaded, problems)
        if role is not None:
            roles.append(role)
    sections = [
        _validate_part(Section, section, ("sections", index), loaded, problems)
        for index, section in enumerate(data.get("sections") or [])
    ]
    tracks = _validate_tracks(data.get("tracks"), loaded, problems)
    add = _adder(loaded, problems)

    if not data.get("roles") and not problems:
        problems.append(
            Problem.at(
                loaded.locate(("company", "exclude_roles")) or loaded.locate(("roles",)),
                "no roles are left on the ladder: a guide needs at least one (check exclude_roles)",
                "roles",
            )
        )
    if guide is not None and competencies is not None and not problems:
        problems.extend(_check_consistency(roles, competencies, loaded))
        ladder.check(roles, tracks, add)
    problems.extend(reference_problems)  # after the checks above: a wrong reference must not hide a wrong ladder
    if problems:
        raise UserError(problems)
    assert guide is not None and competencies is not None
    ordered = ladder.derive(ladder.order(roles, tracks), tracks, guide)
    ladder.check_paths(ordered, add)
    if problems:
        raise UserError(problems)
    return Content(
        guide=guide,
        competencies=competencies,
        roles=ordered,
        sections=[s for s in sections if s],
        tracks=tracks,
        untranslated=frozenset(untranslated_texts(data)),
    )


def _validate_tracks(data: Any, loaded: Loaded, problems: list[Problem]) -> list[Track]:
    """The tracks in their order (the main track needs no entry unless it is given a name)."""
    if data is None:
        return [Track()]
    if not isinstance(data, dict):
        problems.append(Problem.at(loaded.locate(("tracks",)), "tracks must be a mapping: {track-id: {name: ...}}"))
        return [Track()]
    tracks = [
        track
        for track_id, track_data in data.items()
        if (
            track := _validate_part(
                Track,
                {**(track_data or {}), "id": track_id}
                if isinstance(track_data, dict) or track_data is None
                else track_data,
                ("tracks", track_id),
                loaded,
                problems,
            )
        )
    ]
    # In the order given (track_order may put the main track's own roles after another track's);
    # a main track nobody named comes first.
    return tracks if any(track.id == MAIN_TRACK for track in tracks) else [Track(), *tracks]


def _adder(loaded: Loaded, problems: list[Problem]):
    def add(key: Key, field: str, message: str) -> None:
        problems.append(Problem.at(loaded.locate(key), message, field))

    return add


_COMPUTED = {
    "id": "a role's id is its file name; remove this field",
    "rank": "the rank is worked out from `level`; remove this field",
}


def _validate_part(model: type[M], data: Any, prefix: Key, loaded: Loaded, problems: list[Problem]) -> M | None:
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems.extend(problems_from(error, model, prefix, loaded))
        return None


def problems_from(error: ValidationError, model: type[BaseModel], prefix: Key, loaded: Loaded) -> list[Problem]:
    """Pydantic's errors as located, readable problems."""
    return [_problem(model, item, prefix, loaded) for item in _one_per_union(error.errors())]


def _is_branch(part: Any) -> bool:
    """A step in pydantic's error location that names a branch of `list | ListEdit`, not a field."""
    return part == "ListEdit" or (isinstance(part, str) and part.startswith("list["))


def _one_per_union(items: list[Any]) -> list[Any]:
    """Pydantic's errors for `list | ListEdit` overrides, cut down to what the user wrote.

    Pydantic reports every branch of a union: a bad item in a list comes
    with "should be a valid dictionary" from the `ListEdit` branch. Only
    the branch matching the value's shape is kept (a list or a mapping);
    for a value that is neither, one message says what is allowed.
    """
    kept, said = [], set()
    for item in items:
        loc = tuple(item["loc"])
        branches = [index for index, part in enumerate(loc) if _is_branch(part)]
        if branches and branches[-1] == len(loc) - 1:
            value, branch = item.get("input"), loc[-1]
            if isinstance(value, (list, dict)):
                if isinstance(value, list) == (branch != "ListEdit"):
                    kept.append(item)
                continue
            if loc[:-1] in said:
                continue
            said.add(loc[:-1])
            item = {
                **item,
                "type": "list_or_edit",
                "msg": "must be a list, or `{append: [...], prepend: [...]}` to add to the shared list",
            }
        kept.append({**item, "loc": tuple(part for part in loc if not _is_branch(part))})
    return kept


def _problem(model: type[BaseModel], item: Any, prefix: Key, loaded: Loaded) -> Problem:
    loc: Key = tuple(item["loc"])
    position = loaded.locate((*prefix, *loc))
    return Problem(
        user_message(model, item),
        position.path if position else None,
        position.line if position else None,
        position.column if position else None,
        _field_name(loc) or None,
    )


def user_message(model: type[BaseModel], item: dict) -> str:
    """What one of pydantic's errors means, in the words of someone editing a YAML file.

    Looked up by pydantic's error type in `MESSAGES`; no pydantic or regular
    expression vocabulary reaches the user (a type not in the table gets a
    plain sentence from its context, never pydantic's own).
    """
    loc: Key = tuple(item["loc"])
    value, context = item.get("input"), item.get("ctx") or {}
    name = str(loc[-1]) if loc else "value"
    if item["type"] == "extra_forbidden":
        edit_names = _field_names(model, loc[:-1])
        if set(edit_names) == {"append", "prepend"}:
            parent = ".".join(str(part) for part in loc[:-1])
            return f"`{name}` does not add to a list: write `append:` or `prepend:` under {parent}"
        return "unknown field" + _suggestion(model, loc)
    if value is None and item["type"] in _TEXT_TYPES:
        if name in ("primary", "accent", "text") or "color" in name:
            return f'"#" starts a comment in YAML, so the colour was not read: write {name}: "#5B2A86" in quotes'
        return f"has no value: write one after `{name}:` (text with a # in it goes in quotes)"
    if isinstance(value, float) and value != value:  # NaN (`.nan` in YAML)
        return "must be a number" + (" from 0 to 100" if name == "level" else "")
    message = MESSAGES.get(item["type"])
    if message is None:
        message = item["msg"].removeprefix("Value error, ") if item["msg"].startswith("Value error, ") else None
    if message is None:
        return f"is not a valid value for {name}"
    return message(item, context, name) if callable(message) else message


_TEXT_TYPES = ("string_type", "string_pattern_mismatch", "string_too_short")


def _pattern(item: dict, context: dict, name: str) -> str:
    if "#[0-9A-Fa-f]{6}" in str(context.get("pattern", "")):
        return f'use a colour like "#1E3A5F" (a # and six digits or letters A-F, in quotes), not {item.get("input")!r}'
    return "is not written the way this field needs; see the README for its form"


def _literal(item: dict, context: dict, name: str) -> str:
    expected = str(context.get("expected", "")).replace("'", "")
    return f"must be {expected}" if expected else "is not one of the allowed values"


def _empty(item: dict, context: dict, name: str) -> str:
    if item.get("input") in ("", [], None, {}):
        return "must not be empty"
    return f"is too short: at least {context.get('min_length', 1)}"


def _long(item: dict, context: dict, name: str) -> str:
    limit = context.get("max_length")
    kind = "items" if isinstance(item.get("input"), (list, dict)) else "characters"
    return f"is too long: at most {limit} {kind}" if limit is not None else "is too long"


def _bound(word: str, key: str):
    return lambda item, context, name: f"must be {word} {context.get(key)}"


def _text(item: dict, context: dict, name: str) -> str:
    value = item.get("input")
    if isinstance(value, dict):
        if any(re.match(r"(role|noun|count|Count)\b", str(key)) for key in value):
            return "a text that starts with a reference (`{role:...}`, `{Count}`) must be in quotes"
        return "expected text but found `key: value`; put text that contains ': ' in quotes"
    if isinstance(value, list):
        return "expected text but found a list; write it on one line, or in quotes"
    return "must be text"


#: pydantic's error types -> what to tell the user: a sentence, or a function of (error, its context, field name).
MESSAGES: dict[str, Any] = {
    "missing": "required field is missing",
    "string_type": _text,
    "string_pattern_mismatch": _pattern,
    "string_too_short": _empty,
    "too_short": _empty,
    "string_too_long": _long,
    "too_long": _long,
    "literal_error": _literal,
    "enum": _literal,
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a number",
    "greater_than": _bound("more than", "gt"),
    "greater_than_equal": _bound("at least", "ge"),
    "less_than": _bound("less than", "lt"),
    "less_than_equal": _bound("at most", "le"),
    "list_type": "must be a list: one `- item` per line",
    "dict_type": "must be a mapping: `key: value` lines",
    "model_type": "must be a mapping: `key: value` lines",
    "model_attributes_type": "must be a mapping: `key: value` lines",
    "list_or_edit": "must be a list, or `{append: [...], prepend: [...]}` to add to the shared list",
    "url_parsing": "must be a web address like https://example.com/careers",
    "url_scheme": "must be a web address starting with https://",
    "date_from_datetime_parsing": "must be a date like 2027-01-18",
    "date_parsing": "must be a date like 2027-01-18",
    "date_type": "must be a date like 2027-01-18",
}


def _suggestion(model: type[BaseModel], loc: Key) -> str:
    """Point at the field the user probably meant."""
    names = _field_names(model, loc[:-1])
    if not names:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    if close:
        return f" (did you mean `{close[0]}`?)"
    return f" (allowed: {', '.join(names)})"


def _field_names(annotation: Any, path: Key) -> list[str]:
    """The field names of the model found by following `path` from `annotation`."""
    candidates = [annotation]
    for part in path:
        following = []
        for candidate in _flatten(candidates):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                field = candidate.model_fields.get(str(part))
                if field is not None:
                    following.append(field.annotation)
            elif get_origin(candidate) is dict:
                following.append(get_args(candidate)[1])
            elif get_origin(candidate) is list and isinstance(part, int):
                following.append(get_args(candidate)[0])
        candidates = following
    for candidate in _flatten(candidates):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return [f.alias or name for name, f in candidate.model_fields.items() if name not in ("id", "rank")]
    return []


def _flatten(annotations: list[Any]) -> list[Any]:
    """Unwrap Optional, unions and Annotated into the plain types they allow."""
    result = []
    for annotation in annotations:
        origin = get_origin(annotation)
        if origin is Annotated:
            result.extend(_flatten([get_args(annotation)[0]]))
        elif origin in (Union, UnionType):
            result.extend(_flatten(list(get_args(annotation))))
        else:
            result.append(annotation)
    return result


def _field_name(loc: Key) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name


def _check_consistency(roles: list[Role], competencies: Competencies, loaded: Loaded) -> list[Problem]:
    """Rules that need more than one file: unique titles, next steps that
    name roles, and one matrix cell for every competency in every role (the
    ladder's shape is `ladder.check`'s)."""
    problems: list[Problem] = []

    def add(key: Key, field: str, message: str) -> None:
        position = loaded.locate(key)
        assert position is not None
        problems.append(Problem(message, position.path, position.line, position.column, field))

    ids = {role.id for role in roles}
    by_title: dict[str, str] = {}
    for role in roles:
        if role.title.casefold() in by_title:
            add(
                ("roles", role.id, "title"),
                "title",
                f"`{role.title}` is also the title of {by_title[role.title.casefold()]}",
            )
        by_title.setdefault(role.title.casefold(), role.id)
        for index, step in enumerate(role.next_steps or []):
            if step.role is not None and step.role not in ids:
                add(
                    ("roles", role.id, "next_steps", index, "role"),
                    f"roles.{role.id}.next_steps[{index}].role",
                    f"unknown role id `{step.role}`" + _close(step.role, ids),
                )
        wanted = [c.id for c in competencies.competencies]
        for missing in [c for c in wanted if c not in role.competencies]:
            add(("roles", role.id, "competencies"), "competencies", f"no entry for competency `{missing}`")
        for extra in [c for c in role.competencies if c not in wanted]:
            add(
                ("roles", role.id, "competencies", extra),
                f"competencies.{extra}",
                "not a competency in competencies.yaml" + _close(extra, wanted),
            )
    seen: set[str] = set()
    for index, competency in enumerate(competencies.competencies):
        if competency.id in seen:
            add(("competencies", "competencies", index, "id"), f"competencies[{index}].id", "duplicate id")
        seen.add(competency.id)
    return problems


def _close(word: str, options: Any) -> str:
    close = difflib.get_close_matches(word, sorted(options), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""
