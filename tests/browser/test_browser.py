"""The app in a real browser: Playwright + Debian's Chromium + ``streamlit run``.

A handful of end-to-end checks of what AppTest cannot see: real file inputs,
drawing on the canvas, Plotly hover labels, downloads, share links and how a
hostile file name is rendered. Every wait is on state (the app's run state and
the expected element), never a sleep. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from maskapp import compare, confusion_map, read_mask

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "assets" / "cases.json").read_text())["cases"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
METRIC = '[data-testid="stMetric"]'
HOSTILE_NAME = "[x](javascript:alert(1))<b>.png"

# Masks the size of the default demo's background (other sizes hit an app bug
# pinned in tests/app: test_uploading_masks_of_another_size_than_the_demo_background_works).
COLS, ROWS = Image.open(ROOT / "assets" / CASES["typical"]["files"]["background"]).size


def disk(centre: tuple[float, float], radius: float) -> np.ndarray:
    r, c = np.mgrid[:ROWS, :COLS]
    return (r - centre[0]) ** 2 + (c - centre[1]) ** 2 <= radius**2


def png_bytes(mask: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(mask, dtype=np.uint8) * 255).save(buffer, "PNG")
    return buffer.getvalue()


REFERENCE_PNG = png_bytes(disk((0.45 * ROWS, 0.4 * COLS), 0.3 * ROWS))
CANDIDATE_PNG = png_bytes(disk((0.5 * ROWS, 0.48 * COLS), 0.28 * ROWS))


# ---------------------------------------------------------------- helpers


def wait_idle(page) -> None:
    """The script has finished its run and the "Running…" widget is gone."""
    page.wait_for_selector(IDLE, state="attached")
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")


HEADLINE = ["IoU", "Dice", "Precision", "Recall", "HD95"]


def open_app(page, query: str = ""):
    """Load the page and wait until all five headline cards are drawn.

    One card is not enough: Streamlit fills a fresh page element by element, and
    the run state can read "notRunning" before the first run has begun.
    """
    page.goto(f"{page.base_url}/{query}")
    page.wait_for_function(
        """([sel, labels]) => {
            const shown = [...document.querySelectorAll(sel)].map(
                m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim());
            return labels.every(l => shown.includes(l));
        }""",
        arg=[METRIC, HEADLINE],
    )
    wait_idle(page)
    return page


def metric_values(page) -> dict[str, str]:
    return page.evaluate(
        """(sel) => Object.fromEntries([...document.querySelectorAll(sel)].map(m => [
            m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
            m.querySelector('[data-testid="stMetricValue"]').innerText.trim()]))""",
        METRIC,
    )


def metric_value(page, label: str):
    """Locator of one metric card's value, found by its exact label."""
    card = page.locator(METRIC).filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}$"))
    )
    return card.locator('[data-testid="stMetricValue"]')


def wait_for_metric(page, label: str, text: str) -> None:
    from playwright.sync_api import expect

    expect(metric_value(page, label)).to_have_text(text)
    wait_idle(page)


def upload(page, index: int, name: str, data: bytes) -> None:
    """Upload through the real <input type=file> (0 reference, 1 candidate, 2 background)."""
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').nth(index).set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": data}]
    )


def overlay_plot(page):
    plot = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    plot.locator("image").first.wait_for(state="attached")
    return plot


def pixel_to_client(page, row: float, col: float) -> tuple[float, float]:
    """Viewport coordinates of a mask pixel centre on the first Plotly figure."""
    overlay_plot(page).scroll_into_view_if_needed()
    return tuple(
        page.evaluate(
            """([row, col]) => {
                const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
                const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
                const box = gd.getBoundingClientRect();
                return [box.left + xa._offset + xa.l2p(col), box.top + ya._offset + ya.l2p(row)];
            }""",
            [row, col],
        )
    )


def deepest(mask: np.ndarray) -> tuple[int, int]:
    """(row, col) of the pixel farthest inside a region, so hover blocks are pure."""
    distance = ndimage.distance_transform_edt(mask)
    return tuple(int(v) for v in np.unravel_index(np.argmax(distance), mask.shape))


def demo_masks(case: str = "typical") -> tuple[np.ndarray, np.ndarray]:
    files = CASES[case]["files"]
    return (
        read_mask(ROOT / "assets" / files["reference"]).array,
        read_mask(ROOT / "assets" / files["candidate"]).array,
    )


# ---------------------------------------------------------------- tests


def test_the_demo_renders_metrics_and_an_overlay_image(page, screenshot):
    open_app(page)
    values = metric_values(page)
    assert list(values)[:5] == ["IoU", "Dice", "Precision", "Recall", "HD95"], values
    reference, candidate = demo_masks()
    assert values["IoU"] == f"{compare(reference, candidate).overlap.iou:.4f}"
    plot = overlay_plot(page)
    href = plot.locator("image").first.get_attribute("href") or ""
    assert href.startswith("data:image/"), href[:40]
    plot.scroll_into_view_if_needed()
    wait_idle(page)
    screenshot("demo")


def test_uploading_two_pngs_shows_the_iou_of_the_core_package(page, screenshot):
    open_app(page)
    expected = compare(REFERENCE_PNG, CANDIDATE_PNG).overlap
    upload(page, 0, "ref.png", REFERENCE_PNG)
    page.get_by_text("uploaded «ref.png»").wait_for()
    wait_idle(page)
    upload(page, 1, "cand.png", CANDIDATE_PNG)
    page.get_by_text("uploaded «cand.png»").wait_for()
    wait_for_metric(page, "IoU", f"{expected.iou:.4f}")
    assert metric_values(page)["Precision"] == f"{expected.precision:.4f}"
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    screenshot("uploaded")


def test_drawing_a_rectangle_changes_the_numbers(page, screenshot):
    open_app(page)
    before = metric_values(page)["IoU"]
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Draw or edit a mask")
    expander.locator("summary").click()
    tool = expander.locator('[data-testid="stRadio"]').filter(has_text="erase rect")
    tool.get_by_text("rect", exact=True).click()
    wait_idle(page)
    canvas = expander.locator("canvas").first
    canvas.wait_for()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 160 and box["height"] > 160, box
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + 20)
    page.mouse.down()
    page.mouse.move(x + 150, y + 150, steps=8)
    page.mouse.up()

    from playwright.sync_api import expect

    expect(metric_value(page, "IoU")).not_to_have_text(before)
    wait_idle(page)
    assert metric_values(page)["IoU"] != before
    page.get_by_text("drawn here «drawing»").first.wait_for()
    screenshot("drawn")


def test_hovering_the_overlay_names_the_pixel_state(page, screenshot):
    open_app(page)
    reference, candidate = demo_masks()
    hover = page.locator('[data-testid="stPlotlyChart"] g.hovertext').first
    for state, region in (("TP", reference & candidate), ("FN", reference & ~candidate)):
        row, col = deepest(region)
        x, y = pixel_to_client(page, row, col)
        page.mouse.move(x - 3, y - 3)
        page.mouse.move(x, y, steps=3)
        hover.wait_for(state="attached")
        text = hover.text_content() or ""
        assert state in text, (state, row, col, text)
        assert "row" in text and "column" in text, text
        numbers = [int(v) for v in re.findall(r"(?:row|column) (\d+)", text)]
        assert abs(numbers[0] - row) <= 2 and abs(numbers[1] - col) <= 2, (text, row, col)
        if state == "TP":
            screenshot("hover-tp")
        page.mouse.move(5, 5)


def download(page, label: str, tmp_path: Path) -> tuple[str, bytes]:
    """Click a download button; (suggested file name, bytes served)."""
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text=label)
    button.scroll_into_view_if_needed()
    with page.expect_download() as info:
        # A button with help text holds a second <button> inside its tooltip.
        button.locator("button").first.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return info.value.suggested_filename, path.read_bytes()


def test_downloads_are_the_masks_results_at_full_size(page, tmp_path):
    open_app(page)
    reference, candidate = demo_masks()
    name, data = download(page, "Intersection PNG", tmp_path)
    assert name == "maskapp-intersection.png"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == (reference.shape[1], reference.shape[0])
        assert np.array_equal(np.asarray(image) != 0, reference & candidate)
    name, data = download(page, "Confusion map PNG", tmp_path)
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "P"
        assert np.array_equal(np.asarray(image), confusion_map(reference, candidate))
    name, data = download(page, "Statistics JSON", tmp_path)
    assert json.loads(data)["iou"] == pytest.approx(compare(reference, candidate).overlap.iou)


def test_a_share_link_reproduces_the_view(page, browser, screenshot):
    open_app(page, "?case=labels&view=classes&opacity=0.3")
    assert page.get_by_role("combobox", name="Demo case").input_value() == "labels"
    view = page.get_by_role("radiogroup", name="View").get_by_role("radio", checked=True)
    assert view.inner_text().strip() == "classes"
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    mean = page.get_by_text(re.compile(r"^Mean IoU \d\.\d{4}")).first
    mean_text = mean.inner_text()
    values = metric_values(page)
    code = page.locator('[data-testid="stCode"]').last.inner_text().strip()
    query = parse_qs(urlsplit(code).query)
    assert query.get("case") == ["labels"], code
    assert query.get("view") == ["classes"], code
    assert query.get("opacity") == ["0.3"], code
    screenshot("share-link")

    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    fresh.set_default_timeout(60_000)
    try:
        other = fresh.new_page()
        other.base_url = page.base_url
        open_app(other, "?" + urlsplit(code).query)
        other.locator('[data-testid="stDataFrame"]').first.wait_for()
        assert metric_values(other) == values
        assert other.get_by_text(re.compile(r"^Mean IoU \d\.\d{4}")).first.inner_text() == (
            mean_text
        )
    finally:
        fresh.close()


def test_a_hostile_file_name_is_shown_literally(page, screenshot):
    open_app(page)
    upload(page, 1, HOSTILE_NAME, b"<html><b>bold</b><a href='javascript:alert(2)'>x</a></html>")
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.wait_for()
    wait_idle(page)
    assert alert.count() == 1
    text = alert.inner_text()
    assert f"«{HOSTILE_NAME}»" in text, text
    assert alert.locator("a").count() == 0
    assert alert.locator("b").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    alert.scroll_into_view_if_needed()
    screenshot("hostile-name")
