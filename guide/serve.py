"""`careerguide serve`: a live preview of one target, its web edition and its guide side by side.

The two halves are made differently because they cost differently. The web
edition needs no layout: after every save it is made again in this process
(a few hundredths of a second) and served from memory. The guide PDF takes
seconds: it is built in a worker process of its own, so the server keeps
answering while it works, into `OUT/.preview/<target>/` (the guide alone, so
a preview never prunes the cards of a real build in `OUT/<target>/`), and its
pages are shown as images once it is written. Open pages hear of both through
server-sent events and reload themselves. A save that breaks the build keeps
the last good preview and puts the problems, with file:line:col, on the page.

The server answers on 127.0.0.1 unless told otherwise, and only to requests
addressed to the host it is bound to (a web page elsewhere cannot reach it
through a rebound domain name). Everything it serves comes from memory or
from the preview's own PDF: no request maps to a path on disk.
"""

from __future__ import annotations

import errno
import json
import re
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .errors import Problem, UserError
from .plan import BuildOptions, TargetSpec, plan_targets
from .resources import templates_dir

PREVIEW = ".preview"  # the preview's own build folder, inside OUT
PAGE_WIDTH = 900  # pixels of a page image
MAX_STREAMS = 32  # open event streams (pages listening for changes)
LOCAL_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
INJECT = b'<script src="/__serve/live.js" defer></script>'
WAITING = {
    "title": "No preview yet",
    "text": "The web edition could not be made from the files as they are. Fix the problems listed on the preview "
    "page (or in the terminal) and this page shows the guide as soon as you save.",
    "back": False,
    "live": True,  # reloads itself once a save mends the files
}
NO_CARDS = {
    "title": "Cards are not previewed",
    "text": "The preview lays out the guide only, to keep every save quick. Run careerguide build (with the same "
    "--company) for the role cards; in the published web edition this link opens the card's PDF.",
    "back": True,
    "live": False,
}


@dataclass
class Status:
    """What the preview shows now; every change makes a new `version`."""

    target: str
    version: int = 0
    web_version: int = 0
    web_seconds: float = 0.0
    web_at: str = ""
    pdf_version: int = 0
    pdf_pages: int = 0
    pdf_seconds: float = 0.0
    pdf_at: str = ""
    pdf_building: bool = False
    web_errors: list[str] = field(default_factory=list)
    web_warnings: list[str] = field(default_factory=list)
    pdf_errors: list[str] = field(default_factory=list)
    pdf_warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        # One problem found by both halves is listed once.
        data["errors"] = list(dict.fromkeys(self.web_errors + self.pdf_errors))
        data["warnings"] = list(dict.fromkeys(self.web_warnings + self.pdf_warnings))
        return data


class Preview:
    """The preview's state: the web edition's files, the last good PDF, the problems; shared by every request."""

    def __init__(self, options: BuildOptions, spec: TargetSpec, say: Callable[[str], None] = print) -> None:
        self.options = options
        self.say = say
        self.spec = spec
        self.changed = threading.Condition()
        self.status = Status(spec.slug)
        self.web: dict[str, bytes] = {}
        self.pdf: bytes | None = None
        self._pages: dict[tuple[int, int], bytes] = {}
        self._pdfium = threading.Lock()  # pdfium is not thread-safe
        self._pdf_wanted = threading.Event()

    # -- the two halves ---------------------------------------------------

    def refresh_web(self) -> None:
        """Make the web edition again from the files as they are now; keep the last good one if that fails."""
        from .load import load_content
        from .pipeline import prepare_spec
        from .web import render_web

        started = time.perf_counter()
        try:
            prepared = prepare_spec(self.spec, load_content(self.spec.content_dir(self.options)), self.options)
            files = render_web(prepared.content, prepared.target)
        except UserError as error:
            self._update(web_errors=[str(p) for p in error.problems], web_warnings=[])
            return
        except Exception as error:  # a bug: shown on the page, and the preview stays up for the next save
            self._update(web_errors=[f"internal error: {type(error).__name__}: {error}"], web_warnings=[])
            return
        self.web = files
        self._update(
            web_version=self.status.web_version + 1,
            web_seconds=round(time.perf_counter() - started, 3),
            web_at=time.strftime("%H:%M:%S"),
            web_errors=[],
            web_warnings=[str(p) for p in prepared.warnings],
        )

    def want_pdf(self) -> None:
        """Ask for a new PDF; saves that arrive while one is being built make one more build, not one each."""
        self._pdf_wanted.set()

    def build_pdfs(self, stop: threading.Event) -> None:
        """Build the guide whenever asked, in a worker process, until `stop` is set."""
        pool = _pool()
        options = replace(self.options, out_dir=self.options.out_dir / PREVIEW, web=False, jobs=1)
        try:
            while not stop.is_set():
                if not self._pdf_wanted.wait(0.1):
                    continue
                self._pdf_wanted.clear()
                self._update(pdf_building=True)
                started = time.perf_counter()
                running = pool.apply_async(build_preview_pdf, (options, self.spec))
                deadline = time.monotonic() + (options.timeout or 3600)
                while not running.ready() and not stop.is_set() and time.monotonic() < deadline:
                    running.wait(0.1)
                if stop.is_set():
                    return  # the worker is stopped below, mid-build or not (its writes are all-or-nothing)
                if not running.ready():  # the worker died, or the layout runs without end: a new worker
                    errors, warnings = [f"the guide was not laid out within {options.timeout or 3600:g} s; stopped"], []
                    pool.terminate()
                    pool = _pool()
                else:
                    try:
                        errors, warnings = running.get(0)
                    except Exception as error:  # a bug in the build: say so on the page and go on
                        errors, warnings = [f"internal error in the PDF's build: {type(error).__name__}: {error}"], []
                pdf = options.out_dir / self.spec.slug / "career-guide.pdf"
                if errors or not pdf.is_file():
                    self._update(pdf_building=False, pdf_errors=errors, pdf_warnings=warnings)
                    self.say("guide PDF failed: the preview keeps the last good one")
                    for line in errors:
                        self.say(f"error: {line}")
                    continue
                data = pdf.read_bytes()
                if data == self.pdf:  # the edit did not reach the guide (a web-only rule, say): nothing to redraw
                    self._update(pdf_building=False, pdf_errors=[], pdf_warnings=warnings)
                    continue
                with self._pdfium:
                    pages = _page_count(data)
                    self.pdf, self._pages = data, {}
                self._update(
                    pdf_building=False,
                    pdf_version=self.status.pdf_version + 1,
                    pdf_pages=pages,
                    pdf_seconds=round(time.perf_counter() - started, 2),
                    pdf_at=time.strftime("%H:%M:%S"),
                    pdf_errors=[],
                    pdf_warnings=warnings,
                )
                self.say(f"guide PDF: {pages} pages in {self.status.pdf_seconds:.1f} s")
        finally:
            pool.terminate()
            pool.join()

    def page_png(self, version: int, index: int) -> bytes | None:
        """Page `index` of the current PDF as a PNG, or None if that page or version is gone."""
        with self._pdfium:
            if version != self.status.pdf_version or self.pdf is None:
                return None
            if (version, index) not in self._pages:
                png = _render_page(self.pdf, index)
                if png is None:
                    return None
                self._pages[(version, index)] = png
            return self._pages[(version, index)]

    # -- telling the pages ------------------------------------------------

    def _update(self, **changes: Any) -> None:
        with self.changed:
            for name, value in changes.items():
                setattr(self.status, name, value)
            self.status.version += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> dict[str, Any] | None:
        """The status once its version passes `seen`, or None after `timeout` seconds."""
        with self.changed:
            self.changed.wait_for(lambda: self.status.version > seen, timeout)
            return self.status.as_json() if self.status.version > seen else None


def _pool():
    """One worker, kept warm between builds: a fresh interpreter (this process has threads), deaf to Ctrl-C.

    A `multiprocessing` pool rather than an executor: it can be stopped in the middle of a build
    (`terminate`), so Ctrl-C ends the preview at once.
    """
    import multiprocessing

    from .pipeline import ignore_interrupts

    return multiprocessing.get_context("spawn").Pool(1, initializer=ignore_interrupts)


def _page_count(pdf: bytes) -> int:
    """Call with the pdfium lock held (as `_render_page`)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def _render_page(pdf: bytes, index: int) -> bytes | None:
    """A page as a PNG `PAGE_WIDTH` pixels wide. pdfium is not thread-safe: every object it made is closed
    here, under the caller's lock, rather than left for the garbage collector to free in another thread."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        if not 0 <= index < len(document):
            return None
        page = document[index]
        try:
            bitmap = page.render(scale=PAGE_WIDTH / page.get_width())
            try:
                buffer = io.BytesIO()
                bitmap.to_pil().save(buffer, "PNG")
                return buffer.getvalue()
            finally:
                bitmap.close()
        finally:
            page.close()
    finally:
        document.close()


def build_preview_pdf(options: BuildOptions, spec: TargetSpec) -> tuple[list[str], list[str]]:
    """In the worker: build `spec`'s guide PDF alone; its problems and warnings as text (they cross processes)."""
    from . import outputs
    from .outputs import guide
    from .pipeline import build
    from .plan import plan_build

    outputs.UNITS = (guide.UNIT,)
    planned = [item for item in plan_build(options) if item.spec == spec]
    try:
        results = build(options, planned=planned)
    except UserError as error:
        return [str(p) for p in error.problems], []
    return [], [str(w) for result in results for w in result.warnings]


# -- the server -------------------------------------------------------------


def _page(name: str, **context: Any) -> bytes:
    """One of serve's own pages (templates/serve/), rendered with plain data."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "serve"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    return environment.get_template(name).render(**context).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    preview: Preview
    allowed_hosts: tuple[str, ...] | None  # None: any (bound to every interface on purpose)
    server_version = "careerguide-serve"

    def log_message(self, format: str, *args: Any) -> None:  # requests are not news
        return

    def do_GET(self) -> None:
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            return  # the page went away (a reload): nothing to answer

    def _answer(self) -> None:
        if not self._host_allowed():
            self._send(HTTPStatus.FORBIDDEN, b"serve answers to its own address only\n", "text/plain")
            return
        path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])  # only ever a key, never a path on disk
        preview = self.preview
        if path == "/":
            # Inside a <script> element: no "<" at all, so no text of a problem can end it or open a comment.
            status = json.dumps(preview.status.as_json()).replace("<", "\\u003c").replace(">", "\\u003e")
            body = _page("preview.html", target=preview.spec.slug, status=status)
            self._send(HTTPStatus.OK, body, "text/html; charset=utf-8")
        elif path == "/__serve/live.js":
            self._send(HTTPStatus.OK, (templates_dir() / "serve" / "live.js").read_bytes(), "text/javascript")
        elif path == "/__serve/status":
            self._send(HTTPStatus.OK, json.dumps(preview.status.as_json()).encode(), "application/json")
        elif path == "/__serve/events":
            self._events()
        elif path.startswith("/web/") or path == "/web":
            self._web(path.removeprefix("/web").lstrip("/") or "index.html")
        elif path in ("/pdf/career-guide.pdf", "/career-guide.pdf") and preview.pdf is not None:
            self._send(HTTPStatus.OK, preview.pdf, "application/pdf")  # (the web pages link to ../career-guide.pdf)
        elif path == "/role-cards.pdf" or path.startswith("/cards/"):
            self._send(HTTPStatus.NOT_FOUND, _page("message.html", **NO_CARDS), "text/html; charset=utf-8")
        elif path.startswith("/pdf/") and path.endswith(".png"):
            numbers = re.fullmatch(r"/pdf/([0-9]{1,9})/([0-9]{1,5})\.png", path, re.ASCII)
            png = preview.page_png(int(numbers[1]), int(numbers[2])) if numbers else None
            if png is None:
                self._send(HTTPStatus.NOT_FOUND, b"no such page\n", "text/plain")
            else:
                self._send(HTTPStatus.OK, png, "image/png")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def _host_allowed(self) -> bool:
        if self.allowed_hosts is None:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in self.allowed_hosts

    def _web(self, name: str) -> None:
        files = self.preview.web
        if name.endswith("/"):
            name += "index.html"
        data = files.get(name)
        if data is None and not files:
            # Nothing made yet (the first build failed): a page that shows the problems and reloads once mended.
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, _page("message.html", **WAITING), "text/html; charset=utf-8")
            return
        if data is None:
            self._send(HTTPStatus.NOT_FOUND, b"not in the web edition\n", "text/plain")
            return
        kind = _TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
        if name.endswith(".html"):
            data = data.replace(b"</body>", INJECT + b"\n</body>", 1)
        self._send(HTTPStatus.OK, data, kind)

    def _events(self) -> None:
        """Server-sent events: the status now, then after every change; a comment every 15 s keeps it open.

        Each open stream holds a thread; a few dozen are plenty for the tabs of one person.
        """
        if not self.server.streams.acquire(blocking=False):  # type: ignore[attr-defined]
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"too many open previews\n", "text/plain")
            return
        try:
            self._stream()
        finally:
            self.server.streams.release()  # type: ignore[attr-defined]

    def _stream(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        while not self.server.stopping.is_set():  # type: ignore[attr-defined]
            status = self.preview.wait(seen, 15.0)
            if status is None:
                self.wfile.write(b": still here\n\n")
            else:
                seen = status["version"]
                self.wfile.write(f"event: status\ndata: {json.dumps(status)}\n\n".encode())
            self.wfile.flush()

    def _send(self, code: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A request the handler could not answer (a bug): one line, not a traceback, and the server goes on."""
        import sys

        error = sys.exc_info()[1]
        print(f"internal error answering a request: {type(error).__name__}: {error}", file=sys.stderr)


class _Server6(_Server):
    address_family = socket.AF_INET6


def serve(
    options: BuildOptions,
    host: str = "127.0.0.1",
    port: int = 8000,
    say: Callable[[str], None] = print,
    stop: threading.Event | None = None,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Preview the first target `options` name until Ctrl-C (or `stop`); `ready` gets the address once it answers."""
    import watchfiles

    from .watch import changed_names, real_changes, watched_paths

    specs = plan_targets(options)
    if not specs:
        raise UserError(Problem("there is nothing to preview: name one company with --company"))
    spec = specs[0]
    preview = Preview(options, spec, say)
    handler = type("Handler", (_Handler,), {"preview": preview, "allowed_hosts": _allowed_hosts(host)})
    try:
        server_class = _Server6 if ":" in host else _Server
        server = server_class((host.strip("[]"), port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UserError(
                Problem(f"port {port} is already in use (another serve?): pass --port {port + 1}, or --port 0")
            ) from None
        raise UserError(Problem(f"cannot listen on {host}:{port}: {error.strerror}")) from None
    server.streams = threading.BoundedSemaphore(MAX_STREAMS)  # type: ignore[attr-defined]
    stop = stop or threading.Event()
    server.stopping = stop  # type: ignore[attr-defined]
    refresh(preview)
    threads = [
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True),
        threading.Thread(target=preview.build_pdfs, args=(stop,), daemon=True),
    ]
    for thread in threads:
        thread.start()
    shown = host if ":" not in host else f"[{host.strip('[]')}]"
    address = f"http://{shown}:{server.server_address[1]}/"
    say(f"previewing {spec.slug} at {address} (web edition and guide side by side; Ctrl-C to stop)")
    for line in preview.status.web_errors:
        say(f"error: {line}")
    if ready is not None:
        ready(address)
    if threading.current_thread() is threading.main_thread():  # `kill` stops it as Ctrl-C does, cleanly
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        for changes in watchfiles.watch(
            *watched_paths(options), stop_event=stop, debounce=50, step=20, watch_filter=real_changes
        ):
            names = ", ".join(changed_names(changes))
            if not names:
                continue
            refresh(preview)
            state = "failed" if preview.status.web_errors else f"web edition in {preview.status.web_seconds:.2f} s"
            say(f"changed {names}: {state}")
            for line in preview.status.web_errors:
                say(f"error: {line}")
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        say("stopped serving")


def refresh(preview: Preview) -> None:
    """The web edition now, the PDF after it; not the PDF when the files do not even make a web edition
    (the same checks would stop its build, and the last good PDF stays on screen)."""
    preview.refresh_web()
    if not preview.status.web_errors:
        preview.want_pdf()


def _allowed_hosts(host: str) -> tuple[str, ...] | None:
    """The Host headers to answer: the loopback names, and the address asked for; any, if bound to all."""
    if host in ("0.0.0.0", "::", ""):
        return None
    return (*LOCAL_NAMES, host.lower(), f"[{host.lower()}]")
