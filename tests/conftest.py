"""Shared test configuration; the shared mask makers and encoders are in helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent

#: Folders whose every test is slow, and the markers those tests carry: a real
#: browser and a Streamlit server take seconds to start, and every AppTest run
#: executes the whole app script (1–6 s each here).
ALWAYS_SLOW = {HERE / "app": {"slow"}, HERE / "browser": {"slow", "browser"}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser") is not None or HERE / "app" in item.path.parents:
            item.add_marker(pytest.mark.slow)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # With -m "not slow" these folders would be imported only to be deselected;
    # importing them (Streamlit, pandas, Playwright) costs the fast loop ~5 s.
    markers = ALWAYS_SLOW.get(collection_path)
    if markers is None or not config.getoption("markexpr"):
        return None
    try:
        from _pytest.mark.expression import Expression  # pytest has no public parser

        selected = Expression.compile(config.getoption("markexpr")).evaluate(
            lambda name, **_: name in markers
        )
    except Exception:  # a pytest without it: collect as usual
        return None
    return True if not selected else None
