"""The dataset page in a real browser: zips through the real file inputs, Run, a row selected.

Uses the server, browser and screenshot fixtures of conftest.py. The worst
row of the table is selected with the mouse (AppTest cannot select rows) and
must land on the pair page showing that pair's IoU, as maskapp.compare gives it.
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pytest
from browser_driving import metric_value, rerun, wait_idle
from browser_driving import upload as upload_file
from PIL import Image

from maskapp import compare
from maskapp.batch import evaluate, open_files, pair_locations
from maskapp.pair import Options

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROWS, COLS = 120, 160


def upload(page, index: int, name: str, data: bytes) -> None:
    upload_file(page, index, name, data, "application/zip")


def png(mask: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(mask, dtype=np.uint8) * 255).save(buffer, "PNG")
    return buffer.getvalue()


def disk(centre_col: float, radius: float) -> np.ndarray:
    r, c = np.mgrid[:ROWS, :COLS]
    return (r - ROWS / 2) ** 2 + (c - centre_col) ** 2 <= radius**2


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# Eight cases whose candidates drift further and further off; one candidate without a reference.
REFERENCES = zipped({f"scan_{i:02}.png": png(disk(80, 30 + i)) for i in range(8)})
CANDIDATES = zipped(
    {f"scan_{i:02}.png": png(disk(80 + 4 * i, 30)) for i in range(9)}
    | {"__MACOSX/._scan_00.png": b"junk"}
)


def load_and_run(page) -> None:
    """Open the dataset page, upload both zips, see the pairing, press Run, see the summary."""

    page.goto(f"{page.base_url}/dataset")
    page.get_by_text("Upload the references zip to begin.").wait_for()
    wait_idle(page)
    upload(page, 0, "refs.zip", REFERENCES)
    page.get_by_text("Now upload the candidates zip").wait_for()
    upload(page, 1, "preds.zip", CANDIDATES)
    # Cards on a desktop, one line of counts on a phone; the sentence on both.
    page.get_by_text("8 pairs matched; 1 candidate has no reference").wait_for()
    wait_idle(page)
    rerun(page, page.get_by_role("button", name="Run on 8 cases").click)
    metric_value(page, "IoU").wait_for()


def expected():
    pairing = pair_locations(open_files(REFERENCES), open_files(CANDIDATES))
    return evaluate(pairing, Options(), workers=0)


def test_a_dataset_runs_and_its_worst_case_opens_on_the_pair_page(page, screenshot):
    from playwright.sync_api import expect

    load_and_run(page)
    expect(metric_value(page, "Matched")).to_have_text("8")
    expect(metric_value(page, "No reference")).to_have_text("1")
    result = expected()
    expect(metric_value(page, "IoU")).to_have_text(f"{result.summary['iou'].mean:.4f}")
    expect(metric_value(page, "HD95")).to_have_text(f"{result.summary['hd95'].mean:.4f}")
    page.get_by_text("8 of 8 defined · 0 infinite · 0 failed").first.wait_for()
    screenshot("summary", page)

    table = page.locator(".st-key-batch_cases_0_0 [data-testid='stDataFrame']")
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    # The first row is the worst; its selection box sits at the row's left edge.
    rerun(page, lambda: page.mouse.click(box["x"] + 12, box["y"] + 35 * 1.5))
    page.get_by_role("heading", name="Compare two segmentation masks").wait_for()
    worst = result.cases[0]
    assert worst.name == "scan_07"
    pair = compare(
        open_files(REFERENCES).read(worst.reference), open_files(CANDIDATES).read(worst.candidate)
    )
    expect(metric_value(page, "IoU")).to_have_text(f"{pair.overlap.iou:.4f}")
    wait_idle(page)
    screenshot("pair-page", page)

    # Back through the sidebar's navigation: the same results, without running again.
    rerun(page, page.get_by_role("link", name=re.compile("Evaluate a dataset")).click)
    expect(metric_value(page, "IoU")).to_have_text(f"{result.summary['iou'].mean:.4f}")
    assert page.get_by_text("from an earlier run").count() == 0


def test_the_dataset_page_at_phone_width(phone, screenshot):
    load_and_run(phone)
    widths = phone.evaluate(
        """() => ({viewport: window.innerWidth,
                   document: document.scrollingElement.scrollWidth})"""
    )
    assert widths["document"] <= widths["viewport"] + 2, widths
    screenshot("phone", phone)


def test_two_models_side_by_side(page, screenshot):
    from playwright.sync_api import expect

    load_and_run(page)
    other = zipped({f"scan_{i:02}.png": png(disk(80 + 2 * i, 31)) for i in range(8)})
    upload(page, 2, "other.zip", other)
    expect(page.get_by_text("from an earlier run")).to_be_visible()
    wait_idle(page)
    rerun(page, page.get_by_role("button", name="Run on 8 cases").click)
    page.get_by_role("heading", name="Two models").wait_for()
    assert page.get_by_text("from an earlier run").count() == 0
    wait_idle(page)
    screenshot("two-models", page)
