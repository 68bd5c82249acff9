"""The workbench in a real browser: Playwright drives Debian's Chromium against a real
``paridad web`` process (no browser is downloaded; ``make test`` installs Chromium)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from paridad.exchange.pairing import free_port
from paridad.i18n import translate
from tests.workbench.conftest import Workbench, make_workbench

CHROMIUM = "/usr/bin/chromium"

if not Path(CHROMIUM).exists():
    if os.environ.get("PARIDAD_REQUIRE_SERVICES") == "1":
        pytest.fail(f"PARIDAD_REQUIRE_SERVICES=1 but {CHROMIUM} is missing", pytrace=False)
    pytest.skip(f"{CHROMIUM} not installed (make test installs it)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workbench, str]]:
    env = {k: v for k, v in os.environ.items() if k != "PARIDAD_DATABASE_URL"}
    workbench = make_workbench(tmp_path_factory.mktemp("web") / "node")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paridad",
            "web",
            "--node",
            str(workbench.node.path),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/login", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    pytest.fail(f"paridad web did not start: {err}")
                time.sleep(0.1)
        yield workbench, url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="es-MX")
    opened = context.new_page()
    yield opened
    context.close()


def test_an_analyst_session_in_the_browser(
    served: tuple[Workbench, str], page: Page, tmp_path: Path
) -> None:
    workbench, url = served
    page.goto(f"{url}/search?q=jose")
    expect(page).to_have_url(f"{url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "es")

    # A wrong password: the error, in Spanish.
    page.fill("#username", workbench.analyst)
    page.fill("#password", "not the password")
    page.click("#sign-in")
    expect(page.locator("#login-error")).to_have_text(
        translate("Wrong user name or password.", "es")
    )

    page.fill("#username", workbench.analyst)
    page.fill("#password", workbench.password)
    page.click("#sign-in")
    expect(page).to_have_url(f"{url}/search")

    # No accents, surname first: José is found; the H3 person is neither listed nor counted.
    page.fill("#q", "ramirez jose")
    page.click("#search")
    expect(page.locator(f'tr[data-id="{workbench.jose}"]')).to_contain_text(
        "José de la Cruz Ramírez"
    )
    expect(page.locator(f'tr[data-id="{workbench.jose}"]')).to_contain_text("Persona")
    page.fill("#q", "ramirez")
    page.click("#search")
    partner_row = page.locator(f'tr[data-id="{workbench.partner}"]')
    expect(partner_row.locator(".badge.partner")).to_be_visible()
    expect(page.locator(f'tr[data-id="{workbench.secret}"]')).to_have_count(0)
    expect(page.locator("#facet-country")).not_to_contain_text("3")
    page.screenshot(path=str(tmp_path / "search.png"))

    # The partner's record: its badge; the forbidden one: 403, in Spanish.
    page.click(f'tr[data-id="{workbench.partner}"] a')
    expect(page.locator("#partner-badge")).to_have_text(
        translate("Received from the partner", "es")
    )
    answer = page.goto(f"{url}/entity/{workbench.secret}")
    assert answer is not None and answer.status == 403
    expect(page.locator("#refusal")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Joselito")

    # English: the labels and the lang attribute change.
    page.goto(f"{url}/search?q=jose+ramirez")
    page.click("#lang-en")
    expect(page).to_have_url(f"{url}/search?q=jose+ramirez")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(f'tr[data-id="{workbench.jose}"]')).to_contain_text("Person")
    expect(page.locator("#hits thead")).to_contain_text("Handling code")
    expect(page.locator("#sign-out")).to_have_text("Sign out")

    page.click("#sign-out")
    expect(page).to_have_url(f"{url}/login")
    page.goto(f"{url}/search")
    expect(page).to_have_url(f"{url}/login")
