"""Label catalogues: the words the templates print that are not content."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from ruamel.yaml import YAML

from .resources import locales_dir


def labels(locale: str) -> Mapping[str, str]:
    """The labels for `locale`, falling back to English for any missing key.

    The catalogues are parsed once per version of their bytes (they are a
    few kilobytes, read every time), so a long-lived process (watch) never
    prints an old label.
    """
    english = (locales_dir() / "en.yaml").read_bytes()
    path = locales_dir() / f"{locale}.yaml"
    own = path.read_bytes() if locale != "en" and path.is_file() else b""
    return _labels(english, own)


@lru_cache(maxsize=16)
def _labels(english: bytes, own: bytes) -> Mapping[str, str]:
    yaml = YAML(typ="safe")
    return MappingProxyType({**yaml.load(english), **(yaml.load(own) if own else {})})


def available_locales() -> list[str]:
    return sorted(path.stem for path in locales_dir().glob("*.yaml"))
