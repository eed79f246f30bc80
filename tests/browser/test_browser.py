"""The app in a real browser: Playwright + Debian's Chromium + ``streamlit run``.

A handful of end-to-end checks of what AppTest cannot see: real file inputs,
drawing on the canvas, Plotly hover labels and the opacity slider inside the
overlay figure, downloads, share links, how a hostile file name is rendered,
and the page at phone width. Every wait is on state (the app's run state and
the expected element), never a sleep — except to show that something does
*not* happen (no rerun after an opacity step), which needs a bounded window.
Screenshots go to artifacts/screenshots/ (or ``$MASKAPP_SCREENSHOTS``).
"""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from browser_driving import IDLE, METRIC, metric_value, rerun, wait_idle, watch_run_state
from browser_driving import upload as upload_file
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from scipy import ndimage

from maskapp import compare, confusion_map, read_mask

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "assets" / "cases.json").read_text())["cases"]
ERROR = '[data-testid="stAlertContentError"]'
HOSTILE_NAME = "[x](javascript:alert(1))<b>.png"
HEADLINE = ["IoU", "Dice", "Precision", "Recall", "HD95"]
PHONE_WIDTH = 390
#: Sub-pixel rounding of a layout, in CSS px.
SLACK = 2

# Masks the size of the default demo's background photo: the overlay keeps the
# photo under them, and with it the opacity slider in the figure.
COLS, ROWS = Image.open(ROOT / "assets" / CASES["typical"]["files"]["background"]).size


def upload(page, index: int, name: str, data: bytes) -> None:
    upload_file(page, index, name, data, "image/png")


def disk(centre: tuple[float, float], radius: float) -> np.ndarray:
    r, c = np.mgrid[:ROWS, :COLS]
    return (r - centre[0]) ** 2 + (c - centre[1]) ** 2 <= radius**2


def png_bytes(mask: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(mask, dtype=np.uint8) * 255).save(buffer, "PNG")
    return buffer.getvalue()


REFERENCE_PNG = png_bytes(disk((0.45 * ROWS, 0.4 * COLS), 0.3 * ROWS))
CANDIDATE_PNG = png_bytes(disk((0.5 * ROWS, 0.48 * COLS), 0.28 * ROWS))
EMPTY_PNG = png_bytes(np.zeros((ROWS, COLS), bool))
HTML_PNG = b"<html><b>bold</b><a href='javascript:alert(2)'>x</a></html>"


# ---------------------------------------------------------------- helpers


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


def wait_for_metric(page, label: str, text: str) -> None:
    from playwright.sync_api import expect

    expect(metric_value(page, label)).to_have_text(text)
    wait_idle(page)


def headline_of(reference: bytes, candidate: bytes) -> dict[str, str]:
    """The five cards as the page must print them: maskapp.compare of the same bytes."""
    result = compare(reference, candidate)
    return {label: f"{getattr(result, label.lower()):.4f}" for label in HEADLINE}


def choose_view(page, view: str) -> None:
    """Click a view and wait for its run; the view must end up chosen.

    A click that lands while the previous view's large chart is still being laid out
    is sometimes lost by the browser (CI saw one in ~40 runs: no rerun ever started),
    so a click that starts no run within 20 s is made once more.
    """
    radio = page.get_by_role("radiogroup", name="View").get_by_role("radio", name=view, exact=True)
    for _ in range(2):
        if radio.is_checked():
            break
        watch_run_state(page)
        radio.click()
        try:
            page.wait_for_function(
                "() => window.__runStates.includes('notRunning')", timeout=20_000
            )
            break
        except PlaywrightTimeout:
            continue
    wait_idle(page)
    assert radio.is_checked(), view


def chart(page, key: str):
    """The Plotly figure of the chart drawn with ``key=`` (its container has ``st-key-<key>``)."""
    plot = page.locator(f".st-key-{key} .js-plotly-plot")
    plot.locator(".main-svg").first.wait_for(state="attached")
    return plot


def overlay_plot(page):
    plot = chart(page, "overlay_chart")
    plot.locator("image").first.wait_for(state="attached")
    return plot


def pixel_to_client(page, row: float, col: float) -> tuple[float, float]:
    """Viewport coordinates of a mask pixel centre on the overlay figure."""
    overlay_plot(page).scroll_into_view_if_needed()
    return tuple(
        page.evaluate(
            """([row, col]) => {
                const gd = document.querySelector('.st-key-overlay_chart .js-plotly-plot');
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


# -- the opacity slider inside the overlay figure

# The overlay trace's <image> (found by its trace name, which d3 binds to the
# trace's group) and the opacity Plotly gave it.
OVERLAY_OPACITY_JS = """() => {
    const gd = document.querySelector('.st-key-overlay_chart .js-plotly-plot');
    const group = gd && [...gd.querySelectorAll('g.imagelayer > g')]
        .find(g => g.__data__?.[0]?.trace?.name === 'overlay');
    return group ? group.querySelector('image').style.opacity : null;
}"""


def overlay_opacity(page) -> str | None:
    return page.evaluate(OVERLAY_OPACITY_JS)


def click_opacity_step(page, value: str) -> None:
    """Click the overlay figure's slider at the step labelled ``value``.

    Plotly listens on a transparent rectangle over the rail, so the click goes
    to the rail's height at the label's position.
    """
    plot = overlay_plot(page)
    rail = plot.locator(".slider-container .slider-rail-touch-rect")
    label = plot.locator(".slider-container .slider-label-group").filter(
        has_text=re.compile(f"^{re.escape(value)}$")
    )
    rail.scroll_into_view_if_needed()
    r, step = rail.bounding_box(), label.bounding_box()
    page.mouse.click(step["x"] + step["width"] / 2, r["y"] + r["height"] / 2)


def slider_caption(page) -> str:
    return overlay_plot(page).locator(".slider-container text.slider-label").first.text_content()


class Socket:
    """Every websocket message of a page, by type: BackMsgs the browser sent
    (a rerun request, a widget's value) and ForwardMsgs the server sent."""

    def __init__(self, page) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.sent: list[str] = []
        self.received: list[str] = []

        def kind(message, data) -> str:
            try:
                parsed = message.FromString(data if isinstance(data, bytes) else data.encode())
            except Exception:
                return "unparsed"
            return parsed.WhichOneof("type") or "empty"

        def attach(ws) -> None:
            ws.on("framesent", lambda data: self.sent.append(kind(BackMsg, data)))
            ws.on("framereceived", lambda data: self.received.append(kind(ForwardMsg, data)))

        page.on("websocket", attach)


def run_states(page) -> list[str]:
    return page.evaluate("() => window.__runStates")


# -- layout

# How far the document and the main area scroll sideways.
OVERFLOW_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return {viewport: window.innerWidth,
            document: document.scrollingElement.scrollWidth,
            main: main.scrollWidth, mainClient: main.clientWidth};
}"""

# Each chart whose toolbar (modebar) and legend boxes intersect.
MODEBAR_ON_LEGEND_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => {
    const bar = gd.querySelector('.modebar'), legend = gd.querySelector('.legend');
    if (!bar || !legend) return [];
    const a = bar.getBoundingClientRect(), b = legend.getBoundingClientRect();
    const hit = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const key = [...gd.closest('[class*="st-key-"]')?.classList || []]
        .find(c => c.startsWith('st-key-'));
    return hit ? [{chart: key, modebar: a.toJSON(), legend: b.toJSON()}] : [];
})"""


def sideways_overflow(page) -> dict | None:
    """The widths if the page or its main area scrolls sideways, else None."""
    widths = page.evaluate(OVERFLOW_JS)
    if (
        widths["document"] <= widths["viewport"] + SLACK
        and widths["main"] <= widths["mainClient"] + SLACK
    ):
        return None
    return widths


def chart_problems(page) -> list[str]:
    """Charts drawn empty or with their toolbar over their legend."""
    empty = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')]
            .filter(gd => !(gd._fullData || []).length || gd.getBoundingClientRect().height < 100)
            .map(gd => gd.closest('[class*="st-key-"]')?.className || 'a chart')"""
    )
    overlaps = page.evaluate(MODEBAR_ON_LEGEND_JS)
    return [f"empty chart: {e}" for e in empty] + [f"modebar over legend: {o}" for o in overlaps]


def select_row(page, table, row: int) -> None:
    """Tick a row of an ``st.dataframe`` (its selection column is at the left)."""
    table.wait_for()
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    header = row_height = 35  # Streamlit's default row height
    page.mouse.click(box["x"] + 12, box["y"] + header + row_height * (row + 0.5))


# -- drawing

DRAWING = '[data-testid="stExpander"]'


def open_drawing_panel(page):
    expander = page.locator(DRAWING).filter(has_text="Draw or edit a mask")
    rerun(page, expander.locator("summary").click)
    expander.locator("canvas.upper-canvas").wait_for()
    return expander


def set_toggle(page, label: str, on: bool) -> None:
    """Switch a toggle on or off (a click only if it is not so already)."""
    switch = page.get_by_role("switch", name=label)
    if switch.is_checked() != on:
        rerun(page, page.get_by_text(label, exact=True).click)
    assert switch.is_checked() == on


def phone_sized_canvas(page, expander):
    """The canvas with "Phone-sized canvas" on, once it is drawn at that size."""
    from playwright.sync_api import expect

    from maskapp.drawing import canvas_size
    from ui.drawing_panel import PHONE_WIDTH as CANVAS_WIDTH

    set_toggle(page, "Phone-sized canvas", True)
    canvas = expander.locator("canvas.upper-canvas")
    width, _ = canvas_size((ROWS, COLS), max_width=CANVAS_WIDTH)
    expect(canvas).to_have_attribute("width", str(width))
    canvas.evaluate("c => c.scrollIntoView({block: 'center'})")
    return canvas


def vertical_stroke(page, x: float, top: float, bottom: float) -> None:
    page.mouse.move(x, top)
    page.mouse.down()
    page.mouse.move(x, bottom, steps=10)
    page.mouse.up()


def canvas_at(canvas, x: float, y: float) -> bool:
    """Whether a pointer at (x, y) reaches this canvas (it lives in a shadow root)."""
    return canvas.evaluate("(c, [x, y]) => c.getRootNode().elementFromPoint(x, y) === c", [x, y])


# ---------------------------------------------------------------- desktop


def test_the_demo_renders_metrics_and_an_overlay_image(page, screenshot):
    open_app(page)
    values = metric_values(page)
    assert list(values)[:5] == HEADLINE, values
    reference, candidate = demo_masks()
    assert values["IoU"] == f"{compare(reference, candidate).overlap.iou:.4f}"
    plot = overlay_plot(page)
    href = plot.locator("image").first.get_attribute("href") or ""
    assert href.startswith("data:image/"), href[:40]
    # The opacity is a slider inside the figure now, at its default.
    assert page.get_by_role("slider", name=re.compile("opacity", re.I)).count() == 0
    assert overlay_opacity(page) == "0.6"
    assert slider_caption(page) == "Overlay opacity 0.6"
    assert chart_problems(page) == []
    plot.scroll_into_view_if_needed()
    wait_idle(page)
    screenshot("demo")


def test_an_opacity_step_in_the_figure_restyles_the_overlay_without_a_rerun(page, screenshot):
    socket = Socket(page)
    open_app(page, "?opacity=0.3")
    assert overlay_opacity(page) == "0.3"
    assert slider_caption(page) == "Overlay opacity 0.3"
    numbers = metric_values(page)
    href = overlay_plot(page).locator("image").nth(1).get_attribute("href")
    watch_run_state(page)
    sent, received = len(socket.sent), len(socket.received)

    click_opacity_step(page, "0.9")
    page.wait_for_function(f"() => ({OVERLAY_OPACITY_JS})() === '0.9'")
    # A widget change sends its rerun request at once; a second without any
    # message either way, and without a run-state change, is no rerun.
    page.wait_for_timeout(1000)
    assert socket.sent[sent:] == [], socket.sent[sent:]
    assert socket.received[received:] == [], socket.received[received:]
    assert run_states(page) == []
    assert page.locator(IDLE).count() == 1
    assert slider_caption(page) == "Overlay opacity 0.9"
    assert overlay_plot(page).locator("image").nth(1).get_attribute("href") == href
    assert metric_values(page) == numbers

    click_opacity_step(page, "0")
    page.wait_for_function(f"() => ({OVERLAY_OPACITY_JS})() === '0'")
    assert socket.sent[sent:] == [], socket.sent[sent:]
    screenshot("opacity-0")


def test_uploading_two_pngs_shows_the_numbers_of_the_core_package(page, screenshot):
    open_app(page)
    expected = headline_of(REFERENCE_PNG, CANDIDATE_PNG)
    upload(page, 0, "ref.png", REFERENCE_PNG)
    page.get_by_text("uploaded «ref.png»").wait_for()
    # An upload is never compared with a demo mask: the page asks for the other one.
    waiting = page.locator('[data-testid="stAlert"]').filter(
        has_text="Now upload the candidate (prediction) to compare with «ref.png»."
    )
    waiting.wait_for()
    wait_idle(page)
    assert page.locator(METRIC).count() == 0
    assert page.locator(ERROR).count() == 0
    screenshot("waiting")

    upload(page, 1, "cand.png", CANDIDATE_PNG)
    page.get_by_text("uploaded «cand.png»").wait_for()
    wait_for_metric(page, "IoU", expected["IoU"])
    assert metric_values(page) == expected
    assert waiting.count() == 0
    assert page.locator(ERROR).count() == 0
    screenshot("uploaded")

    # A bad file: one error that names it, and the good pair's numbers stay.
    upload(page, 0, "truncated.png", REFERENCE_PNG[: len(REFERENCE_PNG) // 2])
    alert = page.locator(ERROR)
    alert.wait_for()
    wait_idle(page)
    assert alert.count() == 1
    text = alert.inner_text()
    assert "«truncated.png»" in text and "the previous file is kept" in text, text
    assert metric_values(page) == expected
    assert page.get_by_text("uploaded «ref.png»").count() == 1
    screenshot("bad-file")


def test_drawing_a_rectangle_changes_the_numbers(page, screenshot):
    open_app(page)
    before = metric_values(page)["IoU"]
    expander = open_drawing_panel(page)
    tool = expander.locator('[data-testid="stRadio"]').filter(has_text="erase rect")
    rerun(page, tool.get_by_text("rect", exact=True).click)
    canvas = expander.locator("canvas.upper-canvas")
    canvas.evaluate("c => c.scrollIntoView({block: 'center'})")
    box = canvas.bounding_box()
    assert box and box["width"] > 160 and box["height"] > 160, box
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + 40)
    page.mouse.down()
    page.mouse.move(x + 150, y + 150, steps=8)
    page.mouse.up()

    from playwright.sync_api import expect

    expect(metric_value(page, "IoU")).not_to_have_text(before)
    wait_idle(page)
    assert metric_values(page)["IoU"] != before
    page.get_by_text("drawn here «drawing").first.wait_for()
    screenshot("drawn")


def test_hovering_the_overlay_names_the_pixel_state(page, screenshot):
    open_app(page)
    reference, candidate = demo_masks()
    hover = page.locator(".st-key-overlay_chart g.hovertext").first
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
    assert query.get("mode") == ["labels"], code
    assert query.get("view") == ["classes"], code
    assert query.get("opacity") == ["0.3"], code
    screenshot("share-link")

    fresh = browser.new_context(viewport=page.viewport_size)
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
        # The link's opacity is where the overlay's slider starts.
        choose_view(other, "overlay")
        overlay_plot(other)
        assert overlay_opacity(other) == "0.3"
        assert slider_caption(other) == "Overlay opacity 0.3"
    finally:
        fresh.close()


def test_a_hostile_file_name_is_shown_literally(page, screenshot):
    open_app(page)
    upload(page, 1, HOSTILE_NAME, HTML_PNG)
    alert = page.locator(ERROR)
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


def test_an_undefined_value_is_shown_in_full(page, screenshot):
    open_app(page)
    upload(page, 0, "ref.png", REFERENCE_PNG)
    page.get_by_text("Now upload the candidate").wait_for()
    wait_idle(page)
    upload(page, 1, "empty.png", EMPTY_PNG)
    wait_for_metric(page, "Precision", "undefined")
    assert metric_values(page)["HD95"] == "∞"
    metric_value(page, "Precision").scroll_into_view_if_needed()
    screenshot("undefined")
    cut = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].flatMap(m => {
            const value = m.querySelector('[data-testid="stMetricValue"]');
            return [value, ...value.querySelectorAll('*')]
                .filter(e => e.scrollWidth > e.clientWidth)
                .map(e => `${m.innerText.split('\\n')[0]}: ${e.scrollWidth} > ${e.clientWidth}`);
        })""",
        METRIC,
    )
    assert cut == []


# ---------------------------------------------------------------- phone width


def test_at_phone_width_no_view_scrolls_sideways_or_hides_a_legend(phone, screenshot):
    open_app(phone)
    problems = {}
    for view in ("overlay", "side-by-side", "distances", "classes", "objects", "table"):
        choose_view(phone, view)
        problems[view] = [sideways_overflow(phone), *chart_problems(phone)]
    open_drawing_panel(phone)
    problems["drawing panel"] = [sideways_overflow(phone)]
    screenshot("drawing-panel", phone)
    assert {view: p for view, p in problems.items() if any(p)} == {}


# The plotting areas of the side-by-side figure's three panels, in order.
PANELS_JS = """() => [...document.querySelectorAll(['xy', 'x2y2', 'x3y3'].map(
        p => `.st-key-side_chart g.draglayer > g.${p}`).join(', '))]
    .map(g => g.querySelector('.nsewdrag').getBoundingClientRect().toJSON())"""


def test_at_phone_width_side_by_side_stacks_its_three_panels(phone, screenshot):
    open_app(phone, "?view=side-by-side")
    chart(phone, "side_chart")
    # A phone gets them stacked by default.
    assert phone.get_by_role("switch", name="Panels one under another").is_checked()
    phone.wait_for_function(
        f"() => {{ const p = ({PANELS_JS})(); return p.length === 3 && p[1].top > p[0].bottom; }}"
    )
    panels = phone.evaluate(PANELS_JS)
    for upper, lower in itertools.pairwise(panels):
        assert lower["top"] >= upper["bottom"], panels
        assert abs(lower["left"] - upper["left"]) < 1 and abs(lower["width"] - upper["width"]) < 1
    assert all(p["left"] >= 0 and p["right"] <= PHONE_WIDTH for p in panels), panels
    assert sideways_overflow(phone) is None
    chart(phone, "side_chart").scroll_into_view_if_needed()
    screenshot("stacked", phone)

    set_toggle(phone, "Panels one under another", False)
    phone.wait_for_function(
        f"() => {{ const p = ({PANELS_JS})(); return p.length === 3 && p[1].top < p[0].bottom; }}"
    )
    beside = phone.evaluate(PANELS_JS)
    assert max(p["top"] for p in beside) - min(p["top"] for p in beside) < 1, beside
    assert panels[0]["width"] > 2 * beside[0]["width"], (beside, panels)


def test_at_phone_width_a_stroke_on_the_phone_sized_canvas_changes_the_numbers(phone, screenshot):
    open_app(phone)
    before = metric_values(phone)["IoU"]
    open_drawing_panel(phone)
    # A phone gets the phone-sized canvas by default.
    assert phone.get_by_role("switch", name="Phone-sized canvas").is_checked()
    canvas = phone_sized_canvas(phone, phone.locator(DRAWING).filter(has_text="Draw or edit"))
    box = canvas.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, box
    assert sideways_overflow(phone) is None
    # In the canvas's right tenth, below the canvas's own toolbar.
    x = box["x"] + 0.9 * box["width"]
    top, bottom = box["y"] + 0.35 * box["height"], box["y"] + 0.9 * box["height"]
    assert canvas_at(canvas, x, top)
    vertical_stroke(phone, x, top, bottom)

    from playwright.sync_api import expect

    expect(metric_value(phone, "IoU")).not_to_have_text(before)
    wait_idle(phone)
    phone.get_by_text("drawn here «drawing").first.wait_for()
    screenshot("drawn", phone)


def test_at_phone_width_a_stroke_at_the_canvas_right_edge_changes_the_numbers(phone):
    open_app(phone)
    before = metric_values(phone)["IoU"]
    canvas = phone_sized_canvas(phone, open_drawing_panel(phone))
    box = canvas.bounding_box()
    x = box["x"] + box["width"] - 8
    top, bottom = box["y"] + 0.35 * box["height"], box["y"] + 0.9 * box["height"]
    assert canvas_at(canvas, x, top), "the canvas's right edge is hidden"
    vertical_stroke(phone, x, top, bottom)

    from playwright.sync_api import expect

    expect(metric_value(phone, "IoU")).not_to_have_text(before)


# ---------------------------------------------------------------- every state, photographed


@pytest.mark.parametrize("device", ["page", "phone"], ids=["desktop", "phone"])
def test_every_state_renders_and_is_photographed(device, request, screenshot):
    """The demo's views, the labels case's classes, drawing, a bad file, a lone upload.

    The screenshots are for a person to look at; the checks are what a look
    would catch first: an exception, an empty chart, a toolbar over a legend.
    """
    page = request.getfixturevalue(device)
    problems: dict[str, list] = {}

    def shot(name: str, element=None) -> None:
        wait_idle(page)
        if page.locator('[data-testid="stException"]').count():
            problems.setdefault(name, []).append("exception")
        problems.setdefault(name, []).extend(chart_problems(page))
        if element is not None:
            element.scroll_into_view_if_needed()
        screenshot(name, page)

    open_app(page)
    shot("overlay", overlay_plot(page))
    choose_view(page, "side-by-side")
    set_toggle(page, "Panels one under another", device == "phone")
    shot("side-by-side", chart(page, "side_chart"))
    choose_view(page, "distances")
    shot("distances", chart(page, "distance_chart"))
    choose_view(page, "objects")
    select_row(page, page.locator('[data-testid="stDataFrame"]').first, 0)
    shot("objects", chart(page, "object_chart"))
    expander = open_drawing_panel(page)
    if device == "phone":
        phone_sized_canvas(page, expander)
    shot("drawing", expander)

    upload(page, 1, "not-a-mask.png", HTML_PNG)
    page.locator(ERROR).wait_for()
    shot("bad-upload", page.locator(ERROR))
    assert page.locator(ERROR).count() == 1
    rerun(page, page.get_by_role("button", name="Demo masks").click)
    assert page.locator(ERROR).count() == 0
    upload(page, 0, "ref.png", REFERENCE_PNG)
    waiting = page.get_by_text("Now upload the candidate (prediction) to compare with «ref.png».")
    waiting.wait_for()
    shot("waiting", waiting)

    open_app(page, "?case=labels&view=classes")
    select_row(page, page.locator('[data-testid="stDataFrame"]').first, 1)
    shot("classes", chart(page, "class_chart"))
    assert {name: p for name, p in problems.items() if p} == {}
