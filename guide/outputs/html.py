"""The HTML given to WeasyPrint (`--emit-html`): self-contained, so `weasyprint X.html X.pdf` makes the same PDF."""

from __future__ import annotations

from .job import Job, Unit


def make_html(job: Job) -> dict[str, bytes]:
    files = {
        "career-guide.html": job.guide_html.html,
        "role-cards.html": job.card_html().html,
        **{f"cards/{role.id}.html": job.card_html(role.id).html for role in job.content.roles},
    }
    if job.backs_html is not None:
        files["card-backs.html"] = job.backs_html.html
    return {name: text.encode("utf-8") for name, text in files.items()}


UNIT = Unit("html", make_html, wanted=lambda job: job.options.emit_html)
