"""User errors, kept apart from bugs.

Anything the person running the build can fix (a typo in a YAML file, a card
that is too long) is raised as a `UserError` carrying every `Problem` found.
The CLI prints those as one line each and exits 1; any other exception is a
bug in careerguide and is reported differently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    message: str
    path: Path | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    @classmethod
    def at(cls, position: Any, message: str, field: str | None = None) -> Problem:
        """A problem at a `load.Position` (or nowhere in particular, when it is None)."""
        if position is None:
            return cls(message, field=field)
        return cls(message, position.path, position.line, position.column, field)

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(display_path(self.path))
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


def display_path(path: Path) -> Path:
    """Show paths relative to the working folder when they are inside it."""
    absolute = Path(os.path.abspath(path))  # not resolved: a link is shown as the link, not where it points
    try:
        return absolute.relative_to(os.path.abspath(Path.cwd()))
    except ValueError:
        return absolute


class UserError(Exception):
    """Bad input: the build cannot go on, and the user can fix it."""

    def __init__(self, problems: list[Problem] | Problem | str, results: list | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        # One problem found twice (company.yaml's own check and the merged
        # content's, under a shorter field name) is reported once, as found first.
        unique: dict[tuple, Problem] = {}
        for problem in problems:
            unique.setdefault((problem.path, problem.line, problem.column, problem.message), problem)
        self.problems = list(unique.values())
        #: What was built before the problems stopped the rest (a batch goes on past bad targets).
        self.results = results or []
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        """Pickled whole (a worker process's error reaches the main one with its files and lines)."""
        return (type(self), (self.problems, self.results))
