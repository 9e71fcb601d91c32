"""career-guide.pdf: the multi-page guide."""

from __future__ import annotations

from .job import Job, Unit


def make_guide(job: Job) -> dict[str, bytes]:
    return {"career-guide.pdf": job.guide_pdf}


UNIT = Unit("guide", make_guide, source=lambda job: job.guide_source.html)
