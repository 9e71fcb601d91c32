"""Benchmark: how long batches of company guides take, and what they cost.

Usage (from the repository root, after `make setup`):

    .venv/bin/python bench/bench.py                 # N = 1, 20 and 100 companies
    .venv/bin/python bench/bench.py --sizes 1 20    # a quicker run
    .venv/bin/python bench/bench.py --roles         # also: cost per target against the number of roles
    .venv/bin/python bench/bench.py --web           # only the web edition and `serve` (needs Chromium)

For each N it makes a temporary project with N synthetic companies (varied
colours, fonts, paper, locales, renamed titles, removed and extra roles) and
measures, on this machine:

  (a) naive    one `weasyprint` command per emitted HTML file, as a shell script would
  (b) floor    the same HTML files rendered one after another in one Python process,
               sharing one FontConfiguration
  (c) build    `careerguide build --all --force`, with --jobs 1 and with every core
  (d) no-op    a rebuild with nothing changed
  (e) one      a rebuild after one company's colour changed
  `--help`, peak memory of a worker, and the sizes of a card and a guide.

(a) takes long (about a second per file): it is measured up to N = 20 and
left out above that. The results are printed as a Markdown table to paste
into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CAREERGUIDE = str(BIN / "careerguide")
WEASYPRINT = str(BIN / "weasyprint")

PALETTE = ["#1E3A5F", "#0E5E6F", "#1E4D3B", "#4B2142", "#5A2D0C", "#2B2D42", "#6B1E2E", "#1D4E89", "#3C1874"]
FONTS = ["Inter", "Lato", "Manrope"]
RENAMES = [
    {},
    {"product-manager": "Product Manager II", "associate-product-manager": "Product Manager I"},
    {"director-of-product": "Head of Product", "vp-of-product": "Vice President, Product"},
]
EXCLUDES = [[], ["associate-product-manager"], ["vp-of-product"], []]

EXTRA_ROLE = """title: {title}
short_title: {short}
level: {level}
summary: >-
  A role this company added to the shared ladder, for the benchmark. It sits
  between two shared levels and carries the same fields as every other role.
hiring_signals: [Depth in one product area, Influence without authority]
responsibilities:
  - Own a hard, cross-team product problem from discovery to results
  - Coach other product managers on their most difficult decisions
  - Shape the strategy of the group with its leaders
day_to_day: [Works across several teams, Runs deep discovery with customers]
skills: [Systems thinking, Deep discovery, Influence, Product craft]
experience: Many years in product, several of them on complex products.
ready_for_next: [Shapes the strategy of the company, Raises the craft of the whole team]
next_steps:
  - role: director-of-product
competencies:
  customer-empathy: Knows one domain better than anyone else.
  prioritisation: Chooses which hard problems are worth solving.
  data-and-metrics: Designs the measures for large bets.
  communication: Writes the documents the company aligns on.
  strategy: Shapes strategy through depth.
  leadership: Leads through expertise, without reports.
"""


def make_project(root: Path, companies: int, extra_roles: int = 0) -> Path:
    """A project folder with the shared content and `companies` synthetic companies."""
    shutil.copytree(ROOT / "content", root / "content")
    for number in range(companies):
        folder = root / "companies" / f"company-{number:03d}"
        (folder / "roles").mkdir(parents=True)
        renames = RENAMES[number % len(RENAMES)]
        excluded = EXCLUDES[number % len(EXCLUDES)]
        lines = [
            f"name: Company {number:03d}",
            "brand:",
            "  colors:",
            f"    primary: '{PALETTE[number % len(PALETTE)]}'",
            f"  font: {{family: {FONTS[number % len(FONTS)]}}}",
            f"paper: {'letter' if number % 2 else 'a4'}",
            f"locale: {'de' if number % 5 == 4 else 'en'}",
            f"exclude_roles: {excluded}",
            "titles:",
            *(f"  {role}: {title}" for role, title in renames.items() if role not in excluded),
        ]
        if not any(role not in excluded for role in renames):
            lines[-1] = "titles: {}"
        (folder / "company.yaml").write_text("\n".join(lines) + "\n")
        added = extra_roles if extra_roles else (1 if number % 3 == 1 else 0)
        for extra in range(added):
            (folder / "roles" / f"principal-{extra}.yaml").write_text(
                EXTRA_ROLE.format(
                    title=f"Principal Product Manager {extra + 1}",
                    short=f"Principal {extra + 1}",
                    level=3 + (extra + 1) / (added + 1),
                )
            )
    return root


def run(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def naive(html_files: list[Path], out: Path) -> float:
    out.mkdir(exist_ok=True)
    started = time.perf_counter()
    for index, html in enumerate(html_files):
        subprocess.run([WEASYPRINT, str(html), str(out / f"{index}.pdf")], check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def floor(html_files: list[Path], out: Path) -> float:
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from weasyprint import HTML\n"
        "from weasyprint.text.fonts import FontConfiguration\n"
        "fonts = FontConfiguration()\n"
        "files = [Path(p) for p in sys.argv[2:]]\n"
        "started = time.perf_counter()\n"
        "for i, f in enumerate(files):\n"
        "    HTML(filename=f).write_pdf(Path(sys.argv[1]) / f'{i}.pdf', font_config=fonts)\n"
        "print(time.perf_counter() - started)\n"
    )
    out.mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", code, str(out), *map(str, html_files)], check=True, capture_output=True, text=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def measure(companies: int, with_naive: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "project", companies)
        # The HTML a shell pipeline would have: everything careerguide emits.
        subprocess.run([CAREERGUIDE, "build", "--all", "--emit-html", "--out", "html", "-q"], cwd=project, check=True)
        html_files = sorted((project / "html").rglob("*.html"))
        row = {"companies": companies, "targets": companies + 1, "html_files": len(html_files)}
        row["a_naive"] = naive(html_files, Path(tmp) / "naive") if with_naive else None
        row["b_floor"] = floor(html_files, Path(tmp) / "floor")
        row["c_jobs1"] = run([CAREERGUIDE, "build", "--all", "--force", "-q", "--jobs", "1", "--out", "one"], project)
        row["c_jobsN"] = run([CAREERGUIDE, "build", "--all", "--force", "-q", "--out", "out"], project)
        row["peak_worker_mb"] = children_peak_mb()
        row["d_noop"] = statistics.median(
            run([CAREERGUIDE, "build", "--all", "-q", "--out", "out"], project) for _ in range(3)
        )
        company = project / "companies" / "company-000" / "company.yaml"
        company.write_text(company.read_text().replace(PALETTE[0], "#224466"))
        row["e_one"] = run([CAREERGUIDE, "build", "--all", "-q", "--out", "out"], project)
        row["card_kb"] = (project / "out" / "default" / "cards" / "product-manager.pdf").stat().st_size / 1024
        row["guide_kb"] = (project / "out" / "default" / "career-guide.pdf").stat().st_size / 1024
        return row


def per_role_cost() -> list[tuple[int, float]]:
    """Seconds to build one company against the number of roles on its ladder."""
    results = []
    for extra in (0, 6, 12):
        with tempfile.TemporaryDirectory() as tmp:
            project = make_project(Path(tmp) / "project", 1, extra_roles=extra)
            args = [CAREERGUIDE, "build", "--company", "company-000", "--force", "-q", "--jobs", "1", "--out", "out"]
            seconds = statistics.median(run(args, project) for _ in range(2))
            roles = 6 + extra
            results.append((roles, seconds))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 20, 100])
    parser.add_argument("--naive-up-to", type=int, default=20)
    parser.add_argument("--roles", action="store_true")
    parser.add_argument("--packets", type=int, default=0, metavar="PEOPLE", help="only the onboarding-packet benchmark")
    parser.add_argument("--web", action="store_true", help="only the web edition and serve benchmark")
    parser.add_argument("--watch", action="store_true", help="only the watch benchmark: from a save to the new PDF")
    args = parser.parse_args()
    if args.packets:
        packets_benchmark(args.packets)
        return
    if args.watch:
        watch_benchmark()
        return
    if args.web:
        web_benchmark()
        return

    help_times = [run([CAREERGUIDE, "--help"], ROOT) for _ in range(5)]
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"machine: {machine}, {platform.platform()}")
    print(f"careerguide --help: median {statistics.median(help_times):.3f} s of 5\n")
    columns = [
        "companies", "targets", "HTML files", "(a) naive", "(b) floor", "(c) --jobs 1", "(c) all cores",
        "(c)/(b)", "(c)/(a)", "(d) no-op", "(e) one changed", "peak worker MB", "card KB", "guide KB",
    ]  # fmt: skip
    header = "| " + " | ".join(columns) + " |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for size in args.sizes:
        row = measure(size, size <= args.naive_up_to)
        a = row["a_naive"]
        naive_text = f"{a:.1f} s" if a else "not run"
        ratio_a = f"{row['c_jobsN'] / a:.2f}" if a else "-"
        print(
            f"| {row['companies']} | {row['targets']} | {row['html_files']} | {naive_text} | "
            f"{row['b_floor']:.1f} s | {row['c_jobs1']:.1f} s | {row['c_jobsN']:.1f} s | "
            f"{row['c_jobsN'] / row['b_floor']:.2f} | {ratio_a} | "
            f"{row['d_noop']:.2f} s | {row['e_one']:.1f} s | {row['peak_worker_mb']:.0f} | "
            f"{row['card_kb']:.0f} | {row['guide_kb']:.0f} |",
            flush=True,
        )
    if args.roles:
        print("\n| roles on the ladder | seconds for one company |\n|---|---|")
        for roles, seconds in per_role_cost():
            print(f"| {roles} | {seconds:.2f} |")


def packets_benchmark(people: int) -> None:
    """Onboarding packets for `people` hires of one company, against `people` layouts of its guide.

    The yardstick is one in-process layout of the company's guide (warm, the
    median of 3), times `people`: what the packets would cost if each meant
    laying out the guide once. careerguide's figure is `careerguide onboard`
    as a command, with every core, from start-up to the last packet written,
    with no guide built before (so the guide's own layout is in it). Memory
    is the largest resident set of any of its processes, at 100 people and at
    `people`: it should not grow with the roster.
    """
    from guide.load import load_content
    from guide.pipeline import prepare_company
    from guide.render_html import render_guide
    from guide.render_pdf import Renderer

    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "project", 1)
        prepared = prepare_company(load_content(project / "content"), project / "companies" / "company-000")
        roles = [role.id for role in prepared.content.roles]

        def roster(count: int) -> Path:
            path = Path(tmp) / f"roster-{count}.csv"
            lines = ["name,role,start_date,manager,buddy"]
            lines += [
                f"Person {n:04d},{roles[n % len(roles)]},2027-01-{1 + n % 28:02d},Manager {n % 7},Buddy {n % 11}"
                for n in range(count)
            ]
            path.write_text("\n".join(lines) + "\n")
            return path

        renderer = Renderer()
        html = render_guide(prepared.content, prepared.target)
        renderer.render(html)  # warm: fonts loaded
        layouts = []
        for _ in range(3):
            started = time.perf_counter()
            renderer.render(html)
            layouts.append(time.perf_counter() - started)
        layout = statistics.median(layouts)

        def onboard(count: int) -> tuple[float, float]:
            out = Path(tmp) / f"out-{count}"
            args = [CAREERGUIDE, "onboard", "--company", "company-000", "--roster", str(roster(count))]
            probe = [sys.executable, "-c", PEAK_OF_CHILD, *args, "--out", str(out)]
            started = time.perf_counter()
            peak = subprocess.run(probe, cwd=project, check=True, capture_output=True, text=True).stdout.split()[-1]
            seconds = time.perf_counter() - started
            assert len(list((out / "company-000" / "onboarding").iterdir())) == count
            return seconds, float(peak)

        small_seconds, small_peak = onboard(100)
        seconds, peak = onboard(people)
    print(f"\none layout of the guide: {layout:.2f} s (median of 3, warm); {os.cpu_count()} CPUs")
    print("\n| people | `careerguide onboard`, all cores | people x one guide layout | ratio | peak MB |")
    print("|---|---|---|---|---|")
    for count, took, mb in ((100, small_seconds, small_peak), (people, seconds, peak)):
        print(f"| {count} | {took:.1f} s | {count * layout:.0f} s | {took / (count * layout):.3f} | {mb:.0f} |")


# Runs a command and prints the largest resident set (MB) of it and its workers.
PEAK_OF_CHILD = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
)


def watch_benchmark(edits: int = 5) -> None:
    """`build --watch` for Northwind: from saving a file to the new PDF on disk, against laying that PDF out.

    Two edits, `edits` times each: the theme's card stylesheet (the cards and
    the deck are made again, the guide is kept) and a role file (the guide is
    made first). The watching process runs careerguide from a copy of this
    checkout, so the theme can be edited without touching the real one. The
    yardstick is the same document laid out and written in one warm process
    (the median of 3 after one unmeasured run): `Job.cards` and the deck's
    PDF, or `Job.guide_pdf` with its pages balanced from scratch (an edited
    guide is: its earlier page breaks are not reused, so that a build's
    bytes never depend on what the process built before).
    """
    from guide.balance import _NEEDED
    from guide.load import load_content
    from guide.outputs.job import Job
    from guide.pipeline import prepare_company, renderer

    with tempfile.TemporaryDirectory() as tmp:
        code, project = Path(tmp) / "code", Path(tmp) / "project"
        for name in ("guide", "styles", "templates", "content"):
            shutil.copytree(ROOT / name, code / name)
        shutil.copytree(ROOT / "content", project / "content")
        shutil.copytree(ROOT / "companies" / "northwind", project / "companies" / "northwind")
        prepared = prepare_company(load_content(project / "content"), project / "companies" / "northwind")

        def laid_out(make) -> float:
            make(Job(prepared.content, prepared.target, BuildOptions(), renderer))
            times = []
            for _ in range(3):
                _NEEDED.clear()  # balanced from scratch, as an edited guide is (a repeat would reuse its page breaks)
                started = time.perf_counter()
                make(Job(prepared.content, prepared.target, BuildOptions(), renderer))
                times.append(time.perf_counter() - started)
            return statistics.median(times)

        from guide.plan import BuildOptions

        deck = laid_out(lambda job: job.pdf(job.cards.deck))
        guide = laid_out(lambda job: job.guide_pdf)

        out = project / "out" / "northwind"
        command = [sys.executable, "-c", "from guide.cli import main; main()", "build", "--company", "northwind"]
        environment = {**os.environ, "PYTHONPATH": str(code)}
        watcher = subprocess.Popen(
            [*command, "--watch", "--out", "out", "-q"], cwd=project, env=environment, stdout=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 120
            while not (out / "manifest.json").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(2)

            def after_save(path: Path, change, output: Path) -> float:
                before = output.stat().st_mtime_ns
                time.sleep(1.5)
                change(path)
                started = time.perf_counter()
                while output.stat().st_mtime_ns == before:
                    if time.perf_counter() - started > 60:
                        raise RuntimeError(f"{output.name} was not rebuilt")
                    time.sleep(0.005)
                seconds = time.perf_counter() - started
                time.sleep(4)  # the rest of the rebuild
                return seconds

            counter = iter(range(1, 1000))

            def card_rule(path: Path) -> None:
                with path.open("a") as stream:
                    stream.write(f"\n.card-title {{ letter-spacing: {next(counter) / 1000}em; }}\n")

            def role_text(path: Path) -> None:
                text = path.read_text()
                path.write_text(text.replace("summary: >-\n", f"summary: >-\n  Edit {next(counter)}.\n", 1))

            role = project / "content" / "roles" / "product-manager.yaml"
            cards_css = code / "styles" / "cards.css"
            card_times = [after_save(cards_css, card_rule, out / "role-cards.pdf") for _ in range(edits)]
            guide_times = [after_save(role, role_text, out / "career-guide.pdf") for _ in range(edits)]
        finally:
            watcher.terminate()
            watcher.wait()
    print(f"\n| edit | save to new PDF on disk (median, max of {edits}) | the PDF laid out and written, warm | ratio |")
    print("|---|---|---|---|")
    for name, times, yardstick in (
        ("the theme's cards.css -> role-cards.pdf", card_times, deck),
        ("a role file -> career-guide.pdf", guide_times, guide),
    ):
        median = statistics.median(times)
        print(f"| {name} | {median:.2f} s, {max(times):.2f} s | {yardstick:.2f} s | {median / yardstick:.2f} |")


def web_benchmark(edits: int = 10) -> None:
    """The web edition against the PDF guide, per example; then `serve`: from a CSS save to the new colour on screen.

    Both builds run in this process with --force, warm (the median of 3 after
    one unmeasured run), each with its output unit alone. The serve figure is
    what a designer sees: the time from writing a company stylesheet to the
    open page in Chromium (Debian's, through chromedriver) showing the new
    colour, polled every 10 ms, over `edits` saves.
    """
    import threading

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    import guide.outputs as outputs
    from guide.outputs import guide as guide_unit
    from guide.outputs import web as web_unit
    from guide.pipeline import build
    from guide.plan import BuildOptions
    from guide.serve import serve

    def timed(units, company: str | None, out: Path) -> float:
        outputs.UNITS = units
        options = BuildOptions(
            out_dir=out, project=ROOT, companies=(company,) if company else (), force=True, web=True, jobs=1
        )
        build(options)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            build(options)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    print("| target | web edition | guide PDF | ratio |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for company in (None, "northwind", "bergwerk", "lumen"):
            web_s = timed((web_unit.UNIT,), company, Path(scratch) / "web")
            pdf_s = timed((guide_unit.UNIT,), company, Path(scratch) / "pdf")
            print(f"| {company or 'default'} | {web_s:.3f} s | {pdf_s:.2f} s | {web_s / pdf_s:.3f} |", flush=True)
        outputs.UNITS = (guide_unit.UNIT, web_unit.UNIT)

        project = Path(scratch) / "serve"
        shutil.copytree(ROOT / "companies" / "northwind", project / "companies" / "northwind")
        sheet = project / "companies" / "northwind" / "styles" / "web.css"
        sheet.parent.mkdir(exist_ok=True)
        sheet.write_text("@media screen { h1 { color: rgb(0, 0, 0); } }\n")
        stop, ready = threading.Event(), []
        options = BuildOptions(out_dir=project / "build", project=project, companies=("northwind",))
        hooks = {"port": 0, "say": lambda _: None, "stop": stop, "ready": ready.append}
        server = threading.Thread(target=serve, args=(options,), kwargs=hooks)
        server.start()
        chrome = webdriver.ChromeOptions()
        chrome.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
            chrome.add_argument(argument)
        browser = webdriver.Chrome(options=chrome, service=Service("/usr/bin/chromedriver"))
        try:
            while not ready:
                time.sleep(0.05)
            browser.get(ready[0] + "web/index.html")
            time.sleep(8)  # let the first PDF build finish: a designer's edits come after the preview opened
            seen = []
            shown = "return getComputedStyle(document.querySelector('h1')).color"
            for edit in range(1, edits + 1):
                colour = f"rgb({edit * 20}, 0, 0)"
                started = time.perf_counter()
                sheet.write_text(f"@media screen {{ h1 {{ color: {colour}; }} }}\n")
                while True:
                    try:
                        if browser.execute_script(shown) == colour:
                            break
                    except Exception:  # the page is reloading
                        pass
                    time.sleep(0.01)
                seen.append(time.perf_counter() - started)
                time.sleep(1.5)  # the PDF half rebuilds in the worker meanwhile, as it does while a designer types
        finally:
            browser.quit()
            stop.set()
            server.join()
    print(
        f"\nserve, CSS save to new colour in the browser over {edits} edits: median {statistics.median(seen):.2f} s, "
        f"max {max(seen):.2f} s"
    )


if __name__ == "__main__":
    main()
