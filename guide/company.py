"""Find and read company folders: `companies/<slug>/company.yaml` and its files.

A company folder holds `company.yaml`, optional extra role files in
`roles/`, and its assets: a logo, font files, CSS in `styles/` and templates
in `templates/`. Reading it gives plain data for the merge (see `merge.py`)
and a `Target` that says how to render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import Problem, UserError
from .load import Key, Loaded, Position, load_role_file, load_yaml_file
from .locale import check_locale
from .models import Brand, CompanyFile, Target
from .plan import DEFAULT_TARGET
from .references import check_reference, check_stylesheets, svg_references
from .resources import is_example
from .validate import problems_from

RESERVED = DEFAULT_TARGET  # the default target's output folder


@dataclass(frozen=True)
class Company:
    """A company folder, read and checked, ready to merge.

    `settings` is None when company.yaml has the wrong shape; `problems` says
    why. The merge can still run on the plain data to find further problems.
    """

    slug: str
    folder: Path
    loaded: Loaded
    settings: CompanyFile | None
    problems: tuple[Problem, ...] = ()
    logo: Path | None = None
    fonts: tuple[Path, ...] = ()


def load_company(folder: Path) -> Company:
    """Read company.yaml and the company's role files; check company.yaml's shape."""
    folder = folder.resolve()
    positions: dict[Key, Position] = {}
    problems: list[Problem] = []
    data: dict = {"company": {}, "extra_roles": {}}
    try:
        raw = load_yaml_file(folder / "company.yaml", ("company",), positions, folder)
    except UserError as error:
        raise UserError(error.problems) from None
    if not isinstance(raw, dict):
        raise UserError(
            Problem("company.yaml must be a mapping of settings (name: ..., brand: ...)", folder / "company.yaml")
        )
    data["company"] = raw
    for path in sorted((folder / "roles").glob("*.yaml")):
        try:
            data["extra_roles"][path.stem] = load_role_file(path, positions, folder, ("extra_roles", path.stem))
        except UserError as error:
            problems.extend(error.problems)
    for name in ("locale", "written_in"):  # `DE` or `Fr` as typed: a language code in either case
        if isinstance(raw.get(name), str) and re.fullmatch(r"\s*[A-Za-z]{2,3}\s*", raw[name]):
            raw[name] = raw[name].strip().lower()
    loaded = Loaded(data, positions)
    try:
        settings = CompanyFile.model_validate(raw)
    except ValidationError as error:
        problems.extend(problems_from(error, CompanyFile, ("company",), loaded))
        settings = None
    for name in ("locale", "written_in"):
        value = raw.get(name)
        if isinstance(value, str) and (why := check_locale(value, folder, known=name == "locale")):
            problems.append(Problem.at(loaded.locate(("company", name)), why, name))
    if folder.name == RESERVED:
        problems.append(Problem(f"the name `{RESERVED}` is kept for the default guide; rename the folder", folder))
    logo, fonts = _assets(folder, raw, loaded, problems)
    problems.extend(check_stylesheets(sorted((folder / "styles").glob("*.css")), folder)[0])
    if logo is not None and logo.suffix.lower() == ".svg":
        problems.extend(svg_references(logo, folder))
    return Company(folder.name, folder, loaded, settings, tuple(problems), logo, fonts)


def _assets(folder: Path, raw: dict, loaded: Loaded, problems: list[Problem]) -> tuple[Path | None, tuple[Path, ...]]:
    """The logo and font files named in company.yaml, checked to exist, as absolute paths.

    Read from the plain data, so that a missing file is reported even when
    another part of company.yaml has the wrong shape.
    """

    def existing(relative: Any, key: Key, field: str) -> Path | None:
        if not isinstance(relative, str):
            return None
        if why := check_reference(relative, folder, folder):
            problems.append(Problem.at(loaded.locate(key), why, field))
            return None
        path = (folder / relative).resolve()
        if not path.is_file():
            where = f"{folder.name}/{Path(relative).parent.as_posix()}/".replace("/./", "/")
            hint = (
                " (the example companies' font files come from Debian packages: `make setup` copies them in)"
                if field.startswith("brand.font.files") and is_example(folder)
                else ""
            )
            message = f"file not found: {relative}; put the file in {where} or correct the name here{hint}"
            problems.append(Problem.at(loaded.locate(key), message, field))
            return None
        return path

    brand = raw.get("brand") if isinstance(raw.get("brand"), dict) else {}
    logo = existing(brand.get("logo"), ("company", "brand", "logo"), "brand.logo")
    if logo is not None and logo.suffix.lower() not in (".svg", ".png"):
        problems.append(
            Problem.at(loaded.locate(("company", "brand", "logo")), "the logo must be an SVG or PNG file", "brand.logo")
        )
        logo = None
    font = brand.get("font") if isinstance(brand.get("font"), dict) else {}
    files = font.get("files") if isinstance(font.get("files"), list) else []
    fonts = tuple(
        path
        for index, name in enumerate(files)
        if (path := existing(name, ("company", "brand", "font", "files", index), f"brand.font.files[{index}]"))
    )
    return logo, fonts


def company_target(company: Company) -> Target:
    """The rendering settings of a company whose company.yaml is valid."""
    settings, folder = company.settings, company.folder
    assert settings is not None
    templates = folder / "templates"
    return Target(
        slug=company.slug,
        brand=Brand(
            name=settings.name,
            logo=company.logo,
            colors=settings.brand.colors,
            font=settings.brand.font,
            font_files=company.fonts,
            url=settings.brand.url,
        ),
        paper=settings.paper,
        cards=settings.cards,
        web=settings.web,
        locale=settings.locale,
        company_dir=folder,
        stylesheets=tuple(sorted((folder / "styles").glob("*.css"))),
        templates_dir=templates if templates.is_dir() else None,
    )
