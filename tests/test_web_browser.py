"""The web app's journeys in a real browser: Debian's Chromium, headless, driven by
Selenium through Debian's chromium-driver, against the app served by uvicorn on a free
port of this machine.

Slow (a browser and a server start); .ci/run installs chromium and chromium-driver and
runs it. Without them it fails on CI and is skipped on a laptop.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from compplan.web.app import create_app
from tests.test_web import PASSWORD, demo_site

pytestmark = pytest.mark.slow

if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI tests the web app in Chromium: install chromium and "
                           "chromium-driver (.ci/run does)")
    pytest.skip("chromium or chromium-driver not installed", allow_module_level=True)

from selenium import webdriver  # noqa: E402 - only with a browser to drive
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

SITE: dict[str, str] = {}
SHOTS = Path(os.environ.get("COMPPLAN_SHOTS", tempfile.gettempdir())) / "compplan-web"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = demo_site(tmp_path_factory.mktemp("browser"))
    SITE["out"] = str(config.out)
    port = _free_port()
    app = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=app.run, daemon=True)
    thread.start()
    for _ in range(100):
        if app.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    app.should_exit = True
    thread.join(10)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='compplan-chromium-')}"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def settled(browser: WebDriver) -> WebDriverWait[WebDriver]:
    """A wait that reads again when a page reloads under it (an element gone stale, or
    Chromium's "node does not belong to the document" while the new page replaces it)."""
    return WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,
                                                          NoSuchElementException,
                                                          WebDriverException))


def log_in(browser: WebDriver, server: str, email: str) -> None:
    browser.get(f"{server}/login")
    browser.find_element(By.NAME, "email").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login").click()
    settled(browser).until(lambda b: "/login" not in b.current_url)


def shot(browser: WebDriver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def test_a_rep_opens_march_expands_a_line_to_its_deals_and_asks(
        server: str, browser: WebDriver) -> None:
    log_in(browser, server, "rep@demo.example")
    assert browser.current_url.endswith("/payees/AE01")
    browser.find_element(By.LINK_TEXT, "2026-03").click()
    settled(browser).until(lambda b: b.current_url.endswith("period=2026-03"))
    line = browser.find_element(By.ID, "line-ae-2026-quarterly_bonus")  # Q1 bonus, paid in March
    line.find_element(By.TAG_NAME, "summary").click()
    deals = line.find_elements(By.CSS_SELECTOR, "table.deals tr")
    assert len(deals) > 1 and deals[1].text.startswith("2026-0")  # a deal of the quarter
    shot(browser, "rep-statement")
    line.find_element(By.NAME, "question").send_keys("Why is March lower than February?")
    line.find_element(By.CSS_SELECTOR, "form.ask button").click()
    settled(browser).until(lambda b: b.current_url.endswith("#inquiries"))
    asked = browser.find_elements(By.CSS_SELECTOR, "div.inquiry")
    assert any("Why is March lower than February?" in a.text for a in asked)


def test_payroll_runs_february_closes_it_and_cannot_run_it_again(
        server: str, browser: WebDriver) -> None:
    log_in(browser, server, "payroll@demo.example")
    assert browser.current_url.endswith("/payroll")
    row = browser.find_element(By.ID, "month-2026-02")
    row.find_element(By.CSS_SELECTOR, "form.run button").click()
    settled(browser).until(lambda b: b.find_element(
        By.CSS_SELECTOR, "#month-2026-02 .state").text == "open")
    row = browser.find_element(By.ID, "month-2026-02")
    assert row.find_element(By.CLASS_NAME, "state").text == "open"
    total = row.find_element(By.NAME, "confirm").get_attribute("placeholder")
    assert total
    row.find_element(By.NAME, "confirm").send_keys(total)
    shot(browser, "payroll")
    row.find_element(By.CSS_SELECTOR, "form.close button").click()
    settled(browser).until(lambda b: b.find_element(
        By.CSS_SELECTOR, "#month-2026-02 .state").text == "closed")
    row = browser.find_element(By.ID, "month-2026-02")
    assert row.find_element(By.CLASS_NAME, "state").text == "closed"
    assert not row.find_elements(By.CSS_SELECTOR, "form.run")  # nothing offers to run it


def test_a_manager_overrides_a_quota_and_finance_approves(
        server: str, browser: WebDriver) -> None:
    log_in(browser, server, "manager@demo.example")
    browser.get(f"{server}/quotas")
    row = browser.find_elements(By.CSS_SELECTOR, "#quota-table tr[id^=territory-]")[0]
    territory = str(row.get_attribute("id")).removeprefix("territory-")
    row.find_element(By.NAME, "quota").send_keys("850000")
    row.find_element(By.NAME, "reason").send_keys("new key account signed")
    row.find_element(By.CSS_SELECTOR, "form.override button").click()
    settled(browser).until(lambda b: b.find_element(
        By.CSS_SELECTOR, f"#territory-{territory} .quota").text == "850,000")
    shot(browser, "quota-review")
    browser.find_element(By.CSS_SELECTOR, "#submit button").click()
    settled(browser).until(lambda b: "(submitted)" in b.find_element(By.TAG_NAME, "h1").text)
    browser.find_element(By.ID, "logout").click()
    log_in(browser, server, "finance@demo.example")
    browser.get(f"{server}/quotas")
    browser.find_element(By.LINK_TEXT, "MGR02").click()
    browser.find_element(By.CSS_SELECTOR, "#approve button").click()
    settled(browser).until(lambda b: "(approved)" in b.find_element(By.TAG_NAME, "h1").text)
    quotas = Path(SITE["out"]) / "quotas" / "quotas.csv"
    assert f"{territory},{territory[4:]},bookings,2026,850000.00" in quotas.read_text()
