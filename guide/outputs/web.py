"""web/: the web edition (`--web`, or `web: true` in company.yaml), a static site beside the PDFs."""

from __future__ import annotations

from .job import Job, Unit


def make_web(job: Job) -> dict[str, bytes]:
    from ..web import render_web

    return {f"web/{name}": data for name, data in render_web(job.content, job.target).items()}


UNIT = Unit("web", make_web, wanted=lambda job: job.options.web or job.target.web)
