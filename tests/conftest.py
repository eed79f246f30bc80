"""Shared test configuration; the shared mask makers and encoders are in helpers.py."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A real browser and a Streamlit server take seconds to start: never in the fast loop.
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)
