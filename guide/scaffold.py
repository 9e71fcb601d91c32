"""`careerguide init` and `careerguide schema`: start a company folder, describe company.yaml."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import Problem, UserError
from .models import CompanyFile
from .plan import COMPANIES, DEFAULT_TARGET
from .write import write_atomic

SCHEMA_FILE = "company.schema.json"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

TEMPLATE = """\
# yaml-language-server: $schema=../{schema}
#
# Settings for {name}'s career guide. Only `name` is required: delete or
# comment out what you do not need. After each change, check the file with
#   careerguide validate --company {slug}
# and build with
#   careerguide build --company {slug}

name: {name}

brand:
  # logo: logo.svg              # SVG or PNG, in this folder
  colors:                       # "#RRGGBB", in quotes
    primary: "#1E3A5F"          # cover, title bands, headings, the ladder
    accent: "#C8641E"           # used sparingly, for emphasis
    text: "#1C2127"             # body text: keep it near black
  font:
    family: Inter               # an installed font family, or the name for your own files:
    # files:                    # font files in this folder; weights are read from the files
    #   - fonts/MyFont-Regular.otf
    #   - fonts/MyFont-Bold.otf
  # url: https://example.com/careers

paper: a4                       # a4 or letter
locale: en                      # en, de, fr or es: the whole guide in that language
# web: true                     # also write the web edition (a small website) on every build

# Your job titles, by role id (see content/roles/). To use the example, take
# away the "#" before both lines:
# titles:
#   product-manager: Product Manager II

# Shared roles you do not have (take away the "#" before both lines):
# exclude_roles:
#   - associate-product-manager

# Change shared roles field by field. A list replaces the shared list, unless
# you write {{append: [...]}} or {{prepend: [...]}} to add to it (take away the
# "#" before each line of the example):
# roles:
#   product-manager:
#     responsibilities:
#       append:
#         - Own the quarterly planning of your product area

# Your own roles: add files to roles/ in this folder, in the same format as
# content/roles/, with a `level` that places them on the ladder (3.5 sits
# between levels 3 and 4).

# Tracks, when your ladder forks (for example an individual-contributor track
# beside management). Put a role on one with `track: individual-contributor`
# in its file; roles of different tracks can share a level.
tracks: {{}}
#   main:
#     name: Management
#   individual-contributor:
#     name: Individual contributor
#     branches_from: senior-product-manager

# Your own pages, placed at the `start` (after the contents) or the `end`:
sections: []
#   - title: Welcome
#     placement: start
#     paragraphs:
#       - We are glad you are here.
#     signature: The product team
#   - title: Who to talk to
#     contacts:
#       - name: Alex Example
#         role: Head of Product
#         email: alex@example.com
"""


def schema_json() -> str:
    """The JSON Schema of company.yaml, generated from the same models that validate it."""
    schema = CompanyFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "careerguide company.yaml"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def scaffold(project: Path, slug: str, name: str | None = None) -> Path:
    """Create `companies/<slug>/company.yaml` (and the schema beside the company folders)."""
    if not SLUG.match(slug):
        raise UserError(Problem(f"`{slug}` is not a valid slug: use lowercase letters, digits and single hyphens"))
    if slug == DEFAULT_TARGET:
        raise UserError(Problem(f"`{slug}` is kept for the guide without a company; choose another slug"))
    folder = project / COMPANIES / slug
    if folder.exists():
        raise UserError(Problem("already exists; choose another slug or edit the existing company.yaml", folder))
    name = name or slug.replace("-", " ").title()
    text = TEMPLATE.format(name=_yaml_scalar(name), slug=slug, schema=SCHEMA_FILE)
    write_atomic(folder / "company.yaml", text)
    write_atomic(project / COMPANIES / SCHEMA_FILE, schema_json())
    return folder


def _yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar, quoted when plain style would change its meaning."""
    return json.dumps(text, ensure_ascii=False) if re.search(r"[:#\[\]{},&*!|>'\"%@`]|^\s|\s$", text) else text
