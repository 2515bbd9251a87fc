"""The pages in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser), the web
app and the services it reads started once per module as processes, on the run's PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from devinfra.checkpoint_keys import dev_checkpoint_keys
from devinfra.paths import VAR_DIR
from devinfra.testkit import MARTIN, PSEUDONYM_TEST_SECRET, LocalSystem, headers_for, ok
from devinfra.web import web_environment
from kernel.clock import LOCAL_TIME_ZONE

CHROMIUM = Path("/usr/bin/chromium")
FRENCH = Path("/usr/lib/chromium/locales/fr.pak")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Kept after the run (var/ is git-ignored): what each page looked like when its test ran.
SCREENSHOTS = VAR_DIR / "test-artifacts" / "web"
SCREENSHOT_PATIENCE_MS = 120_000


@pytest.fixture(scope="module")
async def web_system(infrastructure, dev_keys, unique_name, tmp_path_factory) -> AsyncIterator[LocalSystem]:
    """The assessment and projections services and the web app, as `make up` runs them."""

    async def database(service: str) -> str:
        return await infrastructure.create_database(unique_name(f"web_{service}").replace("-", "_"))

    environment = {
        "ASSESSMENT_DATABASE_URL": await database("assessment"),
        "PROJECTIONS_DATABASE_URL": await database("projections"),
        "KAFKA_BOOTSTRAP_SERVERS": infrastructure.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": unique_name("web") + ".",
        "AUTH_JWKS_FILE": str(dev_keys.jwks_path),
        "PSEUDONYM_SECRET": PSEUDONYM_TEST_SECRET,
        "LOG_LEVEL": "INFO",  # the services' logs stay in the module's tmp folder, for post-mortems
        # Each service signs checkpoints of its log every second (ADR 27), which projections checks with the
        # public keys beside them for the auditor's verification report (ADR 30 addendum).
        **dev_checkpoint_keys(tmp_path_factory.mktemp("checkpoint-keys"), ["assessment", "projections"]),
        "CHECKPOINT_SECONDS": "1",
    }
    environment["PROJECTIONS_CHECKPOINT_PUBLIC_KEYS"] = str(
        Path(environment["ASSESSMENT_CHECKPOINT_KEY_FILE"]).parent
    )
    system = LocalSystem(tmp_path_factory.mktemp("web"), environment, ["assessment", "projections", "web"])
    apis = [system.services["assessment"], system.services["projections"]]
    system.environment.update(web_environment(apis, dev_keys.jwks_path.parent))
    system.environment["WEB_FILE_POLL_SECONDS"] = "0.5"  # a change shows within the test's patience
    await asyncio.to_thread(system.start, timeout=90)
    yield system
    await asyncio.to_thread(system.stop)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: apt-get install -y chromium (as .ci/run does)"
    assert FRENCH.exists(), "Chromium's French is missing: apt-get install -y chromium-l10n (as .ci/run does)"
    async with async_playwright() as playwright:
        # In French, as its users run it, so that the date fields read jj/mm/aaaa: a date field's format is the
        # browser's own language, not the page's `lang` nor the context's `locale` (which only sets
        # navigator.language, Intl and Accept-Language). Chromium on Linux takes it from LANGUAGE (--lang
        # counts on Windows only), and has it only with Debian's chromium-l10n (the bare package is en-US).
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), env={**os.environ, "LANGUAGE": "fr"}
        )
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh browser context (no cookie) per test, tablet-sized: the pages must work there too."""
    context = await browser.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768})
    page = await context.new_page()
    yield page
    await context.close()


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # A record, not an assertion: on two busy cores Chromium once took over Playwright's 30 s to paint a
    # long page (the CI run of 913ce34), so the picture waits longer than a check would.
    await page.screenshot(path=path, full_page=True, animations="disabled", timeout=SCREENSHOT_PATIENCE_MS)
    return path


async def serious_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it stands (injected from node_modules)."""
    assert AXE.exists(), f"{AXE} is missing: `make install` (npm ci) puts it there"
    await page.add_script_tag(path=AXE)
    violations = await page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))
        }))"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    return json.loads(json.dumps(serious))


async def log_in(page: Page, base_url: str, name: str, *, then: str = "/", organisation: str = "") -> None:
    """The local login as the demo identity `name` ("Camille Laurent", a CPIP), reached from `then` (a page
    that sends to the login and back); a partner's identity types its `organisation`."""
    await page.goto(base_url + then)
    await expect(page).to_have_url(re.compile(re.escape(base_url + "/connexion")))
    # The DSFR draws the radio button on its label, which is what a user clicks.
    await page.locator("label", has_text=name).click()
    if organisation:
        await page.get_by_role("textbox", name="Organisation partenaire").fill(organisation)
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page.get_by_test_id("utilisateur")).to_contain_text(name)


async def open_martins_case(web_system: LocalSystem, dev_keys, *, admitted_days_ago: int) -> dict:
    """Lucas Martin's case, opened by a DPIP on the assessment service, followed by cpip-1 (`subject_id`: the
    id the service made); the caller waits for what it needs the projections to show."""
    today = datetime.now(LOCAL_TIME_ZONE).date()
    async with httpx.AsyncClient(base_url=web_system.url("assessment")) as assessment:
        answer = await assessment.post(
            "/cases",
            headers=headers_for(dev_keys)("dpip"),
            json={
                "referent": "cpip-1",
                "establishment": "InSERRE Arras",
                "admission_date": str(today - timedelta(days=admitted_days_ago)),
                "identity": MARTIN,
                "sentence": {
                    "short_sentence": False,
                    "total_length_months": 30,
                    "offence_categories": ["theft"],
                    "expected_end_date": str(today + timedelta(days=700)),
                },
            },
        )
        return await ok(answer, 201)
