"""The typed content model every stage after validation works with.

All models forbid unknown keys, so a misspelt field in a YAML file is an
error rather than a silently ignored value. Models are frozen: stages read
them and never change them.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, create_model, model_validator

from .paper import CardSize, PaperName

# Limits that no real guide comes near, so that a hostile or broken file
# fails with a clear message instead of making a 5,000-page PDF.
MAX_TEXT = 4000  # characters in one text field (a summary is about 500)
MAX_ITEMS = 30  # items in one list
MAX_ROLES = 40  # roles on one ladder

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
TextList = Annotated[list[Text], Field(min_length=1, max_length=MAX_ITEMS)]
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
URL_SCHEMES = ("http", "https", "mailto")


def _check_url(value: str) -> str:
    """Only web and mail links reach a PDF: a `javascript:` or `file:` link would be clickable in it."""
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme not in URL_SCHEMES or any(c.isspace() or ord(c) < 32 for c in value) or value.endswith(":"):
        raise ValueError(
            f"`{value[:60]}` is not a web or mail address: write a full address starting with https://, "
            "http:// or mailto:"
        )
    return value


def _check_email(value: str) -> str:
    if re.fullmatch(r"[^@\s:/<>\"]+@[^@\s:/<>\"]+\.[^@\s:/<>\"]+", value) is None:
        raise ValueError(f"`{value[:60]}` is not an e-mail address like name@example.com")
    return value


Url = Annotated[Text, AfterValidator(_check_url)]
Email = Annotated[Text, AfterValidator(_check_email)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class NextStep(Strict):
    """A way up from a role: another role on the ladder, or an off-ramp named in words."""

    role: str | None = None
    title: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> NextStep:
        if (self.role is None) == (self.title is None):
            raise ValueError("give either `role` (a role id) or `title` (an off-ramp), not both")
        return self


MAIN_TRACK = "main"


class Track(Strict):
    """A path up the ladder. The main track starts at the bottom; another track branches from one of its roles."""

    id: str = MAIN_TRACK
    name: Text | None = Field(None, description="Shown on cards and above the track's roles after the fork.")
    description: Text | None = Field(None, description="One line on who the track is for.")
    branches_from: str | None = Field(
        None, description="The role (of another track) after which this track starts: the fork."
    )


class Role(Strict):
    id: str
    rank: int = Field(0, description="The number of the role's level on this ladder, from 1; set after merging.")
    track: str = Field(MAIN_TRACK, description="The track the role is on (see tracks); the main track by default.")
    title: Text
    short_title: Text | None = Field(None, description="Label in the ladder diagram; defaults to the title.")
    noun: Text | None = Field(
        None,
        description="The role inside a sentence, as `{noun:ID}` prints it; defaults to the title, in lower case "
        "where the language writes common nouns so.",
    )
    level: float = Field(
        ge=0, le=100, description="Order on the ladder; a company role between two levels can use 3.5."
    )
    summary: Text
    hiring_signals: TextList
    responsibilities: TextList
    day_to_day: TextList
    skills: TextList
    experience: Text
    ready_for_next: TextList
    next_steps: Annotated[list[NextStep], Field(min_length=1, max_length=MAX_ITEMS)] | None = Field(
        None,
        description="Where the role leads. Leave it out to follow the ladder: the next role up, and from the top "
        "role the exits listed under the guide's off_ramps.",
    )
    competencies: dict[str, Text]

    @property
    def label(self) -> str:
        return self.short_title or self.title


class HowToRead(Strict):
    title: Text
    text: Text


class Ladder(Strict):
    title: Text
    text: Text


class BeyondTheLadder(Strict):
    title: Text
    paragraphs: TextList


class OnRamp(Strict):
    from_: Text = Field(alias="from")
    brings: Text
    build: Text


class OnRamps(Strict):
    title: Text
    intro: Text
    items: Annotated[list[OnRamp], Field(min_length=1)]


class OffRamps(Strict):
    title: Text
    intro: Text
    text: Text
    #: Where the top role of any ladder leads (off-ramps named in words): its next steps unless it has its own.
    exits: Annotated[list[NextStep], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)


class Source(Strict):
    title: Text
    author: Text
    publisher: Text
    url: Url | None = None
    note: Text | None = None


class FirstWeeks(Strict):
    """What a new hire does first: printed on the cover of their onboarding packet."""

    title: Text
    items: TextList


class GuideText(Strict):
    title: Text
    subtitle: Text
    author: Text
    version: Text
    date: dt.date
    introduction: TextList
    how_to_read: Annotated[list[HowToRead], Field(min_length=1)]
    ladder: Ladder
    beyond_the_ladder: BeyondTheLadder
    on_ramps: OnRamps
    off_ramps: OffRamps
    sources: Annotated[list[Source], Field(min_length=1)]
    first_weeks: FirstWeeks | None = None


class Competency(Strict):
    id: Text
    name: Text


class Competencies(Strict):
    title: Text
    intro: Text
    competencies: Annotated[list[Competency], Field(min_length=5, max_length=7)]


class Colors(Strict):
    primary: HexColor = Field("#1E3A5F", description="Structure: cover, title bands, headings, the ladder.")
    accent: HexColor = Field("#C8641E", description="Used sparingly, for emphasis.")
    text: HexColor = Field("#1C2127", description="Body text; near-black reads best.")


class Font(Strict):
    family: Text = Field(
        "Inter", description="Font family for all text: an installed family, or the name to give `files`."
    )
    files: list[Text] = Field(
        default_factory=list,
        description="Font files in the company folder (TTF, OTF, WOFF); weights are read from them.",
    )


class CompanyBrand(Strict):
    logo: Text | None = Field(None, description="SVG or PNG logo, relative to the company folder.")
    colors: Colors = Colors()
    font: Font = Font()
    url: Url | None = Field(None, description="The company's careers or intranet page (https://...).")


class CardSettings(Strict):
    size: CardSize = Field(
        "page",
        description="The cards' size: page (the guide's paper), a6, a5, 4x6 or 5x7 (inches). Cards at a real size "
        "are designed for it, and `--cards-per-sheet` puts several on a sheet at full size.",
    )
    link: Url | None = Field(
        None,
        description="Where each card back's QR code leads: a web address in which {role} stands for the role id "
        "(default: brand.url with #role-{role}).",
    )


class Contact(Strict):
    name: Text
    role: Text | None = None
    email: Email | None = None
    note: Text | None = None


class Link(Strict):
    title: Text
    url: Url
    note: Text | None = None


class Section(Strict):
    """A company page: a welcome letter, the people to talk to, useful links."""

    title: Text
    placement: Literal["start", "end"] = Field(
        "start", description="`start`: after the contents; `end`: before the sources."
    )
    paragraphs: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    signature: Text | None = None
    contacts: list[Contact] = Field(default_factory=list, max_length=MAX_ITEMS)
    links: list[Link] = Field(default_factory=list, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _has_content(self) -> Section:
        if not (self.paragraphs or self.contacts or self.links):
            raise ValueError("a section needs paragraphs, contacts or links")
        return self


class Brand(Strict):
    """How a target looks, resolved: file paths are absolute."""

    name: Text = "careerguide"
    logo: Path | None = None
    colors: Colors = Colors()
    font: Font = Font()
    font_files: tuple[Path, ...] = ()
    url: str | None = None


class Target(Strict):
    """One thing to build: which content, in which look and language, into which folder."""

    slug: str
    brand: Brand = Brand()
    paper: PaperName = "a4"
    cards: CardSettings = CardSettings()
    web: bool = False
    locale: str = "en"
    company_dir: Path | None = None
    stylesheets: tuple[Path, ...] = ()
    templates_dir: Path | None = None


class Content(Strict):
    """The whole guide after validation: roles in ladder order, each knowing its rank.

    Ladder order is the trunk (the main track up to the first fork), then
    each track's own roles by level, the main track first. With one track
    it is simply by level.
    """

    guide: GuideText
    competencies: Competencies
    roles: list[Role]
    sections: list[Section] = Field(default_factory=list)
    tracks: list[Track] = Field(default_factory=lambda: [Track()])
    #: Texts printed in English in another language's edition (not translated yet, or a cited title).
    untranslated: frozenset[str] = frozenset()

    def role(self, role_id: str) -> Role:
        return next(role for role in self.roles if role.id == role_id)

    def track(self, track_id: str) -> Track:
        return next(track for track in self.tracks if track.id == track_id)

    @property
    def levels(self) -> int:
        """How many levels the ladder has: roles on different tracks can share one."""
        return max((role.rank for role in self.roles), default=0)

    def next_role(self, role: Role) -> Role | None:
        for step in role.next_steps:
            if step.role is not None:
                return self.role(step.role)
        return None

    def sections_at(self, placement: str) -> list[Section]:
        return [section for section in self.sections if section.placement == placement]


# ---------------------------------------------------------------------------
# company.yaml
#
# Overrides are partial versions of the content models: every field optional,
# and every list may instead be `{append: [...], prepend: [...]}`. They are
# derived from the content models so the two can never drift apart.


class ListEdit(Strict):
    """Add items to a shared list instead of replacing it."""

    prepend: list[Any] = Field(default_factory=list, description="Items to put before the shared ones.")
    append: list[Any] = Field(default_factory=list, description="Items to put after the shared ones.")


def _partial_type(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _partial_type(get_args(annotation)[0])
    if origin is list:
        return annotation | ListEdit
    if isinstance(annotation, type) and issubclass(annotation, Strict):
        return partial(annotation)
    return annotation


@cache
def partial(model: type[Strict]) -> type[Strict]:
    """`model` with every field optional and every list editable with `ListEdit`."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in ("id", "rank"):
            continue
        fields[name] = (
            _partial_type(field.annotation) | None,
            Field(None, alias=field.alias, description=field.description),
        )
    return create_model(f"{model.__name__}Override", __base__=Strict, **fields)


RoleOverride = partial(Role)
TrackOverride = partial(Track)
GuideOverride = partial(GuideText)
CompetenciesOverride = partial(Competencies)


class CompanyFile(Strict):
    """companies/<slug>/company.yaml"""

    name: Text = Field(description="The company's name, as it appears on every page.")
    brand: CompanyBrand = CompanyBrand()
    paper: PaperName = Field("a4", description="Page size of the guide (and of the cards, unless cards.size says).")
    cards: CardSettings = Field(CardSettings(), description="The role cards' size and where their QR codes lead.")
    web: bool = Field(False, description="Always write the web edition (as `build --web` does) into <target>/web/.")
    locale: str = Field(
        "en",
        description="Language of the guide: its text, labels, dates, quotes and hyphenation (en, de, fr, es, or a "
        "language this folder brings in translations/).",
    )
    written_in: str | None = Field(
        None,
        description="The language the text in this folder (titles, sections, roles) is written in, when it is not "
        "`locale`: it is then translated with translations/<locale>.po.",
    )
    titles: dict[str, Text] = Field(default_factory=dict, description="Company job titles: {role-id: title}.")
    exclude_roles: list[str] = Field(default_factory=list, description="Shared roles this company does not have.")
    roles: dict[str, RoleOverride] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Field overrides for shared roles: {role-id: {field: value}}."
    )
    guide: GuideOverride | None = Field(
        None, description="Overrides for the guide's own text (title, introduction, ...)."
    )  # type: ignore[valid-type]
    competencies: CompetenciesOverride | None = Field(  # type: ignore[valid-type]
        None, description="Overrides for the competency matrix (title, intro, competency names)."
    )
    tracks: dict[str, TrackOverride] = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="Tracks to add or change: {track-id: {name, description, branches_from}}; the main track is "
        "`main`.",
    )
    exclude_tracks: list[str] = Field(
        default_factory=list, description="Shared tracks this company does not have (their roles go with them)."
    )
    track_order: list[str] = Field(
        default_factory=list,
        description="The tracks in the order to show them after the fork (the others follow in their own order).",
    )
    sections: list[Section] = Field(default_factory=list, max_length=MAX_ITEMS, description="The company's own pages.")
