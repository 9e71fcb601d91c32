"""Merge a company's overrides over the shared content, as plain data.

The rules, applied in this order (the README documents them):

1. `guide:` merges over `content/guide.yaml`, `competencies:` over
   `content/competencies.yaml`.
2. Role files in `companies/<slug>/roles/` are added to the shared roles.
3. `exclude_roles` removes shared roles. A step that pointed at a removed role
   now points where the removed role's own next steps pointed.
4. `roles: {id: {...}}` merges over each named role.
5. `titles: {id: title}` sets role titles (and drops the shared `short_title`,
   which would still name the old title, unless `roles` sets one).

Within a merge, mappings merge key by key, anything else replaces, and a list
is replaced unless the override is `{prepend: [...], append: [...]}`.

Every function here is pure: it returns new data and new position maps and
never changes its inputs. Positions travel with the values, so an error in
merged data still points at the line the value came from.
"""

from __future__ import annotations

import difflib
from typing import Any

from .errors import Problem
from .load import Key, Loaded, Position
from .models import MAIN_TRACK

LIST_EDITS = {"prepend", "append"}


def subtree(positions: dict[Key, Position], prefix: Key) -> dict[Key, Position]:
    """The positions under `prefix`, with keys relative to it."""
    size = len(prefix)
    return {key[size:]: pos for key, pos in positions.items() if key[:size] == prefix}


def graft(tree: dict[Key, Position], prefix: Key) -> dict[Key, Position]:
    """Relative positions made absolute under `prefix`."""
    return {(*prefix, *key): pos for key, pos in tree.items()}


def is_list_edit(value: Any) -> bool:
    """`{prepend: [...], append: [...]}`; with anything but lists in it, it is a mistake that validation reports."""
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) <= LIST_EDITS
        and all(isinstance(items, list) for items in value.values())
    )


def merge_value(
    base: Any, over: Any, base_pos: dict[Key, Position], over_pos: dict[Key, Position]
) -> tuple[Any, dict[Key, Position]]:
    """Merge `over` onto `base`; positions are relative to each value."""
    if is_list_edit(over) and isinstance(base, list):
        before = list(over.get("prepend") or [])
        after = list(over.get("append") or [])
        positions = {(): over_pos.get((), base_pos.get(()))}
        for index in range(len(before)):
            positions |= graft(subtree(over_pos, ("prepend", index)), (index,))
        for index in range(len(base)):
            positions |= graft(subtree(base_pos, (index,)), (len(before) + index,))
        for index in range(len(after)):
            positions |= graft(subtree(over_pos, ("append", index)), (len(before) + len(base) + index,))
        return before + base + after, {k: v for k, v in positions.items() if v is not None}
    if isinstance(base, dict) and isinstance(over, dict) and not is_list_edit(over):
        merged = dict(base)
        positions = {k: v for k, v in base_pos.items() if not k or k[0] not in over}
        for name, value in over.items():
            if name in base:
                merged[name], child = merge_value(
                    base[name], value, subtree(base_pos, (name,)), subtree(over_pos, (name,))
                )
            else:
                merged[name], child = value, subtree(over_pos, (name,))
            positions |= graft(child, (name,))
        return merged, positions
    return over, dict(over_pos) or dict(base_pos)


def merge_company(shared: Loaded, company: Loaded) -> tuple[Loaded, list[Problem]]:
    """Apply one company's overrides (`company.data` is its company.yaml plus its role files).

    Returns the merged content and the problems found on the way (unknown
    role ids, contradictions); the caller validates the result once.
    """
    data = shared.data
    over = company.data
    settings = over.get("company", {})
    # company.yaml's shape was checked (and any mistake reported) before the
    # merge; here a value of the wrong shape is simply skipped so that the
    # remaining problems can still be found.
    exclude = _of_type(settings, "exclude_roles", list)
    titles = _of_type(settings, "titles", dict)
    role_overrides = {k: v for k, v in _of_type(settings, "roles", dict).items() if isinstance(v, dict)}
    positions = dict(shared.positions)
    problems: list[Problem] = []

    def problem(key: Key, field: str, message: str) -> None:
        position = company.locate(key)
        problems.append(Problem.at(position, message, field))

    # 1. guide text, the competency matrix's text and the tracks
    parts = {}
    for part in ("guide", "competencies", "tracks"):
        value = data.get(part, {} if part == "tracks" else None)
        if isinstance(settings.get(part), dict) and isinstance(value, dict):
            value, part_pos = merge_value(
                value, settings[part], subtree(positions, (part,)), subtree(company.positions, ("company", part))
            )
            positions = {k: v for k, v in positions.items() if k[:1] != (part,)} | graft(part_pos, (part,))
        parts[part] = value

    # 2. company roles
    roles = dict(data.get("roles", {}))
    for role_id, role in over.get("extra_roles", {}).items():
        if role_id in roles:
            problem(
                ("extra_roles", role_id),
                "id",
                f"`{role_id}` is already a shared role; change it with `roles: {{{role_id}: ...}}` in company.yaml",
            )
            continue
        roles[role_id] = role
        positions |= graft(subtree(company.positions, ("extra_roles", role_id)), ("roles", role_id))
    known = set(roles)

    def check_id(role_id: str, key: Key, field: str) -> bool:
        if role_id in known:
            return True
        close = difflib.get_close_matches(role_id, sorted(known), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else f" (known: {', '.join(sorted(known))})"
        problem(key, field, f"unknown role id `{role_id}`{hint}")
        return False

    # 3. exclusions: a track goes with its roles
    tracks = parts["tracks"] if isinstance(parts["tracks"], dict) else {}
    for index, track_id in enumerate(_of_type(settings, "exclude_tracks", list)):
        if not isinstance(track_id, str):
            continue
        if track_id not in tracks:
            known_tracks = ", ".join(tracks) or "none"
            problem(
                ("company", "exclude_tracks", index),
                f"exclude_tracks[{index}]",
                f"unknown track `{track_id}` (tracks: {known_tracks})",
            )
            continue
        parts["tracks"] = tracks = {k: v for k, v in tracks.items() if k != track_id}
        exclude = [*exclude, *(role_id for role_id, role in roles.items() if _on_track(role, track_id))]
    order = [name for name in _of_type(settings, "track_order", list) if isinstance(name, str)]
    for index, track_id in enumerate(order):
        if track_id not in tracks and track_id != MAIN_TRACK:
            problem(("company", "track_order", index), f"track_order[{index}]", f"unknown track `{track_id}`")
    if order:
        rank = {track_id: index for index, track_id in enumerate(order)}
        parts["tracks"] = tracks = dict(sorted(tracks.items(), key=lambda item: rank.get(item[0], len(rank))))
    excluded = []
    for index, role_id in enumerate(exclude):
        if isinstance(role_id, str) and check_id(
            role_id, ("company", "exclude_roles", index), f"exclude_roles[{index}]"
        ):
            excluded.append(role_id)
    for role_id in excluded:
        for section, named in (("roles", role_overrides), ("titles", titles)):
            if role_id in named:
                problem(
                    ("company", section, role_id),
                    f"{section}.{role_id}",
                    f"`{role_id}` is both excluded and given {'overrides' if section == 'roles' else 'a title'}; "
                    "remove one of the two",
                )
    removed = {role_id: roles.pop(role_id) for role_id in dict.fromkeys(excluded)}
    for role_id, role in roles.items():
        if isinstance(role, dict) and isinstance(role.get("next_steps"), list):
            steps = _reroute(role["next_steps"], removed)
            # Steps that only led to removed roles (which followed the ladder) give way to the ladder's own.
            rest = {k: v for k, v in role.items() if k != "next_steps"}
            roles[role_id] = {**rest, "next_steps": steps} if steps or not role["next_steps"] else rest
    positions = {k: v for k, v in positions.items() if not (k[:1] == ("roles",) and len(k) > 1 and k[1] in removed)}

    # 4. role overrides
    for role_id, role_over in role_overrides.items():
        if role_id in removed or not check_id(role_id, ("company", "roles", role_id), f"roles.{role_id}"):
            continue
        merged, role_pos = merge_value(
            roles[role_id],
            role_over,
            subtree(positions, ("roles", role_id)),
            subtree(company.positions, ("company", "roles", role_id)),
        )
        roles[role_id] = merged
        positions = {k: v for k, v in positions.items() if k[:2] != ("roles", role_id)} | graft(
            role_pos, ("roles", role_id)
        )

    # 5. titles
    for role_id, title in titles.items():
        if role_id in removed or not check_id(role_id, ("company", "titles", role_id), f"titles.{role_id}"):
            continue
        if "title" in role_overrides.get(role_id, {}):
            problem(
                ("company", "titles", role_id),
                f"titles.{role_id}",
                f"the title of `{role_id}` is set both in `titles` and in `roles`; keep one",
            )
        # A renamed role drops the shared short label, which would name the old
        # title, unless the company gives its own in `roles`.
        own_short = "short_title" in role_overrides.get(role_id, {})
        roles[role_id] = {k: v for k, v in roles[role_id].items() if k != "short_title" or own_short}
        roles[role_id]["title"] = title
        positions[("roles", role_id, "title")] = company.positions.get(("company", "titles", role_id))

    merged = {
        **data,
        **parts,
        "roles": roles,
        "sections": _of_type(settings, "sections", list),
        "excluded_roles": list(removed),
    }
    positions |= graft(subtree(company.positions, ("company", "sections")), ("sections",))
    return Loaded(merged, {k: v for k, v in positions.items() if v is not None}), problems


def _on_track(role: Any, track_id: str) -> bool:
    return isinstance(role, dict) and role.get("track", MAIN_TRACK) == track_id


def _of_type(settings: dict, key: str, kind: type) -> Any:
    value = settings.get(key)
    return value if isinstance(value, kind) else kind()


def _reroute(steps: list[Any], removed: dict[str, Any], seen: frozenset[str] = frozenset()) -> list[Any]:
    """Replace steps to removed roles with the removed role's own next steps."""
    result: list[Any] = []
    for step in steps:
        target = step.get("role") if isinstance(step, dict) else None
        if target in removed and target not in seen:
            inherited = removed[target].get("next_steps") if isinstance(removed[target], dict) else None
            result.extend(_reroute(inherited or [], removed, seen | {target}))
        else:
            result.append(step)
    return result
