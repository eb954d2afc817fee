"""End to end in a real headless Chromium against ``osslever serve`` on loopback.

Needs Debian's ``chromium`` and ``chromium-driver`` (CI installs them from
``.ci/apt-packages``); without them these tests fail with that instruction
rather than skip. Selenium is pointed at /usr/bin/chromedriver so it never
tries to download a driver.
"""

from __future__ import annotations

import shutil
import struct
import time
from pathlib import Path

import pytest

from tests.web_helpers import ALPHA, BETA, build_repo, ingest, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PAYLOAD_DIR = "<img src=x onerror=alert(1)>"
AUTHORS = ['Mallory" onmouseover="alert(1)', "&lt;script&gt;alert(2)&lt;/script&gt;", "'-alert(3)-'"]
MESSAGE = "</script><script>alert(4)</script>"


def _require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing or shutil.which("git") is None:
        pytest.fail(
            "the web browser tests need Chromium and its driver: "
            "apt-get install chromium chromium-driver (missing: " + ", ".join(missing) + ")"
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from tests.gitrepo import RepoBuilder

    _require_browser()
    root = tmp_path_factory.mktemp("web-e2e")
    home = root / "home"
    alpha, beta = build_repo(root / "alpha", ALPHA), build_repo(root / "beta", BETA)
    evil = RepoBuilder(root / PAYLOAD_DIR)
    for i, name in enumerate(AUTHORS):
        evil.commit(name, f"m{i}@evil.example", f"2024-0{i + 1}-02T10:00:00", {f"f{i}": str(i)}, message=MESSAGE)
    evil_path = evil.build()
    gamma = build_repo(root / "gamma", BETA[:2])  # added from the page, not beforehand
    db = root / "store.duckdb"
    import os

    os.environ["OSSLEVER_HOME"] = str(home)
    ingest(db, alpha, beta, evil_path)
    with running_server(db, home, root / "server.log") as base:
        yield {"base": base, "root": root, "gamma": gamma, "log": root / "server.log"}


@pytest.fixture(scope="module")
def browser(site):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        f"--user-data-dir={site['root'] / 'chrome-profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.set_capability("unhandledPromptBehavior", "ignore")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver, url: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.documentElement.dataset.ready") == "true"
    )


def _follow(driver, element) -> None:
    """Click something that navigates, and wait for the new page (not the old one) to be ready."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(old))
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.documentElement.dataset.ready") == "true"
    )


def _no_dialog(driver) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        return
    raise AssertionError(f"a dialog fired: {text!r}")


def _console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _png_ok(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 0 and height > 0 and len(data) > 5000, f"{path} looks empty"
    return width, height


def _shoot(driver, site, name: str) -> None:
    shots = site["root"] / "screenshots"
    shots.mkdir(exist_ok=True)
    path = shots / f"{name}.png"
    assert driver.save_screenshot(str(path))
    _png_ok(path)


PAGES = {
    "projects": "/",
    "project": "/project?id=git:1",
    "compare": "/compare",
    "rankings": "/rankings",
    "finance": "/finance",
    "assess": "/assess",
    "api-doc": "/api/openapi.json",
}


def test_every_page_loads_without_script_errors(site, browser):
    from selenium.webdriver.common.by import By

    for name, url in PAGES.items():
        if name == "api-doc":
            browser.get(site["base"] + url)
            assert '"openapi"' in browser.find_element(By.TAG_NAME, "body").text
        else:
            _open(browser, site["base"] + url)
            assert browser.find_element(By.ID, "page-title").text.strip()
        _shoot(browser, site, name)
        _no_dialog(browser)
        assert _console_errors(browser) == [], name  # includes CSP violations of our own assets


def test_project_page_draws_interactive_charts(site, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    _open(browser, site["base"] + "/project?id=git:1")
    bars = browser.find_elements(By.CSS_SELECTOR, "#chart-commits svg rect.bar")
    assert len(bars) == 3  # alpha has commits in 2024-01, 2024-02 and 2024-03
    overlay = browser.find_element(By.CSS_SELECTOR, "#chart-contributors svg rect.overlay")
    ActionChains(browser).move_to_element(overlay).perform()
    tip = browser.find_elements(By.CSS_SELECTOR, "#chart-contributors svg .tooltip text")
    assert tip and tip[0].text.startswith("2024-")
    legend = browser.find_elements(By.CSS_SELECTOR, "#chart-contributors .legend-item")
    lines_before = len(browser.find_elements(By.CSS_SELECTOR, "#chart-contributors svg path.line"))
    legend[1].click()
    assert legend[1].get_attribute("aria-pressed") == "false"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#chart-contributors svg path.line")) == lines_before - 1
    _shoot(browser, site, "project-hover")


def test_language_switch_on_every_page(site, browser):
    from selenium.webdriver.common.by import By

    for url in ("/", "/project?id=git:1", "/compare", "/rankings", "/finance", "/assess"):
        _open(browser, site["base"] + url + ("&" if "?" in url else "?") + "lang=en")
        english = browser.find_element(By.CSS_SELECTOR, "header nav").text
        _follow(browser, browser.find_element(By.ID, "lang-switch"))
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
        chinese = browser.find_element(By.CSS_SELECTOR, "header nav").text
        assert "项目" in chinese and chinese != english, url
    _shoot(browser, site, "assess-zh")
    _open(browser, site["base"] + "/rankings")  # the choice sticks (cookie)
    assert "排名" in browser.find_element(By.ID, "page-title").text
    _follow(browser, browser.find_element(By.ID, "lang-switch"))
    assert browser.find_element(By.ID, "page-title").text == "Rankings"


def test_dossier_from_the_project_page(site, browser):
    """The project page links to the dossier; it opens in the site's language with its verdict."""
    from selenium.webdriver.common.by import By

    browser.get_log("browser")  # this test's console only
    _open(browser, site["base"] + "/project?id=git:1&lang=zh")
    link = browser.find_element(By.ID, "dossier-link")
    assert link.text == "项目档案"
    _follow(browser, link)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert browser.find_element(By.TAG_NAME, "h1").text == "项目档案：alpha"
    verdict = browser.find_element(By.ID, "verdict")
    tiles = {e.get_attribute("data-part"): e.text for e in verdict.find_elements(By.CSS_SELECTOR, "[data-part]")}
    assert set(tiles) == {"stance", "model", "license", "investor"} and all(tiles.values()), tiles
    assert verdict.find_element(By.CSS_SELECTOR, "p.paragraph").text
    # the file's own inline stylesheet applies (the page's CSP allows it by hash): a 4-column grid
    columns = browser.execute_script(
        "return getComputedStyle(document.querySelector('#verdict .tiles')).gridTemplateColumns.split(' ').length"
    )
    assert columns == 4
    _shoot(browser, site, "dossier-zh")
    _no_dialog(browser)
    assert _console_errors(browser) == []  # a refused stylesheet or script is a console error
    _follow(browser, browser.find_element(By.ID, "lang-switch"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dossier: alpha"
    assert browser.find_element(By.CSS_SELECTOR, "#verdict h2").text == "Verdict"
    _follow(browser, browser.find_element(By.ID, "dossier-back"))
    assert browser.find_element(By.ID, "page-title").text == "alpha"


def test_compare_two_projects_from_the_list(site, browser):
    from selenium.webdriver.common.by import By

    _open(browser, site["base"] + "/")
    for name in ("alpha", "beta"):
        row = browser.find_element(By.XPATH, f"//table[@id='projects']//tr[td/a[text()='{name}']]")
        row.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    _follow(browser, browser.find_element(By.ID, "compare-submit"))
    table = browser.find_element(By.ID, "compare-table")
    headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")][1:]
    assert headers == ["alpha", "beta"]
    first_row = [td.text for td in table.find_elements(By.CSS_SELECTOR, "tbody tr:first-child td")]
    assert first_row == ["5", "3"]  # commits of alpha and beta
    assert len(browser.find_elements(By.CSS_SELECTOR, "#chart-compare-commits svg path.line")) == 2
    _shoot(browser, site, "compare")


def test_ingest_from_the_page_shows_progress_and_opens_the_project(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open(browser, site["base"] + "/?lang=en")
    browser.find_element(By.ID, "ingest-location").send_keys(str(site["gamma"]))
    browser.find_element(By.CSS_SELECTOR, "#ingest-form button").click()
    link = WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "ingest-open"))[0]
    assert "Done" in browser.find_element(By.CSS_SELECTOR, "#ingest-status .phase").text
    _follow(browser, link)
    assert browser.find_element(By.ID, "page-title").text == "gamma"
    cards = browser.find_element(By.CSS_SELECTOR, "#section-report .cards").text
    assert cards.startswith("2\n")  # gamma: 2 commits


def test_edit_profile_and_see_the_assessment_change(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def submit(body: str) -> str:
        area = browser.find_element(By.ID, "profile-body")
        area.clear()
        area.send_keys(body)
        _follow(browser, browser.find_element(By.ID, "profile-submit"))
        assert "profile=" in browser.current_url
        assert browser.find_element(By.ID, "profile-body").get_attribute("value") == body
        return browser.find_element(By.ID, "stance-value").text

    _open(browser, site["base"] + "/assess?lang=en")
    name = browser.find_element(By.ID, "profile-name")
    name.clear()
    name.send_keys("e2e demo")
    Select(browser.find_element(By.ID, "profile-project")).select_by_visible_text("alpha")
    assert submit("name: Demo\nmarket:\n  stage: early\n  technical_barrier: low\n") == "Open source"
    reasons = browser.find_element(By.ID, "stance-reasons").text
    assert "lifecycle.market_early" in reasons  # issue 12: the joint decision's driver ids
    assert browser.find_elements(By.CSS_SELECTOR, "#what-would-change tbody tr")
    _shoot(browser, site, "assessment-open")
    assert submit("name: Demo\nmarket:\n  stage: mature\n  technical_barrier: low\n  policy_risk: high\n") == "Hybrid"
    _shoot(browser, site, "assessment-hybrid")
    # a typo is reported in place, and nothing is saved
    area = browser.find_element(By.ID, "profile-body")
    area.clear()
    area.send_keys("nme: Demo\n")
    browser.find_element(By.ID, "profile-submit").click()
    status = WebDriverWait(browser, 15).until(
        lambda d: (
            d.find_element(By.ID, "profile-status").text
            if "nme" in d.find_element(By.ID, "profile-status").text
            else None
        )
    )
    assert "'name'" in status


def test_finance_upload_and_metrics(site, browser):
    from selenium.webdriver.common.by import By

    from tests.test_web_api import BILLING

    path = site["root"] / "billing.csv"
    path.write_text(BILLING, encoding="utf-8")
    _open(browser, site["base"] + "/finance?lang=en")
    browser.find_element(By.ID, "billing-file").send_keys(str(path))
    _follow(browser, browser.find_element(By.CSS_SELECTOR, "#billing-form button"))
    assert "billing=billing.csv" in browser.current_url
    _open(browser, site["base"] + "/finance?billing=billing.csv&as_of=2024-03")
    cards = browser.find_element(By.ID, "finance-cards").text.split("\n")
    assert cards[:4] == ["200", "MRR", "2,400", "ARR"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#chart-movements svg rect.bar")) == 2  # new in Jan, Feb
    _shoot(browser, site, "finance")


def test_script_payloads_render_as_text(site, browser):
    from selenium.webdriver.common.by import By

    browser.get_log("browser")  # start with an empty console (earlier tests logged a 422 on purpose)
    _open(browser, site["base"] + "/?q=onerror")
    _no_dialog(browser)
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "a.project-link")]
    assert links == [PAYLOAD_DIR]
    _follow(browser, browser.find_element(By.CSS_SELECTOR, "a.project-link"))
    time.sleep(0.3)
    _no_dialog(browser)
    assert browser.find_element(By.ID, "page-title").text == PAYLOAD_DIR
    people = {td.text for td in browser.find_elements(By.CSS_SELECTOR, "#contributors td.person")}
    assert people == set(AUTHORS)
    assert browser.find_elements(By.CSS_SELECTOR, "img") == []  # the payload made no element
    assert browser.execute_script("return document.querySelectorAll('[onmouseover],[onerror]').length") == 0
    # its dossier too: the name is text in the bar and the title
    _follow(browser, browser.find_element(By.ID, "dossier-link"))
    time.sleep(0.3)
    _no_dialog(browser)
    assert browser.find_element(By.ID, "dossier-back").text == "← " + PAYLOAD_DIR
    assert PAYLOAD_DIR in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, "img") == []
    assert browser.execute_script("return document.querySelectorAll('[onmouseover],[onerror]').length") == 0
    # a profile name carrying markup is text too
    browser.execute_script(
        "return fetch('/api/profiles/' + encodeURIComponent(arguments[0]), {method: 'PUT',"
        " headers: {'Content-Type': 'application/json'}, body: JSON.stringify({body: 'name: x'})})"
        ".then(r => r.status)",
        "<b onmouseover=alert(5)>x",
    )
    _open(browser, site["base"] + "/assess")
    _no_dialog(browser)
    assert "<b onmouseover=alert(5)>x" in [a.text for a in browser.find_elements(By.CSS_SELECTOR, "a.profile-link")]
    assert browser.execute_script("return document.querySelectorAll('b[onmouseover]').length") == 0
    _shoot(browser, site, "xss")
    assert _console_errors(browser) == []
