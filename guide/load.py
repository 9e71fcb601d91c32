"""Stage 1: read the content files into plain data.

YAML is read with ruamel.yaml's round-trip loader because it keeps the line
and column of every key and item. We turn its nodes into plain dicts and
lists (so that later stages never see YAML types) and keep the positions in a
separate map keyed by the path to each value, for error messages.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import Problem, UserError
from .files import decode_text, read_inside

Key = tuple[str | int, ...]
ROLE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Position:
    path: Path
    line: int | None = None
    column: int | None = None


@dataclass
class Loaded:
    """Plain data plus where each value came from."""

    data: dict[str, Any]
    positions: dict[Key, Position] = field(default_factory=dict)

    def locate(self, key: Key) -> Position | None:
        """The position of `key`, or of its nearest ancestor that has one."""
        for end in range(len(key), -1, -1):
            position = self.positions.get(tuple(key[:end]))
            if position is not None:
                return position
        return None


MAX_FILE_BYTES = 1024 * 1024  # a whole role is a few kilobytes
MAX_DEPTH = 32  # content nests four or five levels deep


def load_yaml_file(path: Path, prefix: Key, positions: dict[Key, Position], root: Path) -> Any:
    """Read one YAML file of the folder `root`, recording positions under `prefix`.

    Files come from outside the team, so they are read with limits: inside
    their folder after following links, an ordinary file of at most 1 MB,
    nesting at most 32 levels deep, and no aliases (`*name`) or merge keys
    (`<<:`), which a hostile file can use to make a few lines expand into
    gigabytes.
    """
    text = decode_text(read_inside(path, root, MAX_FILE_BYTES), path)
    data, found = _parse(text, path)
    positions.update({(*prefix, *key): position for key, position in found.items()})
    return copy.deepcopy(data)


@lru_cache(maxsize=512)
def _parse(text: str, path: Path) -> tuple[Any, dict[Key, Position]]:
    """A file's text as plain data and positions (relative to the file's root key), by its text.

    Parsing with comments and positions is the slow part of loading; a
    process that reads the same files again (a watch session, `import`, the
    tests) parses each text once. The key is the text itself, so an edited
    file is parsed again; callers get copies.
    """
    yaml = YAML(typ="rt")
    try:
        node = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        message = f"invalid YAML: {error.problem or error.context}"
        near = text.splitlines()[max(0, (line or 1) - 2) : line or 1]
        if any(re.search(r"(:|^\s*-)\s+\{", row) for row in near):
            message += "; a text that starts with `{` (a reference like `{Count}`) must be in quotes"
        raise UserError(Problem(message, path, line, column)) from None
    except YAMLError as error:
        raise UserError(Problem(f"invalid YAML: {error}", path)) from None
    except RecursionError:
        raise UserError(Problem("the YAML is nested too deeply", path)) from None
    except Exception as error:  # ruamel.yaml raises plain exceptions for some malformed input
        raise UserError(Problem(f"invalid YAML ({type(error).__name__})", path)) from None
    positions: dict[Key, Position] = {(): Position(path, 1, 1)}
    return _to_plain(node, path, (), positions, set()), positions


def _to_plain(node: Any, path: Path, key: Key, positions: dict[Key, Position], seen: set[int]) -> Any:
    if isinstance(node, CommentedMap | CommentedSeq):
        if id(node) in seen:
            position = positions.get(key)
            raise UserError(
                Problem.at(position, "YAML aliases (*name) are not supported: write the value out", _dotted(key))
            )
        if len(key) > MAX_DEPTH:
            raise UserError(Problem.at(positions.get(key), f"nested more than {MAX_DEPTH} levels deep", _dotted(key)))
        seen.add(id(node))
    if isinstance(node, CommentedMap):
        if getattr(node, "merge", None):
            line, column = node.lc.line + 1, node.lc.col + 1
            raise UserError(
                Problem("YAML merge keys (<<: *name) are not supported: write the keys out", path, line, column)
            )
        result = {}
        for name, value in node.items():
            line, column = node.lc.key(name)
            child = (*key, str(name))
            positions[child] = Position(path, line + 1, column + 1)
            result[str(name)] = _to_plain(value, path, child, positions, seen)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            line, column = node.lc.item(index)
            child = (*key, index)
            positions[child] = Position(path, line + 1, column + 1)
            items.append(_to_plain(value, path, child, positions, seen))
        return items
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _dotted(key: Key) -> str:
    """A key inside its file, as a field name."""
    return ".".join(str(part) for part in key) or None  # type: ignore[return-value]


def load_content(content_dir: Path) -> Loaded:
    """Read `guide.yaml`, `competencies.yaml`, `roles/*.yaml` and the optional `tracks.yaml` of one content folder.

    Every unreadable file is reported, not just the first.
    """
    positions: dict[Key, Position] = {}
    data: dict[str, Any] = {"roles": {}}
    problems: list[Problem] = []
    if not content_dir.is_dir():
        raise UserError(Problem("content folder not found", content_dir))
    for name in ("guide", "competencies"):
        path = content_dir / f"{name}.yaml"
        if not path.is_file():
            problems.append(Problem(f"missing file: the content needs {path.name}", path))
            continue
        try:
            data[name] = load_yaml_file(path, (name,), positions, content_dir)
        except UserError as error:
            problems.extend(error.problems)
    tracks = content_dir / "tracks.yaml"  # optional: a ladder with one track needs none
    if os.path.lexists(tracks):
        try:
            data["tracks"] = load_yaml_file(tracks, ("tracks",), positions, content_dir)
        except UserError as error:
            problems.extend(error.problems)
    roles_dir = content_dir / "roles"
    positions[("roles",)] = Position(roles_dir)
    role_files = sorted(roles_dir.glob("*.yaml")) if roles_dir.is_dir() else []
    if not role_files:
        problems.append(Problem("no role files found (expected roles/<role-id>.yaml)", roles_dir))
    for path in role_files:
        try:
            data["roles"][path.stem] = load_role_file(path, positions, content_dir)
        except UserError as error:
            problems.extend(error.problems)
    if problems:
        raise UserError(problems)
    return Loaded(data, positions)


def load_role_file(path: Path, positions: dict[Key, Position], root: Path, prefix: Key | None = None) -> Any:
    """Read one role file; its id is its file name, so it must be a valid id."""
    if not ROLE_ID.match(path.stem):
        raise UserError(
            Problem(
                "a role file name must be its id: lowercase letters, digits and single hyphens",
                path,
            )
        )
    return load_yaml_file(path, prefix or ("roles", path.stem), positions, root)
