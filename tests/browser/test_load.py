"""A bounded run of the load test in CI: several real browser sessions at once.

The full run (10 sessions for minutes, with memory figures) is
``python benchmarks/load_test.py``; this one checks the same contract on a
budget CI can afford: every session sees only its own numbers, bad files get
their one error, and the server logs no traceback.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def load_test_module():
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "benchmarks" / "load_test.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_concurrent_sessions_see_only_their_own_numbers(chromium_path):
    load_test = load_test_module()
    report = load_test.run_load(sessions=4, seconds=45, max_iterations=4)
    text = load_test.format_report(report)
    print(text)
    assert not report.failed, text
    assert report.uploads >= 8 and report.bad_uploads >= 1, text
