"""A real Streamlit server and Debian's Chromium driven by Playwright.

The server is started once per session from the repository root; the browser
is the system ``chromium`` (Playwright never downloads one here). Without
Chromium the browser tests are skipped with the reason; CI installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# benchmarks/ is on pytest's pythonpath (pyproject.toml): one server helper for all.
from streamlit_server import CHROMIUM_ARGS, StreamlitServer, chromium_path

ROOT = Path(__file__).resolve().parents[2]

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="session", name="chromium_path")
def chromium_path_fixture() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium); "
            "the real-browser tests need it"
        )
    return path


@pytest.fixture(scope="session")
def server(chromium_path, tmp_path_factory) -> Iterator[str]:
    """Base URL of a fresh ``streamlit run app.py``; stopped at the end of the session."""
    server = StreamlitServer(log_path=tmp_path_factory.mktemp("streamlit") / "server.log")
    with server:
        yield server.url


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser context (own cookies, own Streamlit session) per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.base_url = server  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def screenshot(page, request):
    """``screenshot("name")`` saves a full-page PNG under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
