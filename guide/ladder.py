"""The shape of a ladder: tracks, the forks between them, levels and the ways up.

Every role is on a track. The main track starts at the bottom; another track
branches from one of its roles (the fork) and rises beside it, so roles on
different tracks can share a level (Principal PM and Director of Product, both
level 4). Levels are shared: "level 4 of 6" counts levels, not roles.

A role without its own `next_steps` leads to the next role up on its track,
and at a fork also to the first role of each track that branches from it; the
top of the main track leads to the guide's exits. The rules checked here need
the whole ladder: each is reported at the file and line it comes from.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from .load import Key
from .models import MAIN_TRACK, GuideText, NextStep, Role, Track

Add = Callable[[Key, str, str], None]


def check(roles: list[Role], tracks: list[Track], add: Add) -> None:
    """Tracks known and used, forks on other tracks and below their branches, levels unique on a track, steps up."""
    by_id = {role.id: role for role in roles}
    track_ids = [track.id for track in tracks]
    for role in roles:
        if role.track not in track_ids:
            close = difflib.get_close_matches(role.track, track_ids, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else f" (tracks: {', '.join(track_ids)})"
            add(("roles", role.id, "track"), "track", f"unknown track `{role.track}`{hint}")
    for track in tracks:
        own = [role for role in roles if role.track == track.id]
        if not own and (track.id != MAIN_TRACK or len(tracks) > 1):
            add(
                ("tracks", track.id),
                f"tracks.{track.id}",
                "no role is on this track: give roles `track: " + track.id + "`, or remove it",
            )
        if track.branches_from is None:
            if track.id != MAIN_TRACK:
                add(
                    ("tracks", track.id),
                    f"tracks.{track.id}",
                    "say where the track starts: `branches_from: <role-id>` (the role after which it forks)",
                )
            continue
        fork = by_id.get(track.branches_from)
        key = ("tracks", track.id, "branches_from")
        if fork is None:
            close = difflib.get_close_matches(track.branches_from, list(by_id), n=1)
            add(
                key,
                f"tracks.{track.id}.branches_from",
                f"unknown role `{track.branches_from}`" + (f" (did you mean `{close[0]}`?)" if close else ""),
            )
        elif fork.track == track.id:
            add(
                key,
                f"tracks.{track.id}.branches_from",
                f"{fork.title} is on this track itself: a track branches from a role of another track",
            )
        else:
            for role in own:
                if role.level <= fork.level:
                    add(
                        ("roles", role.id, "level"),
                        "level",
                        f"level {role.level:g} is not above {fork.title} (level {fork.level:g}), where the "
                        f"{track.name or track.id} track branches off",
                    )
    seen: dict[tuple[str, float], str] = {}
    for role in roles:
        key = (role.track, role.level)
        if key in seen:
            add(
                ("roles", role.id, "level"),
                "level",
                f"level {role.level:g} is also used by {seen[key]} on the same track",
            )
        seen.setdefault(key, role.id)
    for role in roles:
        for index, step in enumerate(role.next_steps or []):
            target = by_id.get(step.role or "")
            if target is not None and target.level < role.level:
                add(
                    ("roles", role.id, "next_steps", index, "role"),
                    f"roles.{role.id}.next_steps[{index}].role",
                    f"{target.title} (level {target.level:g}) is below {role.title} (level {role.level:g}): "
                    "a next step goes up, or sideways to another track",
                )


def trunk(roles: list[Role], tracks: list[Track]) -> set[str]:
    """The roles every track shares: the main track up to its lowest fork (all roles when there is one track)."""
    by_id = {role.id: role for role in roles}
    forks = [by_id[track.branches_from].level for track in tracks if track.branches_from in by_id]
    top = min(forks, default=float("inf"))
    return {role.id for role in roles if role.track == MAIN_TRACK and role.level <= top}


def order(roles: list[Role], tracks: list[Track]) -> list[Role]:
    """Ladder order: the trunk (main track up to its lowest fork), then each track's roles by level, main first."""
    shared = trunk(roles, tracks)
    position = {track.id: index for index, track in enumerate(tracks)}

    def key(role: Role) -> tuple:
        return (0 if role.id in shared else 1, position.get(role.track, len(position)), role.level)

    return sorted(roles, key=key)


def derive(ordered: list[Role], tracks: list[Track], guide: GuideText) -> list[Role]:
    """Each role with its level number and its next steps (its own, or the ladder's)."""
    levels = sorted({role.level for role in ordered})
    result = []
    for role in ordered:
        steps = role.next_steps
        if steps is None:
            same = sorted(
                (other for other in ordered if other.track == role.track and other.level > role.level),
                key=lambda r: r.level,
            )
            steps = [NextStep(role=same[0].id)] if same else []
            for track in tracks:
                if track.branches_from == role.id:
                    first = min(
                        (other for other in ordered if other.track == track.id), key=lambda r: r.level, default=None
                    )
                    if first is not None:
                        steps.append(NextStep(role=first.id))
            if not steps and role.track == MAIN_TRACK:
                steps = list(guide.off_ramps.exits)
        result.append(role.model_copy(update={"rank": levels.index(role.level) + 1, "next_steps": steps}))
    return result


def check_paths(roles: list[Role], add: Add) -> None:
    """Every role can be reached from the first, and no next steps go round in a circle."""
    if not roles:
        return
    by_id = {role.id: role for role in roles}
    graph = {role.id: [step.role for step in role.next_steps if step.role in by_id] for role in roles}
    start = min((role for role in roles if role.track == MAIN_TRACK), key=lambda r: r.level, default=roles[0])
    reached, stack = {start.id}, [start.id]
    while stack:
        for following in graph[stack.pop()]:
            if following not in reached:
                reached.add(following)
                stack.append(following)
    for role in roles:
        if role.id not in reached:
            add(
                ("roles", role.id),
                f"roles.{role.id}",
                f"no path up the ladder leads to {role.title}: name it in a lower role's next_steps, "
                "or put it on a track that branches from a role",
            )
    state: dict[str, int] = {}

    def visit(role_id: str, path: list[str]) -> None:
        state[role_id] = 1
        for following in graph[role_id]:
            if state.get(following) == 1:
                loop = [*path[path.index(following) :], following] if following in path else [role_id, following]
                add(
                    ("roles", role_id, "next_steps"),
                    f"roles.{role_id}.next_steps",
                    "the next steps go round in a circle: " + " → ".join(by_id[r].title for r in loop),
                )
            elif following not in state:
                visit(following, [*path, following])
        state[role_id] = 2

    for role in roles:
        if role.id not in state:
            visit(role.id, [role.id])
