"""The merge rules, table-driven: mappings merge, scalars and lists replace, list edits add."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from guide.load import Position
from guide.merge import merge_value

A, B = Path("shared.yaml"), Path("company.yaml")

CASES = [
    # (name, base, override, expected)
    ("scalar replaces", "old", "new", "new"),
    ("number replaces", 2, 3.5, 3.5),
    ("null replaces", "old", None, None),
    ("mapping merges by key", {"a": 1, "b": 2}, {"b": 3, "c": 4}, {"a": 1, "b": 3, "c": 4}),
    ("nested mappings merge", {"x": {"a": 1, "b": 2}}, {"x": {"b": 9}}, {"x": {"a": 1, "b": 9}}),
    ("list replaces by default", [1, 2, 3], [9], [9]),
    ("empty list replaces", [1, 2], [], []),
    ("append adds after", [1, 2], {"append": [3]}, [1, 2, 3]),
    ("prepend adds before", [1, 2], {"prepend": [0]}, [0, 1, 2]),
    ("prepend and append together", [1], {"prepend": [0], "append": [2]}, [0, 1, 2]),
    ("list edit inside a mapping", {"l": ["a"], "k": 1}, {"l": {"append": ["b"]}}, {"l": ["a", "b"], "k": 1}),
    ("mapping over a scalar replaces", "text", {"a": 1}, {"a": 1}),
    ("list edit over a non-list is kept as written", "text", {"append": [1]}, {"append": [1]}),
    (
        "a key named like an edit among others merges",
        {"append": 1, "x": 2},
        {"append": 3, "x": 4},
        {"append": 3, "x": 4},
    ),
]


@pytest.mark.parametrize(("name", "base", "override", "expected"), CASES, ids=[c[0] for c in CASES])
def test_merge_rule(name: str, base, override, expected) -> None:
    before_base, before_override = copy.deepcopy(base), copy.deepcopy(override)
    merged, _ = merge_value(base, override, {(): Position(A, 1, 1)}, {(): Position(B, 1, 1)})
    assert merged == expected
    assert base == before_base and override == before_override  # inputs untouched


def test_positions_follow_the_values() -> None:
    base = {"title": "T", "items": ["a", "b"]}
    base_pos = {
        (): Position(A, 1, 1),
        ("title",): Position(A, 1, 1),
        ("items",): Position(A, 2, 1),
        ("items", 0): Position(A, 3, 3),
        ("items", 1): Position(A, 4, 3),
    }
    override = {"title": "U", "items": {"prepend": ["z"], "append": ["c"]}}
    over_pos = {
        (): Position(B, 10, 1),
        ("title",): Position(B, 10, 1),
        ("items",): Position(B, 11, 1),
        ("items", "prepend"): Position(B, 12, 3),
        ("items", "prepend", 0): Position(B, 13, 5),
        ("items", "append"): Position(B, 14, 3),
        ("items", "append", 0): Position(B, 15, 5),
    }
    merged, positions = merge_value(base, override, base_pos, over_pos)
    assert merged == {"title": "U", "items": ["z", "a", "b", "c"]}
    assert positions[("title",)] == Position(B, 10, 1)
    assert positions[("items", 0)] == Position(B, 13, 5)
    assert positions[("items", 1)] == Position(A, 3, 3)
    assert positions[("items", 2)] == Position(A, 4, 3)
    assert positions[("items", 3)] == Position(B, 15, 5)
