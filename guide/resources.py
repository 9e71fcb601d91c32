"""Where the theme (templates, styles, default content) lives.

In a source checkout these are the top-level `templates/`, `styles/` and
`content/` folders; in an installed wheel the same folders are packed under
`guide/_data/`. Looking in both places keeps one copy in the repository and
lets `pip install .` work from any folder.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"careerguide is installed without its {name}/ folder")


def templates_dir() -> Path:
    return _data_dir("templates")


def styles_dir() -> Path:
    return _data_dir("styles")


def default_content_dir() -> Path:
    return _data_dir("content")


#: The label catalogues (one YAML file per language); a module attribute so that tests can point it elsewhere.
LOCALES = _PACKAGE / "locales"


def locales_dir() -> Path:
    return LOCALES


def is_example(folder: Path) -> bool:
    """Whether `folder` is one of the example companies of this checkout (their fonts come in with `make setup`)."""
    return Path(folder).resolve().is_relative_to(_PACKAGE.parent / "companies")
