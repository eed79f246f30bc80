"""Driving a Streamlit page in Playwright: shared by every test in tests/browser.

Waits are on page state, never on sleeps: the app's run state, the status widget,
the metric cards by their exact label.
"""

from __future__ import annotations

import re

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
METRIC = '[data-testid="stMetric"]'
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'


def wait_idle(page) -> None:
    """The script has finished its run and the "Running…" widget is gone."""
    page.wait_for_selector(IDLE, state="attached")
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")


def watch_run_state(page) -> None:
    """From now on, record every change of the app's run state in the page."""
    page.evaluate(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            window.__runStates = [];
            new MutationObserver(() => window.__runStates.push(
                app.getAttribute('data-test-script-state'))
            ).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
        }"""
    )


def rerun(page, action) -> None:
    """Do ``action`` (a click) and wait until the run it starts has finished.

    Waiting for "notRunning" alone can pass before the run has begun.
    """
    watch_run_state(page)
    action()
    page.wait_for_function("() => window.__runStates.includes('notRunning')")
    wait_idle(page)


def metric_value(page, label: str):
    """Locator of one metric card's value, found by its exact label."""
    card = page.locator(METRIC).filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}$"))
    )
    return card.locator('[data-testid="stMetricValue"]')


def upload(page, index: int, name: str, data: bytes, mime: str) -> None:
    """Upload through the page's ``index``-th real <input type=file>."""
    page.locator(UPLOADER).nth(index).set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
