"""Shared test configuration; the shared mask makers and encoders are in helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

APP_TESTS = Path(__file__).parent / "app"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Never in the fast loop (-m "not slow"): a real browser and a Streamlit server
    # take seconds to start, and every AppTest run executes the whole app script
    # (1–6 s each here).
    for item in items:
        if item.get_closest_marker("browser") is not None or APP_TESTS in item.path.parents:
            item.add_marker(pytest.mark.slow)
