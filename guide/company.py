"""Find and read company folders: `companies/<slug>/company.yaml` and its files.

A company folder holds `company.yaml`, optional extra role files in
`roles/`, and its assets: a logo, font files, CSS in `styles/` and templates
in `templates/`. Reading it gives plain data for the merge (see `merge.py`)
and a `Target` that says how to render.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .errors import Problem, UserError
from .load import Key, Loaded, Position, load_role_file, load_yaml_file
from .locale import available_locales
from .models import Brand, CompanyFile, Target
from .validate import problems_from

COMPANIES = "companies"


@dataclass(frozen=True)
class Company:
    """A company folder, read and checked, ready to merge."""

    slug: str
    folder: Path
    loaded: Loaded
    settings: CompanyFile


def resolve_company(arg: str, project: Path) -> Path:
    """`--company` takes a slug under `companies/` or a path to any company folder."""
    as_path = Path(arg)
    for folder in (as_path, project / COMPANIES / arg):
        if (folder / "company.yaml").is_file():
            return folder
    known = ", ".join(path.name for path in discover_companies(project)) or "none yet"
    raise UserError(
        Problem(
            f"no company `{arg}`: expected {project / COMPANIES / arg / 'company.yaml'} or a folder with a "
            f"company.yaml (companies here: {known}; create one with `careerguide init {as_path.name}`)"
        )
    )


def discover_companies(project: Path) -> list[Path]:
    """Every folder under `companies/` that has a company.yaml, in name order."""
    root = project / COMPANIES
    if not root.is_dir():
        return []
    return sorted(path.parent for path in root.glob("*/company.yaml"))


def load_company(folder: Path) -> Company:
    """Read company.yaml and the company's role files; check company.yaml's shape."""
    folder = folder.resolve()
    positions: dict[Key, Position] = {}
    problems: list[Problem] = []
    data: dict = {"company": {}, "extra_roles": {}}
    try:
        raw = load_yaml_file(folder / "company.yaml", ("company",), positions)
    except UserError as error:
        raise UserError(error.problems) from None
    if not isinstance(raw, dict):
        raise UserError(
            Problem("company.yaml must be a mapping of settings (name: ..., brand: ...)", folder / "company.yaml")
        )
    data["company"] = raw
    for path in sorted((folder / "roles").glob("*.yaml")):
        try:
            data["extra_roles"][path.stem] = load_role_file(path, positions, prefix=("extra_roles", path.stem))
        except UserError as error:
            problems.extend(error.problems)
    loaded = Loaded(data, positions)
    try:
        settings = CompanyFile.model_validate(raw)
    except ValidationError as error:
        problems.extend(problems_from(error, CompanyFile, ("company",), loaded))
        settings = None
    if settings is not None and settings.locale not in available_locales():
        problems.append(
            Problem.at(
                loaded.locate(("company", "locale")),
                f"unknown locale `{settings.locale}` (available: {', '.join(available_locales())})",
                "locale",
            )
        )
    if problems:
        raise UserError(problems)
    assert settings is not None
    return Company(folder.name, folder, loaded, settings)


def company_target(company: Company) -> Target:
    """The rendering settings of a company, with its file references checked and made absolute."""
    settings, folder = company.settings, company.folder
    problems: list[Problem] = []

    def existing(relative: str, key: Key, field: str) -> Path | None:
        path = (folder / relative).resolve()
        if not path.is_file():
            problems.append(Problem.at(company.loaded.locate(key), f"file not found: {relative}", field))
            return None
        return path

    brand = settings.brand
    logo = existing(brand.logo, ("company", "brand", "logo"), "brand.logo") if brand.logo else None
    if logo is not None and logo.suffix.lower() not in (".svg", ".png"):
        problems.append(
            Problem.at(
                company.loaded.locate(("company", "brand", "logo")), "the logo must be an SVG or PNG file", "brand.logo"
            )
        )
    fonts = tuple(
        path
        for index, name in enumerate(brand.font.files)
        if (path := existing(name, ("company", "brand", "font", "files", index), f"brand.font.files[{index}]"))
    )
    if problems:
        raise UserError(problems)
    templates = folder / "templates"
    return Target(
        slug=company.slug,
        brand=Brand(
            name=settings.name, logo=logo, colors=brand.colors, font=brand.font, font_files=fonts, url=brand.url
        ),
        paper=settings.paper,
        locale=settings.locale,
        company_dir=folder,
        stylesheets=tuple(sorted((folder / "styles").glob("*.css"))),
        templates_dir=templates if templates.is_dir() else None,
    )
