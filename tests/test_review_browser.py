"""The review pages of ``pactwatch serve --review`` in headless Chromium (Selenium with Debian's chromium-driver):
a verdict clicked writes its row; a POST without the CSRF token is refused and writes nothing. Skipped where no
browser or driver exists."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from analyst_db import build, running_server

from pipeline.store import open_db

pytest.importorskip("datasette")
webdriver = pytest.importorskip("selenium.webdriver")
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no chromium or chromedriver on PATH (apt-get install chromium chromium-driver; .ci/run does)")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _judgements(path: Path) -> list[tuple]:
    db = open_db(path, readonly=True)
    try:
        return db.execute("SELECT event_id, verdict, status, judged_by, note FROM judgements ORDER BY id").fetchall()
    finally:
        db.close()


def test_verdicts_in_chromium_and_csrf(tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait

    path = tmp_path / "pactwatch.db"
    db = open_db(path)
    build(db)
    db.close()
    with running_server(path, tmp_path, "--review") as base:
        browser.get(f"{base}/-/review")
        first = int(browser.find_element(By.ID, "event").get_attribute("data-event"))
        assert browser.find_element(By.ID, "evidence").text  # the evidence, marked in its paragraph
        browser.find_element(By.ID, "wrong").click()
        WebDriverWait(browser, 30).until(expected_conditions.text_to_be_present_in_element(
            (By.ID, "done"), f"event {first}: wrong"))
        assert [r[:3] for r in _judgements(path)] == [(first, "wrong", None)]

        second = int(browser.find_element(By.ID, "event").get_attribute("data-event"))
        assert second != first
        Select(browser.find_element(By.ID, "status")).select_by_visible_text("ended")
        browser.find_element(By.ID, "note").send_keys("terminated in 2026")
        browser.find_element(By.ID, "save-edit").click()
        WebDriverWait(browser, 30).until(expected_conditions.text_to_be_present_in_element(
            (By.ID, "done"), f"event {second}: corrected"))
        rows = _judgements(path)
        assert [r[:3] for r in rows] == [(first, "wrong", None), (second, "corrected", "ended")]
        assert rows[1][4] == "terminated in 2026"

        # the browser posts a verdict without the token: Datasette's CSRF check refuses it
        status = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/-/review/judge', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
            f" body: 'event_id={second}&verdict=correct'}}).then(r => done(r.status));")
        assert status == 403
        # a cross-site style POST (no cookie, no token) is refused as well
        assert httpx.post(f"{base}/-/review/judge", data={"event_id": str(second), "verdict": "correct"},
                          timeout=10).status_code == 403
        assert len(_judgements(path)) == 2

        browser.find_element(By.ID, "undo").click()
        WebDriverWait(browser, 30).until(expected_conditions.text_to_be_present_in_element((By.ID, "done"), "undone"))
        db = open_db(path, readonly=True)
        assert db.execute("SELECT verdict FROM events WHERE id = ?", (second,)).fetchone() == (None,)
        db.close()


def test_partnership_page_merges_in_chromium(tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    path = tmp_path / "pactwatch.db"
    db = open_db(path)
    build(db)
    korea, japan = (db.execute("SELECT id FROM partnerships WHERE participants = ?", (p,)).fetchone()[0]
                    for p in ("EU,KOR", "EU,JPN"))
    db.close()
    with running_server(path, tmp_path, "--review") as base:
        browser.get(f"{base}/-/review/partnership/{korea}")
        browser.find_element(By.NAME, "into").send_keys(str(japan))
        browser.find_element(By.CSS_SELECTOR, "#merge button").click()
        WebDriverWait(browser, 30).until(expected_conditions.text_to_be_present_in_element(
            (By.ID, "done"), f"merged into {japan}"))
        assert "Undo" in browser.page_source
    db = open_db(path, readonly=True)
    assert db.execute("SELECT kind, partnership_id, into_partnership_id FROM partnership_fixes").fetchall() \
        == [("merge", korea, japan)]
    assert db.execute("SELECT mentions FROM partnerships WHERE id = ?", (korea,)).fetchone() == (0,)
    db.close()
