"""The package as a whole: its core never depends on the Streamlit shell."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import maskapp

ROOT = Path(maskapp.__file__).resolve().parents[1]

# Every module, found by walking the package (new modules and subpackages such as
# maskapp.figures.* are covered without editing this list); __main__ runs the CLI.
_IMPORT_ALL = """
import importlib, json, pkgutil, sys
import maskapp
names = [m.name for m in pkgutil.walk_packages(maskapp.__path__, "maskapp.")
         if m.name != "maskapp.__main__"]
for name in names:
    importlib.import_module(name)
shell = sorted(m for m in sys.modules if m.startswith("streamlit"))  # + drawable canvas
print(json.dumps({"modules": names, "streamlit": shell}))
"""


@pytest.mark.slow  # a fresh interpreter importing every module: ~2 s
def test_maskapp_and_every_submodule_import_without_streamlit():
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    # The walk really reached the modules (a broken walk would pass vacuously).
    assert {"maskapp.compare", "maskapp.io", "maskapp.report"} <= set(seen["modules"])
    assert seen["streamlit"] == [], f"imported by the core: {seen['streamlit']}"
