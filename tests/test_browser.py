"""The web edition and `serve` in a real browser: Debian's Chromium, driven by Selenium through Debian's chromedriver.

One browser serves every test of this file (starting one costs a second).
Accessibility is checked with axe-core (bundled by selenium-axe-python)
against WCAG 2.0, 2.1 and 2.2 A/AA and axe's best practices: no serious or
critical violation on any page type, at phone and desktop widths. The
screenshots are written to the test's folder (`--basetemp` keeps them) to be
looked at; the tests read their pixels where colour matters.
"""

from __future__ import annotations

import io
import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import CONTENT, ROOT, make_company
from PIL import Image

import guide.outputs as outputs
from guide.outputs import web
from guide.pipeline import build
from guide.plan import BuildOptions

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
PHONE, DESKTOP = 360, 1280
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PAGES = ["index.html", "roles/senior-product-manager.html", "matrix.html", "more.html"]


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM.is_file() and DRIVER.is_file()):
        pytest.fail("Chromium or chromedriver is missing: `make test` installs them (chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--force-device-scale-factor=1")
    driver = webdriver.Chrome(options=options, service=Service(str(DRIVER)))
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web editions of the default guide and every example company (no PDF is laid out)."""
    out = tmp_path_factory.mktemp("sites")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "UNITS", (web.UNIT,))
        build(BuildOptions(out_dir=out, content_dir=CONTENT, project=ROOT, all_targets=True, web=True))
    return out


def _open(browser, url: str, width: int) -> None:
    browser.set_window_size(width, 900)
    browser.get(url)


def _violations(browser) -> list[str]:
    from selenium_axe_python import Axe

    axe = Axe(browser)
    axe.inject()
    results = axe.run(options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _screenshot(browser, path: Path) -> Image.Image:
    png = browser.get_screenshot_as_png()
    path.write_bytes(png)
    return Image.open(io.BytesIO(png)).convert("RGB")


def _primary(site: str) -> str:
    """The site's primary colour, as its company.yaml gives it (the theme's for the default guide)."""
    from guide.company import company_target, load_company
    from guide.models import Target

    if site == "default":
        return Target(slug="default").brand.colors.primary
    return company_target(load_company(ROOT / "companies" / site)).brand.colors.primary


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.parametrize("site", ["default", "northwind", "bergwerk", "lumen"])
def test_every_page_type_is_accessible_and_fits_a_phone(browser, sites: Path, site: str, tmp_path: Path) -> None:
    """axe finds nothing serious on any page type; nothing scrolls sideways at 360 px; the brand's rule is drawn."""
    primary = _primary(site)
    # Every page type of the default on a phone, its index and a role on a desktop too; each company's index
    # (forked, German, own CSS) on a phone.
    for page in PAGES if site == "default" else PAGES[:1]:
        for width in (PHONE, DESKTOP) if site == "default" and page in PAGES[:2] else (PHONE,):
            _open(browser, (sites / site / "web" / page).as_uri(), width)
            assert _violations(browser) == [], f"{site}/{page} at {width} px"
            assert browser.execute_script("return document.documentElement.scrollWidth") <= width, (site, page)
            shot = _screenshot(browser, tmp_path / f"{site}-{page.replace('/', '-')}-{width}.png")
            # The header's 3 px rule in the brand's primary colour, under the navigation.
            rule = browser.execute_script(
                "const r = document.querySelector('.site-head').getBoundingClientRect();"
                "return [Math.round(r.left + r.width / 2), Math.round(r.bottom) - 2];"
            )
            assert shot.getpixel(tuple(rule)) == _rgb(primary), (site, page, width)


def test_a_role_link_leads_to_the_role_with_its_step_highlighted(browser, sites: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, (sites / "northwind" / "web" / "index.html").as_uri(), DESKTOP)
    link = browser.find_elements(By.CSS_SELECTOR, "ol.role-list a")[2]
    title = link.find_element(By.CSS_SELECTOR, ".role-name").text
    link.click()
    assert browser.current_url.endswith("/roles/senior-product-manager.html")
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    # On the role's page its step of the ladder is the filled one, and only it.
    fills = browser.execute_script(
        "return [...document.querySelectorAll('svg.ladder a')].map(a => "
        "[a.getAttribute('href'), a.querySelector('rect').getAttribute('fill')])"
    )
    filled = [href for href, fill in fills if fill.upper() == _primary("northwind").upper()]
    assert filled == ["senior-product-manager.html"]
    # A step of the ladder is a link too: the next one up leads to its role.
    browser.find_element(By.CSS_SELECTOR, 'svg.ladder a[href="director-of-product.html"] rect').click()
    assert browser.current_url.endswith("/roles/director-of-product.html")
    # The part anchors a card's QR code can point to.
    browser.get(browser.current_url + "#responsibilities")
    assert browser.execute_script("return document.getElementById('responsibilities').getBoundingClientRect().top") < 5


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_the_page(browser, sites: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _open(browser, (sites / "default" / "web" / "matrix.html").as_uri(), PHONE)
    ActionChains(browser).send_keys(Keys.TAB).perform()
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip"
    assert active.rect["x"] >= 0 and active.is_displayed()  # shown when focused
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "main"
    # The next stop is inside the page: the matrix's scrolling region, which a keyboard can scroll.
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.get_attribute("class") == "table-scroll"


COLOUR_CSS = "@media screen {{ h1 {{ color: {}; }} }}\n"


def test_serve_reloads_the_page_on_a_css_edit_and_shows_errors_and_pdf_pages(
    browser, tmp_path: Path, small_content: Path
) -> None:
    """The loop a designer lives in: edit, look; break something, read where; mend it."""
    from selenium.webdriver.common.by import By

    from guide.serve import serve

    good = 'name: Acme\nbrand:\n  colors:\n    primary: "#224466"\n'
    folder = make_company(
        tmp_path,
        "acme",
        good,
        {"styles/web.css": COLOUR_CSS.format("#123456")},
    )
    stop, ready = threading.Event(), []
    options = BuildOptions(out_dir=tmp_path / "build", content_dir=small_content, companies=(str(folder),))
    thread = threading.Thread(
        target=serve, args=(options,), kwargs={"port": 0, "say": lambda _: None, "stop": stop, "ready": ready.append}
    )
    thread.start()
    try:
        _wait(lambda: ready, "the server to start")
        address = ready[0]
        # Only requests addressed to the preview's own host are answered (no DNS rebinding from a web page).
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(address, headers={"Host": "attacker.example"}))
        assert refused.value.code == 403
        refused.value.close()
        _open(browser, address + "web/index.html", DESKTOP)
        colour = "return getComputedStyle(document.querySelector('h1')).color"
        assert browser.execute_script(colour) == "rgb(18, 52, 86)"

        started = time.perf_counter()
        (folder / "styles" / "web.css").write_text(COLOUR_CSS.format("#AA3311"), encoding="utf-8")
        _wait(lambda: _script(browser, colour) == "rgb(170, 51, 17)", "the page to reload with the new colour")
        assert time.perf_counter() - started < 5  # bench/ measures it properly; well under a second on this machine

        # The side-by-side view: the web edition in a frame, the guide's pages as images.
        _open(browser, address, DESKTOP)
        assert browser.find_element(By.ID, "web").get_attribute("src").endswith("/web/index.html")
        pages = "return [...document.querySelectorAll('#pages img')].map(i => i.naturalWidth)"
        _wait(lambda: (_script(browser, pages) or [0])[0] == 900, "the guide's first page", 60)
        assert len(browser.execute_script(pages)) >= 2
        assert _violations(browser) == []
        assert _screenshot(browser, tmp_path / "serve.png").size[0] == DESKTOP
        browser.find_element(By.CSS_SELECTOR, 'button[data-width="phone"]').click()
        assert browser.find_element(By.ID, "web").rect["width"] == PHONE
        browser.find_element(By.CSS_SELECTOR, 'button[data-width="wide"]').click()
        assert browser.find_element(By.ID, "web").rect["width"] > DESKTOP - 40
        assert not browser.find_element(By.ID, "pages").is_displayed()

        # A mistake keeps the last good preview and says where it is, on the preview and on the web page.
        (folder / "company.yaml").write_text('name: Acme\nbrand:\n  colors:\n    primary: "blue"\n', encoding="utf-8")
        where = re.compile(r"company\.yaml:4:\d+: brand\.colors\.primary")
        _wait(lambda: where.search(browser.find_element(By.ID, "problems").text), "the problem on the preview")
        assert len(browser.execute_script(pages)) >= 2
        _open(browser, address + "web/index.html", DESKTOP)
        _wait(lambda: _script(browser, "return document.getElementById('careerguide-serve-problems')?.textContent"))
        assert where.search(browser.find_element(By.ID, "careerguide-serve-problems").text)
        assert browser.execute_script(colour) == "rgb(170, 51, 17)"

        # Mended: the page reloads without the banner.
        (folder / "company.yaml").write_text(
            'name: Acme\nbrand:\n  colors:\n    primary: "#224466"\n', encoding="utf-8"
        )
        banner = "return document.getElementById('careerguide-serve-problems')"
        _wait(lambda: _script(browser, banner) is None, "the banner to go")
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def _script(browser, script: str):
    try:
        return browser.execute_script(script)
    except Exception:  # the page is reloading
        return None


def _wait(condition, what: str = "it", seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:g} s for {what}")
        time.sleep(0.05)
