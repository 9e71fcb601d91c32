"""careerguide: career-path content in, branded print-ready PDFs out.

The package is the pipeline. Each stage is one module with a verb-named entry
point, and every later stage receives the typed model the earlier ones built:

    load.load_content      YAML files -> plain data with a map of source positions
    validate.validate      plain data -> typed models (every problem reported at once)
    render_html.render_*   models -> plain data -> HTML strings (Jinja2, sandboxed, autoescaped)
    render_pdf.render_*    HTML -> laid-out WeasyPrint documents
    write.write_all        bytes -> files, all of a target or none, never half-written
    pipeline.build         the stages in order, for the CLI or any caller

Files from company folders, content folders and rosters are read through
`files.read_inside` / `files.read_bounded` only: inside their folder, ordinary
files, with a size limit.
"""

__version__ = "0.1.0"
