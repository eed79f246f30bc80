"""How fast the app answers in a real browser at 4096² (Playwright + Debian's Chromium).

    python benchmarks/bench_app_browser.py [--size 4096] [--repeat 3] [--port 0]

Starts ``streamlit run app.py`` headless from the repository root, generates a
blobby reference / candidate PNG pair (the candidate shifted, with a few 1-pixel
false-positive lines) plus a background photo of the same size, and measures:

(a) upload → numbers: from ``set_input_files`` of the candidate (the second
    file; the background and reference are already in) until the overlay image
    and the expected IoU are on the page and the script has finished;
(b) figure size: the ``spec`` of every Plotly chart the server sends over the
    websocket (decoded from Streamlit's protobuf frames), per view, and the
    largest websocket frame;
(c) opacity → redraw: from a click on a step of the overlay figure's own
    opacity slider until the overlay trace shows that opacity (the browser
    restyles it; the server is not asked).

Each repeat uses a fresh browser page and a new candidate (different lines), so
decoding and comparing are never answered from Streamlit's cache. Every wait
is on page state, never a sleep. Needs ``chromium`` on PATH (never runs
``playwright install``).
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from maskapp import compare

from streamlit_server import CHROMIUM_ARGS, MemorySampler, StreamlitServer, chromium_path

ROOT = Path(__file__).resolve().parents[1]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT_MS = 120_000
TARGETS = {"upload": 3.0, "figure_mb": 1.0, "slider": 0.5}
VIEWS = ["overlay", "side-by-side", "distances"]


# ---------------------------------------------------------------- inputs


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def blobby_pair(size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A blobby reference and a shifted candidate with a few 1-px FP lines."""
    rng = np.random.default_rng(0)
    small = ndimage.gaussian_filter(rng.random((256, 256)), 4)
    reference = ndimage.zoom(small, size / 256, order=1) > np.quantile(small, 0.7)
    candidate = np.roll(reference, (size // 100, -size // 120), axis=(0, 1))
    lines = np.random.default_rng(seed + 1)
    for _ in range(4):
        candidate[int(lines.integers(size)), :] = True
        candidate[:, int(lines.integers(size))] = True
    return reference, candidate


def background_photo(size: int) -> bytes:
    """A smooth grey 'photo' as JPEG, the way users add one."""
    r, c = np.mgrid[:size, :size].astype(np.float32) / size
    grey = (96 + 64 * np.sin(6 * r) * np.cos(5 * c)).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(grey).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


# ---------------------------------------------------------------- page helpers


class Frames:
    """Websocket frames received by one page: sizes and Plotly chart specs."""

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._parse = ForwardMsg.FromString
        self.sizes: list[int] = []
        self.charts: list[tuple[str, int]] = []  # (element id, spec bytes)
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framereceived", self._received)

    def _received(self, payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.sizes.append(len(data))
        try:
            msg = self._parse(data)
        except Exception:
            return
        if msg.WhichOneof("type") != "delta":
            return
        element = msg.delta.new_element
        if element.WhichOneof("type") == "plotly_chart":
            chart = element.plotly_chart
            self.charts.append((chart.id, len(chart.spec.encode())))

    def mark(self) -> int:
        return len(self.charts)

    def wait_chart(self, page, mark: int, timeout: float = TIMEOUT_MS / 1000) -> None:
        """Wait for a chart sent after ``mark``: the old view's chart stays on the
        page (stale) while a slow view computes, so waiting for the DOM is not enough."""
        deadline = time.monotonic() + timeout
        while len(self.charts) <= mark:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no chart arrived within {timeout:.0f} s")
            page.wait_for_timeout(100)  # lets Playwright deliver websocket events


def wait_idle(page) -> None:
    page.wait_for_selector(IDLE, state="attached")
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")


def upload(page, index: int, name: str, data: bytes, mime: str) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').nth(index).set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )


def iou_locator(page):
    return (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text="IoU")
        .locator('[data-testid="stMetricValue"]')
        .first
    )


# What the page shows of its Plotly images: each one's source and its opacity
# (an opacity change restyles the overlay without sending a new image).
IMAGES_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] image')]
    .map(i => (i.getAttribute('href') || '').length + ':' +
              (i.getAttribute('href') || '').slice(-64) + '@' +
              getComputedStyle(i.closest('g.trace') || i).opacity + '/' +
              (i.getAttribute('opacity') || '') + (i.style.opacity || '')).join('|')"""


# The overlay trace's <image> opacity (d3 binds each trace to its group).
OPACITY_JS = """() => {
  const plot = document.querySelector('.st-key-overlay_chart .js-plotly-plot');
  const g = plot && [...plot.querySelectorAll('g.imagelayer > g')]
    .find((g) => g.__data__?.[0]?.trace?.name === "overlay");
  return g ? g.querySelector("image").style.opacity : null;
}"""


def image_hrefs(page) -> str:
    return page.evaluate(IMAGES_JS)


def one_repeat(
    browser, url: str, size: int, seed: int, background: bytes, reference_png: bytes
) -> dict:
    from playwright.sync_api import expect

    reference, candidate = blobby_pair(size, seed)
    candidate_png = png_bytes(candidate.astype(np.uint8) * 255)
    expected = f"{compare(reference, candidate, distances=False, objects=False).overlap.iou:.4f}"

    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    frames = Frames(page)
    try:
        page.goto(url)
        page.wait_for_selector('[data-testid="stMetricValue"]')
        wait_idle(page)
        # Background first, then the reference (the page is then waiting for a
        # candidate of the same size: a size-mismatch message, no numbers).
        upload(page, 2, "photo.jpg", background, "image/jpeg")
        page.get_by_text("photo.jpg").first.wait_for()
        wait_idle(page)
        upload(page, 0, "reference.png", reference_png, "image/png")
        page.get_by_text("uploaded «reference.png»").wait_for()
        wait_idle(page)

        # (a) the second file → overlay image + IoU
        mark = frames.mark()
        start = time.perf_counter()
        upload(page, 1, f"candidate-{seed}.png", candidate_png, "image/png")
        expect(iou_locator(page)).to_have_text(expected)
        page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot image').first.wait_for(
            state="attached"
        )
        wait_idle(page)
        upload_s = time.perf_counter() - start
        charts = {"overlay": max((n for _, n in frames.charts[mark:]), default=0)}

        # (c) a click on a step of the overlay figure's own opacity slider → the overlay
        # trace redrawn at that opacity (in the browser: no rerun of the script)
        plot = page.locator(".st-key-overlay_chart .js-plotly-plot")
        rail = plot.locator(".slider-container .slider-rail-touch-rect")
        step = plot.locator(".slider-container .slider-label-group").filter(
            has_text=re.compile(r"^0\.2$")
        )
        rail.scroll_into_view_if_needed()
        r, label = rail.bounding_box(), step.bounding_box()
        start = time.perf_counter()
        page.mouse.click(label["x"] + label["width"] / 2, r["y"] + r["height"] / 2)
        page.wait_for_function(f"() => ({OPACITY_JS})() === '0.2'")
        slider_s = time.perf_counter() - start

        # (b) every other view's figures
        for view in VIEWS[1:]:
            mark = frames.mark()
            page.get_by_role("radiogroup", name="View").get_by_role("radio", name=view).click()
            frames.wait_chart(page, mark)
            wait_idle(page)
            charts[view] = max((n for _, n in frames.charts[mark:]), default=0)
        shot = ROOT / "artifacts" / "screenshots" / f"bench-{size}-{seed}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
        return {
            "upload_s": upload_s,
            "slider_s": slider_s,
            "charts": charts,
            "largest_frame": max(frames.sizes, default=0),
        }
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    chromium = chromium_path()
    if chromium is None:
        sys.exit("chromium is not on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    reference, _ = blobby_pair(args.size, 0)
    reference_png = png_bytes(reference.astype(np.uint8) * 255)
    background = background_photo(args.size)
    print(
        f"{args.size}² masks: reference PNG {len(reference_png) / 1e3:.0f} kB, "
        f"background JPEG {len(background) / 1e3:.0f} kB"
    )

    server = StreamlitServer(args.port).start()
    url = server.url
    runs = []
    peak = MemorySampler(server, interval=0.1)
    try:
        peak.start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                for i in range(args.repeat):
                    run = one_repeat(browser, url, args.size, i + 1, background, reference_png)
                    runs.append(run)
                    charts = ", ".join(f"{k} {v / 1e6:.3f} MB" for k, v in run["charts"].items())
                    print(
                        f"run {i + 1}: upload→numbers {run['upload_s']:.2f} s · "
                        f"opacity→redraw {run['slider_s']:.2f} s · {charts} · "
                        f"server {server.rss_mb():.0f} MB after, peak so far {peak.peak:.0f} MB"
                    )
            finally:
                browser.close()
    finally:
        peak.stop()
        server.stop()
        server.log_path.unlink(missing_ok=True)

    def row(name: str, values: list[float], unit: str, target: float) -> None:
        median = statistics.median(values)
        verdict = "ok" if median <= target else "OVER"
        print(
            f"{name:<34} {median:>9.3f} {max(values):>9.3f} {unit:<3} "
            f"{'≤ ' + format(target, 'g'):>7}  {verdict}"
        )

    print()
    print(
        f"{'measure (' + str(len(runs)) + ' runs)':<34} {'median':>9} {'worst':>9} "
        f"{'':<3} {'target':>7}"
    )
    row("(a) 2nd upload → overlay + IoU", [r["upload_s"] for r in runs], "s", TARGETS["upload"])
    for view in VIEWS:
        row(
            f"(b) {view} figure spec",
            [r["charts"][view] / 1e6 for r in runs],
            "MB",
            TARGETS["figure_mb"],
        )
    row(
        "(b) largest websocket frame",
        [r["largest_frame"] / 1e6 for r in runs],
        "MB",
        TARGETS["figure_mb"],
    )
    row("(c) opacity step → redrawn", [r["slider_s"] for r in runs], "s", TARGETS["slider"])
    print(
        f"server RSS: {peak.first:.0f} MB when healthy, peak {peak.peak:.0f} MB "
        f"(one session, every view at {args.size}²; Community Cloud's smallest host: 690 MB)"
    )


if __name__ == "__main__":
    main()
