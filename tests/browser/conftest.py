"""A real Streamlit server and Debian's Chromium driven by Playwright.

The server is started once per session from the repository root; the browser
is the system ``chromium`` (Playwright never downloads one here). Without
Chromium the browser tests are skipped with the reason; CI installs it.
Screenshots go to artifacts/screenshots/, or to ``$MASKAPP_SCREENSHOTS``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# benchmarks/ is on pytest's pythonpath (pyproject.toml): one server helper for all.
from streamlit_server import CHROMIUM_ARGS, StreamlitServer, chromium_path

ROOT = Path(__file__).resolve().parents[2]

SCREENSHOTS = Path(os.environ.get("MASKAPP_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")
TIMEOUT_MS = 60_000
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
#: What a phone's Chrome sends: the app sets its narrow-screen defaults on "Mobi".
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36"
)


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


def _new_page(browser, server: str, viewport: dict[str, int], **options):
    """A fresh browser context (own cookies, own Streamlit session) and its page."""
    context = browser.new_context(viewport=viewport, accept_downloads=True, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.base_url = server  # type: ignore[attr-defined]
    return context, page


@pytest.fixture
def page(browser, server):
    """A desktop-sized page (1400×900) in its own Streamlit session."""
    context, page = _new_page(browser, server, DESKTOP)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def phone(browser, server):
    """A phone's page (390×844 CSS px, a phone's User-Agent) in its own Streamlit session."""
    context, page = _new_page(browser, server, PHONE, user_agent=PHONE_AGENT)
    try:
        yield page
    finally:
        context.close()


# Streamlit scrolls its main area, not the document, so Playwright's full_page
# sees one screen: the viewport is made as tall as the content for the shot.
# (The sidebar counts only when it is open: collapsed, it is a 40 px column of tall text.)
_CONTENT_HEIGHT_JS = """() => Math.max(...[document.scrollingElement,
    document.querySelector('[data-testid="stMain"]'),
    document.querySelector('[data-testid="stSidebarContent"]')]
    .filter(e => e && e.getBoundingClientRect().width > 100).map(e => e.scrollHeight))"""
_TWO_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@pytest.fixture
def screenshot(request):
    """``screenshot("name", page)`` saves the whole page, every part scrolled into view."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, target=None) -> Path:
        target = target or request.getfixturevalue("page")
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        viewport = dict(target.viewport_size)
        height = target.evaluate(_CONTENT_HEIGHT_JS)
        target.set_viewport_size({**viewport, "height": max(viewport["height"], height)})
        try:
            target.evaluate(_TWO_FRAMES_JS)
            target.screenshot(path=str(path), full_page=True)
        finally:
            target.set_viewport_size(viewport)
        return path

    return take
