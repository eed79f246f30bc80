"""The volume page in a real browser: two .nii.gz through the real file inputs, the slider,
the worst slice, a click on the Dice strip; screenshots at desktop and phone width.

Uses the server, browser, page, phone and screenshot fixtures of conftest.py.
"""

from __future__ import annotations

import gzip

import nibabel as nib
import numpy as np
import pytest
from browser_driving import metric_value, rerun, wait_idle
from browser_driving import upload as upload_file

from maskapp import compare

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLIDER = '.st-key-volume_slice input[type="range"]'


def upload(page, index: int, name: str, data: bytes) -> None:
    upload_file(page, index, name, data, "application/gzip")


def _volume(shift: int) -> bytes:
    """Two labels on 64×56×30 at 0.7×0.7×3 mm; ``shift`` moves label 1 along i and trims it."""
    array = np.zeros((64, 56, 30), np.uint8)
    i, j, k = np.ogrid[:64, :56, :30]
    array[((i - 30 - shift) / 18) ** 2 + ((j - 28) / 20) ** 2 + ((k - 15) / 10) ** 2 <= 1] = 1
    array[((i - 50) / 6) ** 2 + ((j - 20) / 7) ** 2 + ((k - 12) / 4) ** 2 <= 1] = 2
    if shift:
        array[:, :, 20:23][array[:, :, 20:23] == 1] = 0  # three slices missed
    image = nib.Nifti1Image(array, np.diag([0.7, 0.7, 3.0, 1.0]))
    return gzip.compress(image.to_bytes(), mtime=0)


REFERENCE, CANDIDATE = _volume(0), _volume(3)


def slider_value(page) -> int:
    return int(page.locator(SLIDER).input_value())


def open_and_upload(page) -> None:
    page.goto(f"{page.base_url}/volumes")
    page.get_by_role("heading", name="Compare two volumes").wait_for()
    metric_value(page, "Dice").wait_for()  # the demo case
    wait_idle(page)
    # Wait on what the page shows, not on a run starting: an upload's run can begin
    # before the run-state watcher of rerun() is in place (CI saw it on a phone).
    upload(page, 0, "reference.nii.gz", REFERENCE)
    page.get_by_text("reference.nii.gz").first.wait_for()
    wait_idle(page)
    upload(page, 1, "candidate.nii.gz", CANDIDATE)
    page.get_by_text("Compared on the grid 64×56×30 at 0.7×0.7×3 mm (RAS)").wait_for()
    wait_idle(page)


def test_two_volumes_the_slider_and_the_worst_slice(page, screenshot):
    from playwright.sync_api import expect

    open_and_upload(page)
    result = compare(REFERENCE, CANDIDATE, kind="labels", objects=False)
    expect(metric_value(page, "Dice")).to_have_text(f"{result.dice:.4f}")
    expect(metric_value(page, "HD95")).to_have_text(f"{result.hd95:.4f}")
    profile = result.slice_profile(0)
    worst = profile.worst()
    assert slider_value(page) == worst  # opens on the worst slice
    screenshot("uploaded", page)

    thumb = page.locator(SLIDER)
    thumb.focus()
    rerun(page, lambda: (thumb.press("Home"), [thumb.press("ArrowRight") for _ in range(15)]))
    assert slider_value(page) == 15
    page.locator(".st-key-volume_overlay .js-plotly-plot").wait_for()
    screenshot("slice-15", page)

    rerun(page, page.locator(".st-key-volume_worst button").click)
    assert slider_value(page) == worst

    # A click on the strip's bar of slice 10 shows slice 10.
    strip = page.locator(".st-key-volume_strip .nsewdrag").first
    strip.scroll_into_view_if_needed()
    box = strip.bounding_box()
    x = box["x"] + box["width"] * (10 + 0.5) / len(profile.dice)
    rerun(page, lambda: page.mouse.click(x, box["y"] + box["height"] * 0.6))
    assert slider_value(page) == 10

    rerun(page, page.locator(".st-key-volume_plane button", has_text="sagittal").click)
    assert int(page.locator(SLIDER).get_attribute("max")) == 63
    screenshot("sagittal", page)


def test_the_page_on_a_phone(phone, screenshot):
    open_and_upload(phone)
    phone.locator(".st-key-volume_overlay .js-plotly-plot").wait_for()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    screenshot("phone", phone)
