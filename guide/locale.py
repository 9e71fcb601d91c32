"""Label catalogues: the words the templates print that are not content."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from ruamel.yaml import YAML

from .resources import locales_dir


def labels(locale: str) -> Mapping[str, str]:
    """The labels for `locale`, falling back to English for any missing key.

    Read again whenever either file changed, so a long-lived process (watch)
    never prints an old label.
    """
    paths = (locales_dir() / "en.yaml", locales_dir() / f"{locale}.yaml")
    stamps = tuple((path.stat().st_mtime_ns, path.stat().st_size) if path.is_file() else None for path in paths)
    return _labels(locale, stamps)


@lru_cache(maxsize=16)
def _labels(locale: str, _stamps: tuple) -> Mapping[str, str]:
    yaml = YAML(typ="safe")
    english = yaml.load((locales_dir() / "en.yaml").read_text(encoding="utf-8"))
    path = locales_dir() / f"{locale}.yaml"
    own = yaml.load(path.read_text(encoding="utf-8")) if path.is_file() and locale != "en" else {}
    return MappingProxyType({**english, **own})


def available_locales() -> list[str]:
    return sorted(path.stem for path in locales_dir().glob("*.yaml"))
