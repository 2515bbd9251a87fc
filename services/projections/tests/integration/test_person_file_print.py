"""The person file's print page (issue 14), served by the app and rendered by headless Chromium (Debian's
`chromium`, which `.ci/run` installs): the rendered page shows the person's name and their timeline. The
screenshot is kept in `var/artefacts/` for a human to look at."""

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devinfra.testkit import serving
from projections.bootstrap import create_app
from projections.person_file import ingest
from services.projections.tests.person_history import two_people

pytestmark = pytest.mark.integration

NOW = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)
ARTEFACTS = Path(__file__).resolve().parents[4] / "var" / "artefacts"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Debian's chromium is missing: .ci/run installs it (apt-get install chromium)")
    return found


async def headless(browser: str, *arguments: str) -> str:
    process = await asyncio.create_subprocess_exec(
        browser,
        "--headless",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--hide-scrollbars",
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode()


async def test_the_print_page_rendered_by_chromium_shows_the_name_and_the_timeline(
    views_settings, apply_all, infrastructure, dev_keys, tmp_path
):
    browser = chromium()
    await apply_all(ingest.apply, *two_people().envelopes)
    settings = views_settings
    token = dev_keys.mint("dpip", subject="dpip-1")
    async with serving(create_app(settings, clock=lambda: NOW)) as api:
        response = await api.get("/persons/person-1/file.html", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = tmp_path / "dossier.html"
    page.write_text(response.text, encoding="utf-8")

    dom = await headless(browser, "--dump-dom", page.as_uri())
    assert "LEFÈVRE" in dom.upper() and "A12345" in dom
    assert "Chronologie" in dom and "Agent de propreté" in dom  # the timeline names the training
    assert "Benali" not in dom  # the other participant of the group never appears

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTEFACTS / "person-file.png"
    await headless(browser, f"--screenshot={screenshot}", "--window-size=1240,1754", page.as_uri())
    assert screenshot.stat().st_size > 10_000  # a page was drawn, not a blank
