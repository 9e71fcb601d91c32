"""`careerguide explain`: a merged role, field by field, with where each value came from."""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML

from .company import load_company
from .diagrams import trunk_roles
from .errors import Problem, UserError
from .load import load_content
from .merge import subtree
from .models import Role
from .pipeline import prepare_company
from .plan import BuildOptions, content_dir_for, resolve_company


def explain_role(options: BuildOptions, role_id: str) -> str:
    """The role as the company's guide prints it (references resolved), field by field, with each field's origin.

    `role_id` may also be the company's title for the role, in any case.
    """
    folder = resolve_company(options.companies[0], options.project).resolve()
    shared = load_content(content_dir_for(options))
    prepared = prepare_company(shared, folder)
    roles = {role.id: role for role in prepared.content.roles}
    company = prepared.target.brand.name
    wanted = role_id.strip().casefold()
    names = {name.casefold(): role.id for role in roles.values() for name in (role.id, role.title, role.label)}
    shared_titles = {
        str(data.get("title", "")).casefold(): shared_id
        for shared_id, data in shared.data.get("roles", {}).items()
        if isinstance(data, dict)
    }
    role_id = names.get(wanted) or shared_titles.get(wanted) or role_id.strip()
    if role_id not in roles:
        own = _in_own_framework(options, folder, wanted)
        if own is not None:
            prepared, role_id = own
            roles = {role.id: role for role in prepared.content.roles}
    if role_id not in roles:
        if role_id in prepared.loaded.data.get("excluded_roles", []):
            company_data = load_company(folder).loaded
            listed = company_data.data["company"].get("exclude_roles", [])
            index = listed.index(role_id) if isinstance(listed, list) and role_id in listed else None
            position = company_data.locate(("company", "exclude_roles", *(() if index is None else (index,))))
            raise UserError(
                Problem.at(
                    position,
                    f"`{role_id}` is not on {company}'s ladder: this line of company.yaml removes it; take it out of "
                    "exclude_roles to bring the role back",
                    "exclude_roles",
                )
            )
        known = ", ".join(f"{role.id} ({role.title})" for role in roles.values())
        raise UserError(Problem(f"`{role_id}` is not on {company}'s ladder (roles: {known})"))
    role = roles[role_id]
    data = prepared.loaded.data["roles"][role_id]
    positions = subtree(prepared.loaded.positions, ("roles", role_id))
    yaml = YAML()
    yaml.width = 88
    lines = [
        f"{role.title} ({role_id}) at {company}: level {role.rank} of {prepared.content.levels}"
        + (
            f", {prepared.content.track(role.track).name or role.track} track"
            if role.id not in trunk_roles(prepared.content)
            else ""
        ),
        "",
    ]
    for name in Role.model_fields:
        if name not in data:
            continue
        stream = io.StringIO()
        yaml.dump({name: data[name]}, stream)
        lines.append(stream.getvalue().rstrip())
        lines.append(f"  # {_origin(subtree(positions, (name,)), folder)}")
    if "next_steps" not in data:
        steps = [roles[step.role].title if step.role else step.title for step in role.next_steps]
        lines.append(f"next_steps: {', '.join(steps) or 'none'}")
        lines.append(
            "  # follows the ladder: "
            + (
                "the next role up on its track, and the first role of each track that branches from it"
                if sum(1 for step in role.next_steps if step.role) > 1
                else "the next role up"
                if any(step.role for step in role.next_steps)
                else "the top role's exits (off_ramps)"
                if role.next_steps
                else "none: the top of its track"
            )
        )
    return "\n".join(lines)


def _in_own_framework(options: BuildOptions, folder: Path, wanted: str):
    """(prepared framework, role id) for a role of one of the company's own frameworks: `design/designer` or a title."""
    from .pipeline import prepare_framework
    from .plan import plan_targets

    for spec in plan_targets(BuildOptions(content_dir=options.content_dir, companies=(str(folder),))):
        if spec.framework is None:
            continue
        prepared = prepare_framework(load_content(spec.content_dir(options)), spec)
        for role in prepared.content.roles:
            if wanted in (f"{spec.framework}/{role.id}", role.id, role.title.casefold()):
                return prepared, role.id
    return None


def _origin(positions, company: Path) -> str:
    """`shared`, `company` or both, with the file and line of the field itself."""
    sources = {"company" if _inside(pos.path, company) else "shared" for pos in positions.values() if pos.path}
    own = positions.get(())
    where = f" ({_short(own.path)}:{own.line})" if own and own.path and own.line else ""
    if sources == {"company"}:
        return f"from the company{where}"
    if sources == {"shared"}:
        return f"from the shared content{where}"
    return f"shared content with company additions{where}"


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder)


def _short(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
