"""The sandbox page in a real headless Chromium: a report's whole journey, driven as a person would.

Debian's chromium and chromium-driver drive it (the driver matches the browser by construction;
nothing is downloaded). Without them the test is skipped, except under CI=true, where it fails.
REPORT_DESK_SCREENSHOT=path saves the final screenshot there too (the README's picture is made
so); it is always saved in the test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox.sandbox_process import SandboxProcess, running_sandbox

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Root needs --no-sandbox; the rest keeps Chromium from reaching for a network it does not have.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,860",
)
# Ceilings, not pauses: each wait ends as soon as its condition holds.
WAIT_SECONDS = 90.0

AYU, MAYA = ("7101", "Ayu Lestari"), ("7201", "Maya Putri")


def _browser_missing() -> str | None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
    if missing:
        return f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    return None


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    problem = _browser_missing()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    with running_sandbox(tmp_path) as running:
        yield running


class Page:
    """The sandbox page in the browser, read and used the way a person would."""

    def __init__(self, driver: Any, artifacts: Path) -> None:
        self.driver = driver
        self.artifacts = artifacts

    def until(self, condition: Callable[[], Any], what: str) -> Any:
        """Wait for a condition; a node replaced while it is read counts as "not yet". On a
        timeout the page's screenshot and text are kept beside the test's other files."""
        from selenium.common.exceptions import (
            ElementClickInterceptedException,
            NoSuchElementException,
            StaleElementReferenceException,
            TimeoutException,
        )
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        waiting = WebDriverWait(
            self.driver,
            WAIT_SECONDS,
            poll_frequency=0.2,
            ignored_exceptions=(
                NoSuchElementException,
                StaleElementReferenceException,
                ElementClickInterceptedException,
            ),
        )
        try:
            return waiting.until(lambda _: condition(), message=f"waiting for {what}")
        except TimeoutException:
            self.driver.save_screenshot(str(self.artifacts / "failure.png"))
            text = self.driver.find_element(By.TAG_NAME, "body").text
            (self.artifacts / "failure.txt").write_text(text, "utf-8")
            raise

    def messages(self, pane: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, f"#{pane}-messages .msg"))

    def message_with(self, pane: str, text: str) -> Any:
        found = [m for m in self.messages(pane) if text in m.text]
        return found[-1] if found else None

    def press(self, pane: str, message_text: str, label: str) -> bool:
        """Press the button whose label contains ``label`` on the last message containing
        ``message_text`` that has one; False while there is no such button yet."""
        from selenium.webdriver.common.by import By

        for message in reversed(self.messages(pane)):
            if message_text not in message.text:
                continue
            for button in message.find_elements(By.CSS_SELECTOR, ".keyboard button"):
                if label in button.text and button.is_enabled():
                    button.click()
                    return True
        return False

    def be(self, who: tuple[str, str]) -> None:
        """Switch who the page acts as (a persona's id and name)."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        user_id, name = who
        Select(self.driver.find_element(By.ID, "who")).select_by_value(user_id)
        self.until(
            lambda: name in self.driver.find_element(By.ID, "private-sub").text,
            f"the page to act as {name}",
        )


def test_a_report_from_forward_to_outcome_in_the_browser(
    browser: Any, sandbox: SandboxProcess, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = Page(browser, tmp_path)
    browser.get(sandbox.url)
    page.until(lambda: browser.find_element(By.ID, "link").text == "live", "the live stream")
    page.be(AYU)
    page.until(lambda: page.message_with("private", "Hello Ayu Lestari"), "the welcome")

    # The reporter forwards a sample channel post and reports it.
    browser.find_element(By.ID, "forward").click()
    browser.find_element(By.CSS_SELECTOR, '#sample-list [data-sample="channel-post"]').click()
    page.until(
        lambda: page.message_with("private", "Forwarded from Kabar Bebas"),
        "the forwarded post in the reporter's chat",
    )
    box = browser.find_element(By.CSS_SELECTOR, "#private-composer textarea")
    box.send_keys("/report terrorism")
    box.send_keys(Keys.ENTER)
    page.until(lambda: page.message_with("private", "Received as case #1"), "the ack")

    # A moderator claims the case and takes the content down with a reason, on the card.
    page.be(MAYA)
    card = "#1 · 🔴 P1 · Terrorism"
    page.until(lambda: page.press("shared", card, "Claim"), "the card's Claim button")
    page.until(lambda: page.message_with("shared", "claimed by Maya Putri"), "the claimed card")
    page.until(lambda: page.press("shared", card, "Take down"), "the Take down button")
    page.until(
        lambda: page.press("shared", card, "terrorist propaganda"),
        "the reason buttons on the card",
    )
    page.until(lambda: page.message_with("shared", "taken down by Maya Putri"), "the decision")

    # The reporter is told the outcome, never who decided.
    page.be(AYU)
    outcome = page.until(
        lambda: page.message_with("private", "Case #1 is decided"),
        "the outcome in the reporter's chat",
    )
    assert "taken down" in outcome.text
    assert "Maya" not in outcome.text

    # The picture: the reporter's chat beside the group, as the journey left them.
    page.until(lambda: not browser.find_elements(By.CSS_SELECTOR, ".toast"), "no toasts")
    shot = tmp_path / "sandbox.png"
    assert browser.save_screenshot(str(shot))
    wanted = os.environ.get("REPORT_DESK_SCREENSHOT")
    if wanted:
        shutil.copyfile(shot, wanted)

    # The bot's formatting is drawn from its entities; what anyone types stays text.
    bold = browser.find_elements(By.CSS_SELECTOR, "#private-messages .body b")
    assert "#1" in [b.text for b in bold]
    hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    box = browser.find_element(By.CSS_SELECTOR, "#private-composer textarea")
    box.send_keys(hostile)
    box.send_keys(Keys.ENTER)
    page.until(lambda: page.message_with("private", "onerror="), "the typed markup, as text")
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_elements(By.CSS_SELECTOR, ".messages script, .messages img[src='x']") == []

    # At a phone's width one chat shows at a time, a switcher between them, nothing wider
    # than the screen.
    browser.set_window_size(390, 844)
    switcher = browser.find_element(By.CSS_SELECTOR, ".switcher")
    private, shared = (browser.find_element(By.ID, pane) for pane in ("private", "shared"))
    page.until(lambda: switcher.is_displayed(), "the chat switcher at a phone's width")
    assert private.is_displayed() and not shared.is_displayed()
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )
    browser.find_element(By.CSS_SELECTOR, '.switcher button[data-pane="shared"]').click()
    page.until(lambda: shared.is_displayed() and not private.is_displayed(), "the group shown")
    assert page.message_with("shared", "taken down by Maya Putri").is_displayed()
