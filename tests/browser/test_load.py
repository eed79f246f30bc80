"""A bounded run of the load test in CI: several real browser sessions at once.

The full run (10 sessions for minutes, with memory figures) is
``python benchmarks/load_test.py``; this one checks the same contract on a
budget CI can afford: every session sees only its own numbers, bad files get
their one error, and the server logs no traceback. It runs in its own process:
the load test drives Playwright's async API, which cannot share a process with
the sync API of the other browser tests.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_sessions_see_only_their_own_numbers(chromium_path):
    command = [sys.executable, "benchmarks/load_test.py", "--sessions", "4", "--seconds", "45"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    report = run.stdout + run.stderr
    print(report)
    assert run.returncode == 0, report
    assert "RESULT: PASS" in report
    bad = re.search(r"bad-file uploads\s+(\d+)", report)
    assert bad and int(bad[1]) >= 1, report
