"""The typed content model every stage after validation works with.

All models forbid unknown keys, so a misspelt field in a YAML file is an
error rather than a silently ignored value. Models are frozen: stages read
them and never change them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
TextList = Annotated[list[Text], Field(min_length=1)]
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]


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


class Role(Strict):
    id: str
    title: Text
    short_title: Text | None = Field(None, description="Label in the ladder diagram; defaults to the title.")
    level: int = Field(ge=1, le=20)
    summary: Text
    hiring_signals: TextList
    responsibilities: TextList
    day_to_day: TextList
    skills: TextList
    experience: Text
    ready_for_next: TextList
    next_steps: Annotated[list[NextStep], Field(min_length=1)]
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


class Source(Strict):
    title: Text
    author: Text
    publisher: Text
    url: Text | None = None
    note: Text | None = None


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


class Competency(Strict):
    id: Text
    name: Text


class Competencies(Strict):
    title: Text
    intro: Text
    competencies: Annotated[list[Competency], Field(min_length=5, max_length=7)]


class Colors(Strict):
    primary: HexColor = "#1E3A5F"
    accent: HexColor = "#C8641E"
    text: HexColor = "#1C2127"


class Font(Strict):
    family: Text = "Inter"


class Brand(Strict):
    """How a target looks. The default target uses these defaults."""

    name: Text = "careerguide"
    colors: Colors = Colors()
    font: Font = Font()


class Target(Strict):
    """One thing to build: content plus the look and language to build it in."""

    slug: str
    brand: Brand = Brand()
    paper: str = "a4"
    locale: str = "en"


class Content(Strict):
    """The whole guide after validation: roles sorted by level."""

    guide: GuideText
    competencies: Competencies
    roles: list[Role]

    def role(self, role_id: str) -> Role:
        return next(role for role in self.roles if role.id == role_id)

    def next_role(self, role: Role) -> Role | None:
        for step in role.next_steps:
            if step.role is not None:
                return self.role(step.role)
        return None
