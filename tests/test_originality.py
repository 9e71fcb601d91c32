"""No run of ten or more words from the seed article appears in the project."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, SEED

RUN = 10
CHECKED = ["content", "templates", "styles", "guide", "docs", "bench", "README.md"]

pytestmark = pytest.mark.skipif(
    not SEED.is_file(), reason="the seed article (../shared/seed) is not beside this checkout"
)


def _words(text: str) -> list[str]:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def _article_runs() -> set[tuple[str, ...]]:
    words = _words(SEED.read_text(encoding="utf-8"))
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def _copied(text: str, runs: set[tuple[str, ...]]) -> list[str]:
    ours = _words(text)
    return [" ".join(ours[i : i + RUN]) for i in range(len(ours) - RUN + 1) if tuple(ours[i : i + RUN]) in runs]


def _files():
    for name in CHECKED:
        path = ROOT / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from (
                p for p in path.rglob("*") if p.is_file() and p.suffix in {".yaml", ".html", ".css", ".py", ".md"}
            )


def test_no_ten_word_run_from_the_article() -> None:
    runs = _article_runs()
    found = [f"{path.relative_to(ROOT)}: {run}" for path in _files() for run in _copied(path.read_text("utf-8"), runs)]
    assert found == []


def test_the_check_catches_a_copied_run_even_with_other_quotes_and_case() -> None:
    article = SEED.read_text(encoding="utf-8").split()
    sample = " ".join(article[400:412]).upper().replace("'", "\u2019")
    assert _copied(f"Our own words, then {sample} and more.", _article_runs())
