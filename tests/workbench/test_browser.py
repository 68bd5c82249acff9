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
from paridad.workbench.app import MESSAGES
from tests.conftest import entity
from tests.workbench.conftest import US_MARKINGS, Workbench, add_entities, make_workbench

CHROMIUM = "/usr/bin/chromium"
# Screenshots of each main page, kept after the run for people to look at.
SCREENSHOTS = Path(os.environ.get("PARIDAD_SCREENSHOTS", "build/screenshots"))

if not Path(CHROMIUM).exists():
    if os.environ.get("PARIDAD_REQUIRE_SERVICES") == "1":
        pytest.fail(f"PARIDAD_REQUIRE_SERVICES=1 but {CHROMIUM} is missing", pytrace=False)
    pytest.skip(f"{CHROMIUM} not installed (make test installs it)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workbench, str]]:
    env = {k: v for k, v in os.environ.items() if k != "PARIDAD_DATABASE_URL"}
    workbench = make_workbench(tmp_path_factory.mktemp("web") / "node")
    add_entities(
        workbench,
        "local",
        entity("mx-company-norte", "Company", name="Transportes del Norte"),
        entity(
            "mx-own-1",
            "Ownership",
            owner=workbench.jose,
            asset="mx-company-norte",
            startDate="2019-05-01",
        ),
        entity("mx-officer-1", "Person", name="Marta Solís Vega"),
        entity(
            "mx-director-1",
            "Directorship",
            director="mx-officer-1",
            organization="mx-company-norte",
            startDate="2021-02-01",
        ),
        entity("mx-gun-1", "Firearm", serialNumber="ABC123", make="Colt"),
        entity(
            "mx-rec-1",
            "FirearmRecovery",
            firearm="mx-gun-1",
            state="Sonora",
            municipality="Nogales",
            latitude="31.30",
            longitude="-110.94",
            date="2025-03-01",
        ),
        entity("us-acq-1", "FirearmAcquisition", US_MARKINGS, firearm="mx-gun-1", state="AZ"),
        entity("mx-trace-1", "FirearmTrace", recovery="mx-rec-1", acquisition="us-acq-1"),
    )
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
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="es-MX", accept_downloads=True, viewport={"width": 1280, "height": 1200}
    )
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


# English strings a Spanish page must not show: the workbench's own messages whose Spanish
# differs, long enough not to occur inside names by chance.
ENGLISH_ONLY = sorted(
    m for m in MESSAGES if "{" not in m and len(m) >= 8 and translate(m, "es") != m
)


def untranslated(page: Page) -> list[str]:
    text = page.locator("body").inner_text()
    return [m for m in ENGLISH_ONLY if m in text]


def sign_in(page: Page, url: str, workbench: Workbench) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", workbench.supervisor)
    page.fill("#password", workbench.password)
    page.click("#sign-in")
    expect(page).to_have_url(f"{url}/search")


def test_link_chart_expands_filters_pins_and_exports(
    served: tuple[Workbench, str], page: Page, tmp_path: Path
) -> None:
    workbench, url = served
    sign_in(page, url, workbench)
    page.goto(f"{url}/entity/{workbench.jose}")
    page.click("#chart-link")
    chart = page.locator("#chart")
    expect(chart).to_have_attribute("data-nodes", "3")  # José, his car, his company
    expect(page.locator("#chart-status")).to_have_text(
        translate("Double-click an entity to expand its links.", "es")
    )
    assert untranslated(page) == []
    # Expand the company: its director joins the chart.
    chart.scroll_into_view_if_needed()
    position = page.evaluate(
        "() => { const n = document.getElementById('chart').cytoscape.getElementById('mx-company-norte');"
        " return n.renderedPosition(); }"
    )
    box = chart.bounding_box()
    assert box is not None
    page.mouse.dblclick(box["x"] + position["x"], box["y"] + position["y"])
    expect(chart).to_have_attribute("data-nodes", "4")
    page.screenshot(path=str(SCREENSHOTS / "link-chart.png"), full_page=True)
    # Filter out directorships: the director is hidden, the rest stays.
    kinds = page.locator("#relationships input")
    expect(kinds).to_have_count(3)
    page.locator('#relationships input[data-kind="Directorship"]').uncheck()
    hidden = "() => document.getElementById('chart').cytoscape.nodes('.hidden').map(n => n.id())"
    assert page.evaluate(hidden) == ["mx-officer-1"]
    page.locator('#relationships input[data-kind="Directorship"]').check()
    # A date window before 2020 hides the 2021 directorship; undated links stay.
    page.fill("#date-to", "2020-01-01")
    page.dispatch_event("#date-to", "change")
    assert page.evaluate(hidden) == ["mx-officer-1"]
    page.fill("#date-to", "")
    page.dispatch_event("#date-to", "change")
    # Pin the company; exports download real files.
    page.evaluate(
        "() => document.getElementById('chart').cytoscape.getElementById('mx-company-norte').select()"
    )
    page.click("#pin")
    assert page.evaluate(
        "() => document.getElementById('chart').cytoscape.getElementById('mx-company-norte').locked()"
    )
    with page.expect_download() as png:
        page.click("#export-png")
    png_path = tmp_path / "chart.png"
    png.value.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as svg:
        page.click("#export-svg")
    svg_path = tmp_path / "chart.svg"
    svg.value.save_as(svg_path)
    text = svg_path.read_text(encoding="utf-8")
    assert "<svg" in text and "Transportes del Norte" in text


def test_border_map_draws_the_line_ports_and_the_node_data(
    served: tuple[Workbench, str], page: Page
) -> None:
    workbench, url = served
    sign_in(page, url, workbench)
    page.click("#map-link")
    expect(page).to_have_url(f"{url}/map")
    chart = page.locator("#map")
    expect(chart).to_have_attribute("data-ready", "true", timeout=20_000)
    assert chart.get_attribute("data-recoveries") == "1"
    assert chart.get_attribute("data-corridors") == "1"
    assert page.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane svg").count() > 0
    assert untranslated(page) == []
    page.screenshot(path=str(SCREENSHOTS / "map.png"), full_page=True)
    # In English, the same page's layer names.
    page.click("#lang-en")
    expect(page.locator("#map-layers")).to_contain_text("Ports of entry")
    expect(page.locator("#map")).to_have_attribute("data-ready", "true", timeout=20_000)


def test_each_main_page_is_in_spanish_and_has_a_screenshot(
    served: tuple[Workbench, str], page: Page
) -> None:
    workbench, url = served
    sign_in(page, url, workbench)
    pages = {
        "search": "/search?q=ramirez",
        "entity": f"/entity/{workbench.jose}",
        "timeline": f"/entity/{workbench.jose}/timeline",
        "inbox": "/inbox",
        "agreements": "/agreements",
        "audit": "/audit",
    }
    for name, path in pages.items():
        answer = page.goto(url + path)
        assert answer is not None and answer.status == 200, name
        assert untranslated(page) == [], name
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
