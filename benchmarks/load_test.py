"""Load test: N concurrent browser sessions against ONE Streamlit server.

    python benchmarks/load_test.py [--sessions 10] [--seconds 180] [--max-iterations 1000]

Starts ``streamlit run app.py`` on a free port of 127.0.0.1, launches Debian's
Chromium once (headless) and drives N browser contexts concurrently with
Playwright's async API. Every session loops for ``--seconds``:

1. open the app and wait for the demo numbers;
2. upload its own reference PNG: the page must show no numbers and one
   "Now upload the candidate … «that file»" (an upload is never compared with a
   demo mask); upload its own candidate PNG, wait for IoU/Dice/Precision/Recall of
   the pair. Every pair is generated here, distinct across all sessions and
   iterations, and its expected numbers are computed with numpy;
3. every 3rd iteration upload a bad file (zero bytes, HTML named ``.png``, a
   truncated PNG) to one slot: exactly one error alert must name it while the
   numbers of the good pair stay; on the other iterations click a step of the
   opacity slider inside the overlay figure (the overlay's opacity must change
   with no script rerun: no message from the browser, no run-state change) or
   switch the view, and the numbers must stay.

While a step waits, every IoU the page shows is recorded: a value that is neither
the session's previous nor its expected one counts as a wrong number (a session
showing another session's result is reported as such). The server's RSS
(including children) is sampled every second. Exits non-zero on any wrong
number, timeout, page error or server traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from streamlit_server import CHROMIUM_ARGS, MemorySampler, StreamlitServer, chromium_path

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CASES = json.loads((ROOT / "assets" / "cases.json").read_text())["cases"]
DEMO_FILES = CASES["typical"]["files"]
LABELS = ("IoU", "Dice", "Precision", "Recall")
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'
VIEW_STEPS = ("side-by-side", "table", "distances")
#: Steps of the overlay figure's opacity slider clicked in turn (it starts at 0.6).
OPACITY_STEPS = ("0.9", "0.2")
#: How long a session watches for a rerun after an opacity step: a widget change
#: sends its rerun request at once, so a quiet half second means none.
QUIET_S = 0.5

# One snapshot of the page: script state, headline metrics by label, alerts, share link.
READ_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const metrics = {};
  for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
    const label = m.querySelector('[data-testid="stMetricLabel"]');
    const value = m.querySelector('[data-testid="stMetricValue"]');
    if (label && value) metrics[label.innerText.trim()] = value.innerText.trim();
  }
  const alerts = [...document.querySelectorAll('[data-testid="stAlert"]')].map((a) => ({
    error: !!a.querySelector('[data-testid="stAlertContentError"]'),
    text: a.innerText.trim(),
  }));
  const code = [...document.querySelectorAll('[data-testid="stCode"]')]
    .map((c) => c.innerText).join("\\n");
  // The overlay trace's <image> (d3 binds each trace to its group) and its opacity.
  const plot = document.querySelector('.st-key-overlay_chart .js-plotly-plot');
  const overlay = plot && [...plot.querySelectorAll('g.imagelayer > g')]
    .find((g) => g.__data__?.[0]?.trace?.name === "overlay");
  return {
    state: app ? app.getAttribute("data-test-script-state") : null,
    metrics,
    alerts,
    code,
    opacity: overlay ? overlay.querySelector("image").style.opacity : null,
    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
  };
}
"""

# Polled in the page: records every IoU shown, true once the wanted state is reached.
WAIT_JS = (
    """
(arg) => {
  const s = ("""
    + READ_JS
    + """)();
  window.__maskappSeen = window.__maskappSeen || [];
  const iou = s.metrics["IoU"];
  if (iou !== undefined && !window.__maskappSeen.includes(iou)) window.__maskappSeen.push(iou);
  if (s.state !== "notRunning" || s.exceptions) return false;
  for (const [k, v] of Object.entries(arg.want)) if (s.metrics[k] !== v) return false;
  if (arg.noNumbers && Object.keys(s.metrics).length) return false;
  if (s.alerts.length !== arg.alerts) return false;
  if (arg.alertText !== null) {
    const a = s.alerts[0];
    if (a.error !== arg.error || !a.text.includes(arg.alertText)) return false;
  }
  if (arg.codeHas !== null && !s.code.includes(arg.codeHas)) return false;
  if (arg.opacity !== null && s.opacity !== arg.opacity) return false;
  return true;
}
"""
)


# ---------------------------------------------------------------- expected numbers


def numbers(a: np.ndarray, b: np.ndarray) -> dict[str, str]:
    """IoU, Dice, precision (|A∩B|/|B|) and recall (|A∩B|/|A|) as the app prints them."""
    tp = int(np.count_nonzero(a & b))
    fp = int(np.count_nonzero(~a & b))
    fn = int(np.count_nonzero(a & ~b))
    values = {
        "IoU": tp / (tp + fp + fn),
        "Dice": 2 * tp / (2 * tp + fp + fn),
        "Precision": tp / (tp + fp),
        "Recall": tp / (tp + fn),
    }
    return {k: f"{v:.4f}" for k, v in values.items()}


def near_rounding_edge(a: np.ndarray, b: np.ndarray) -> bool:
    """True if a value is within 1e-9 of a 4-decimal rounding boundary (ambiguous text)."""
    tp = int(np.count_nonzero(a & b))
    fp = int(np.count_nonzero(~a & b))
    fn = int(np.count_nonzero(a & ~b))
    for v in (tp / (tp + fp + fn), 2 * tp / (2 * tp + fp + fn), tp / (tp + fp), tp / (tp + fn)):
        frac = (v * 1e4) % 1.0
        if abs(frac - 0.5) < 1e-6:
            return True
    return False


def png_bytes(mask: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8) * 255).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Pair:
    session: int
    iteration: int
    reference_png: bytes
    candidate_png: bytes
    with_demo: dict[str, str]  # (this reference, demo candidate): must never be shown
    final: dict[str, str]  # (this reference, this candidate)

    @property
    def tag(self) -> str:
        return f"s{self.session:02d}-i{self.iteration:04d}"


class Plan:
    """Generates every session's pairs; all IoU texts are distinct across the run."""

    def __init__(self, seed: int = 20261125) -> None:
        from maskapp import read_mask

        self.demo_reference = read_mask(ROOT / "assets" / DEMO_FILES["reference"]).array != 0
        self.demo_candidate = read_mask(ROOT / "assets" / DEMO_FILES["candidate"]).array != 0
        self.demo = numbers(self.demo_reference, self.demo_candidate)
        self.shape = self.demo_candidate.shape
        self.owner: dict[str, str] = {self.demo["IoU"]: "the demo"}
        self.seed = seed
        rows, cols = self.shape
        self._rr, self._cc = np.mgrid[:rows, :cols]

    def _blob(self, rng: np.random.Generator) -> tuple[np.ndarray, tuple[float, float, float]]:
        rows, cols = self.shape
        cy, cx = rng.uniform(0.3, 0.7) * rows, rng.uniform(0.3, 0.7) * cols
        radius = rng.uniform(0.12, 0.3) * rows
        disk = (self._rr - cy) ** 2 + (self._cc - cx) ** 2 <= radius**2
        y0, x0 = int(rng.integers(0, rows // 2)), int(rng.integers(0, cols // 2))
        h, w = int(rng.integers(8, rows // 4)), int(rng.integers(8, cols // 4))
        disk[y0 : y0 + h, x0 : x0 + w] = True
        return disk, (cy, cx, radius)

    def pair(self, session: int, iteration: int) -> Pair:
        rng = np.random.default_rng([self.seed, session, iteration])
        while True:
            reference, (cy, cx, radius) = self._blob(rng)
            dy, dx = rng.integers(-30, 31, size=2)
            r2 = radius * rng.uniform(0.75, 1.25)
            candidate = (self._rr - cy - dy) ** 2 + (self._cc - cx - dx) ** 2 <= r2**2
            if rng.random() < 0.5:  # a small false-positive island
                y, x = int(rng.integers(0, self.shape[0] - 12)), int(rng.integers(0, 40))
                candidate[y : y + 10, x : x + 10] = True
            # Never shown (an upload is not compared with a demo mask), but owned, so a
            # page that did compare them is reported as such.
            inter = numbers(reference, self.demo_candidate)
            final = numbers(reference, candidate)
            if (
                inter["IoU"] in self.owner
                or final["IoU"] in self.owner
                or inter["IoU"] == final["IoU"]
                or near_rounding_edge(reference, self.demo_candidate)
                or near_rounding_edge(reference, candidate)
            ):
                continue
            tag = f"session {session} iteration {iteration}"
            self.owner[inter["IoU"]] = tag + " (its reference with the demo candidate)"
            self.owner[final["IoU"]] = tag
            return Pair(
                session, iteration, png_bytes(reference), png_bytes(candidate), inter, final
            )


def bad_file(kind: str, pair: Pair) -> tuple[str, bytes]:
    if kind == "empty":
        return f"empty-{pair.tag}.png", b""
    if kind == "html":
        return f"html-{pair.tag}.png", b"<!doctype html><html><body><h1>hi</h1></body></html>"
    data = pair.reference_png
    return f"truncated-{pair.tag}.png", data[: max(60, int(len(data) * 0.6))]


# ---------------------------------------------------------------- sessions


@dataclass
class Report:
    sessions: int
    seconds: float
    iterations: int = 0
    uploads: int = 0
    bad_uploads: int = 0
    opacity_steps: int = 0
    view_changes: int = 0
    page_loads: int = 0
    errors: list[dict] = field(default_factory=list)
    upload_times: list[float] = field(default_factory=list)
    bad_times: list[float] = field(default_factory=list)
    opacity_times: list[float] = field(default_factory=list)
    view_times: list[float] = field(default_factory=list)
    load_times: list[float] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    memory: list[tuple[float, float]] = field(default_factory=list)  # (s since load start, MB)
    mem_cold: float = 0.0
    mem_start: float = 0.0
    mem_peak: float = 0.0
    mem_end: float = 0.0
    mem_middle_mean: float = 0.0
    mem_last_mean: float = 0.0
    plateau: bool = True
    wall: float = 0.0

    @property
    def wrong(self) -> list[dict]:
        return [e for e in self.errors if e["kind"] in ("wrong number", "leak")]

    @property
    def timeouts(self) -> list[dict]:
        return [e for e in self.errors if e["kind"] == "timeout"]

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.tracebacks)


class StepError(Exception):
    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


class Session:
    def __init__(self, index, browser, url, plan, report, deadline, step_timeout, max_iterations):
        self.index, self.browser, self.url, self.plan = index, browser, url, plan
        self.report, self.deadline = report, deadline
        self.step_timeout, self.max_iterations = step_timeout, max_iterations
        self.page = None
        self.sent = 0  # websocket messages from the browser (BackMsg) so far

    async def wait(
        self,
        step: str,
        want: dict[str, str],
        allowed: set[str],
        *,
        alerts: int = 0,
        alert_text: str | None = None,
        error: bool = True,
        no_numbers: bool = False,
        code_has: str | None = None,
        opacity: str | None = None,
    ) -> None:
        """Wait for the wanted state; check every IoU shown on the way.

        ``alert_text`` is in the one alert (an error, unless ``error=False``);
        ``no_numbers``: no metric card at all; ``opacity``: the overlay's opacity.
        """
        arg = {
            "want": want,
            "alerts": alerts,
            "alertText": alert_text,
            "error": error,
            "noNumbers": no_numbers,
            "codeHas": code_has,
            "opacity": opacity,
        }
        try:
            await self.page.wait_for_function(
                WAIT_JS, arg=arg, polling=100, timeout=self.step_timeout * 1000
            )
        except Exception as err:
            if type(err).__name__ != "TimeoutError":
                raise
            state = await self.page.evaluate(READ_JS)
            raise self.classify(step, want, state, alerts) from None
        finally:
            seen = []
            try:
                seen = await self.page.evaluate("() => window.__maskappSeen || []")
                await self.page.evaluate("() => { window.__maskappSeen = []; }")
            except Exception:
                pass
            strange = [v for v in seen if v not in allowed and v != want.get("IoU")]
            if strange:
                owners = [self.plan.owner.get(v, "nobody") for v in strange]
                kind = "leak" if any(o.startswith("session") for o in owners) else "wrong number"
                self.record(kind, step, f"IoU shown {strange} (belongs to {owners})")

    def classify(self, step: str, want: dict[str, str], state: dict, expected: int) -> StepError:
        shown = {k: state["metrics"].get(k) for k in want}
        alerts = [a["text"][:200] for a in state["alerts"]]
        if state["exceptions"] or len(alerts) > expected:
            return StepError("page error", f"{step}: alerts {alerts}, numbers {shown}")
        if state["state"] == "notRunning" and shown.get("IoU") and shown != want:
            owner = self.plan.owner.get(shown["IoU"], "nobody")
            kind = "leak" if owner.startswith("session") else "wrong number"
            return StepError(kind, f"{step}: want {want}, shown {shown} (IoU of {owner})")
        return StepError(
            "timeout",
            f"{step}: after {self.step_timeout:.0f} s state {state['state']}, "
            f"numbers {shown}, alerts {alerts}",
        )

    def record(self, kind: str, step: str, detail: str) -> None:
        self.report.errors.append(
            {"session": self.index, "kind": kind, "step": step, "detail": detail}
        )

    async def upload(self, slot: int, name: str, data: bytes) -> None:
        files = {"name": name, "mimeType": "image/png", "buffer": data}
        await self.page.locator(UPLOADER).nth(slot).set_input_files(files=files)

    async def iteration(self, i: int) -> None:
        plan, page, report = self.plan, self.page, self.report
        pair = plan.pair(self.index, i)
        start = time.monotonic()
        await page.goto(self.url, wait_until="domcontentloaded", timeout=self.step_timeout * 1000)
        await self.wait("open", plan.demo, {plan.demo["IoU"]})
        report.load_times.append(time.monotonic() - start)
        report.page_loads += 1

        start = time.monotonic()
        await self.upload(0, f"ref-{pair.tag}.png", pair.reference_png)
        # An upload is never compared with a demo mask: the page asks for the candidate.
        await self.wait(
            "upload reference",
            {},
            {plan.demo["IoU"]},
            alerts=1,
            alert_text="Now upload the candidate (prediction) to compare with "
            f"«ref-{pair.tag}.png».",
            error=False,
            no_numbers=True,
        )
        report.upload_times.append(time.monotonic() - start)
        report.uploads += 1

        start = time.monotonic()
        await self.upload(1, f"cand-{pair.tag}.png", pair.candidate_png)
        await self.wait("upload candidate", pair.final, {pair.final["IoU"]})
        report.upload_times.append(time.monotonic() - start)
        report.uploads += 1

        keep = {pair.final["IoU"]}
        # Every 3rd iteration, staggered by session, so even a short run has bad files.
        if (i + self.index) % 3 == 2:
            kind = ("empty", "html", "truncated")[(i // 3 + self.index) % 3]
            slot = (i // 3) % 2
            name, data = bad_file(kind, pair)
            start = time.monotonic()
            await self.upload(slot, name, data)
            await self.wait(f"bad {kind} file error", pair.final, keep, alerts=1, alert_text=name)
            report.bad_times.append(time.monotonic() - start)
            report.bad_uploads += 1
        else:
            n = i + self.index
            if n % 2 == 0:
                await self.opacity_step(OPACITY_STEPS[n // 2 % len(OPACITY_STEPS)], pair, keep)
            else:
                view = VIEW_STEPS[n // 2 % len(VIEW_STEPS)]
                start = time.monotonic()
                await page.get_by_role("radio", name=view, exact=True).click()
                await self.wait(f"view {view}", pair.final, keep, code_has=f"view={view}")
                report.view_times.append(time.monotonic() - start)
                report.view_changes += 1

    async def opacity_step(self, value: str, pair: Pair, keep: set[str]) -> None:
        """Click the overlay figure's slider at ``value``: restyled in the page, no rerun."""
        page = self.page
        plot = page.locator(".st-key-overlay_chart .js-plotly-plot")
        # Plotly listens on a transparent rectangle over the rail: click it below the label.
        rail = plot.locator(".slider-container .slider-rail-touch-rect")
        label = plot.locator(".slider-container .slider-label-group").filter(
            has_text=re.compile(f"^{re.escape(value)}$")
        )
        await rail.scroll_into_view_if_needed()
        r, step = await rail.bounding_box(), await label.bounding_box()
        await page.evaluate(
            """() => {
                const app = document.querySelector('[data-testid="stApp"]');
                window.__maskappRuns = [];
                new MutationObserver(() => window.__maskappRuns.push(
                    app.getAttribute('data-test-script-state'))
                ).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
            }"""
        )
        sent = self.sent
        start = time.monotonic()
        await page.mouse.click(step["x"] + step["width"] / 2, r["y"] + r["height"] / 2)
        await self.wait(f"opacity {value}", pair.final, keep, opacity=value)
        self.report.opacity_times.append(time.monotonic() - start)
        self.report.opacity_steps += 1
        await asyncio.sleep(QUIET_S)
        runs = await page.evaluate("() => window.__maskappRuns")
        if self.sent != sent or runs:
            self.record(
                "rerun",
                f"opacity {value}",
                f"{self.sent - sent} message(s) from the browser, run states {runs}",
            )

    async def screenshot(self, iteration: int) -> None:
        """What the page showed when a step failed (the first few failures only)."""
        if len(self.report.errors) > 5:
            return
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"load-session{self.index}-iteration{iteration}.png"
        try:
            await self.page.screenshot(path=str(path), full_page=True, timeout=30_000)
            self.report.errors[-1]["screenshot"] = str(path.relative_to(ROOT))
        except Exception:
            pass

    async def run(self) -> None:
        context = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
        # Actions (uploads, clicks) wait as long as the numbers may: on 2 cores with ten
        # renderers a page can take longer than Playwright's 30 s default to draw.
        context.set_default_timeout(self.step_timeout * 1000)
        self.page = await context.new_page()
        self.page.on(
            "pageerror", lambda err: self.report.js_errors.append(f"session {self.index}: {err}")
        )

        def count_sent(_) -> None:
            self.sent += 1

        self.page.on("websocket", lambda ws: ws.on("framesent", count_sent))
        i = 0
        try:
            while time.monotonic() < self.deadline and i < self.max_iterations:
                try:
                    await self.iteration(i)
                    self.report.iterations += 1
                except StepError as err:
                    self.record(err.kind, f"iteration {i}", err.detail)
                    await self.screenshot(i)
                except Exception as err:  # navigation timeouts, crashed pages
                    self.record("timeout", f"iteration {i}", f"{type(err).__name__}: {err}")
                    await self.screenshot(i)
                i += 1
        finally:
            await context.close()


async def drive(server: StreamlitServer, report: Report, sampler: MemorySampler, args) -> None:
    from playwright.async_api import async_playwright

    plan = Plan()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            # Warm-up: one page view so "start" memory includes the app's imports.
            warm = Session(0, browser, server.url, plan, Report(1, 0), 0, args.step_timeout, 0)
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            warm.page = await context.new_page()
            await warm.page.goto(server.url, timeout=args.step_timeout * 1000)
            await warm.wait("warm-up", plan.demo, {plan.demo["IoU"]})
            await context.close()
            await asyncio.sleep(args.settle)
            report.mem_start = server.rss_mb()

            start = time.monotonic()
            deadline = start + args.seconds
            sessions = [
                Session(
                    k, browser, server.url, plan, report, deadline,
                    args.step_timeout, args.max_iterations,
                )
                for k in range(report.sessions)
            ]  # fmt: skip
            await asyncio.gather(*(s.run() for s in sessions))
            end = time.monotonic()
            report.wall = end - start
            report.memory = [(t - start, mb) for t, mb in sampler.samples if start <= t <= end]
        finally:
            await browser.close()
    await asyncio.sleep(args.settle)
    report.mem_end = server.rss_mb()


def summarise_memory(report: Report, tolerance_mb: float) -> None:
    values = [mb for _, mb in report.memory] or [report.mem_start]
    report.mem_peak = max([*values, report.mem_start, report.mem_end])
    duration = report.memory[-1][0] if report.memory else 0.0
    middle = [mb for t, mb in report.memory if duration / 3 <= t < 2 * duration / 3]
    last = [mb for t, mb in report.memory if t >= 2 * duration / 3]
    report.mem_middle_mean = float(np.mean(middle)) if middle else 0.0
    report.mem_last_mean = float(np.mean(last)) if last else 0.0
    growth = report.mem_last_mean - report.mem_middle_mean
    report.plateau = growth <= max(tolerance_mb, 0.05 * report.mem_middle_mean)


def run_load(
    sessions: int = 10,
    seconds: float = 180.0,
    *,
    max_iterations: int = 1000,
    step_timeout: float = 90.0,
    settle: float = 3.0,
    plateau_tolerance_mb: float = 16.0,
) -> Report:
    """Run the whole load test and return its report (the server is always stopped)."""
    if chromium_path() is None:
        raise RuntimeError("Debian's chromium is not installed (apt-get install chromium)")
    args = argparse.Namespace(
        seconds=seconds, max_iterations=max_iterations, step_timeout=step_timeout, settle=settle
    )
    report = Report(sessions, seconds)
    server = StreamlitServer()
    sampler = MemorySampler(server)
    try:
        server.start()
        time.sleep(settle)
        report.mem_cold = server.rss_mb()
        sampler.start()
        asyncio.run(
            asyncio.wait_for(drive(server, report, sampler, args), seconds + 4 * step_timeout + 120)
        )
    finally:
        sampler.stop()
        server.stop()
        log = server.log()
        server.log_path.unlink(missing_ok=True)
    lines = log.splitlines()
    for n, line in enumerate(lines):
        if "Traceback" in line or "Uncaught app exception" in line:
            report.tracebacks.append("\n".join(lines[max(0, n - 1) : n + 25]))
    summarise_memory(report, plateau_tolerance_mb)
    return report


# ---------------------------------------------------------------- output


def pct(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):.2f} s" if values else "n/a"


def format_report(r: Report) -> str:
    by_kind: dict[str, int] = {}
    for e in r.errors:
        by_kind[e["kind"]] = by_kind.get(e["kind"], 0) + 1
    out = [
        f"maskapp load test: {r.sessions} concurrent sessions, {r.seconds:.0f} s budget, "
        f"{r.wall:.0f} s wall, {os.cpu_count()} CPU(s)",
        f"  iterations done        {r.iterations}",
        f"  page loads             {r.page_loads}",
        f"  good uploads           {r.uploads}",
        f"  bad-file uploads       {r.bad_uploads}",
        f"  opacity steps          {r.opacity_steps} (in the figure, no rerun)",
        f"  view changes           {r.view_changes}",
        f"  errors                 {len(r.errors)} "
        f"(wrong numbers {len(r.wrong)}, timeouts {len(r.timeouts)}, "
        f"other {len(r.errors) - len(r.wrong) - len(r.timeouts)}) {by_kind or ''}",
        f"  server tracebacks      {len(r.tracebacks)}",
        f"  browser JS errors      {len(r.js_errors)}",
        f"  upload -> numbers      p50 {pct(r.upload_times, 50)}, p95 {pct(r.upload_times, 95)}"
        f" (n={len(r.upload_times)})",
        f"  bad file -> error      p50 {pct(r.bad_times, 50)}, p95 {pct(r.bad_times, 95)}"
        f" (n={len(r.bad_times)})",
        f"  opacity -> redrawn     p50 {pct(r.opacity_times, 50)}, "
        f"p95 {pct(r.opacity_times, 95)} (n={len(r.opacity_times)})",
        f"  view -> numbers        p50 {pct(r.view_times, 50)}, "
        f"p95 {pct(r.view_times, 95)} (n={len(r.view_times)})",
        f"  open -> demo numbers   p50 {pct(r.load_times, 50)}, p95 {pct(r.load_times, 95)}"
        f" (n={len(r.load_times)})",
        f"  server RSS (MB)        cold {r.mem_cold:.0f}, start {r.mem_start:.0f} "
        f"(after one warm-up view), peak {r.mem_peak:.0f}, end {r.mem_end:.0f} "
        f"(browser closed)",
        f"  plateau                {'yes' if r.plateau else 'NO'}: mean of middle third "
        f"{r.mem_middle_mean:.0f} MB, last third {r.mem_last_mean:.0f} MB "
        f"({r.mem_last_mean - r.mem_middle_mean:+.0f} MB)",
    ]
    for e in r.errors[:20]:
        out.append(f"  ! session {e['session']} {e['step']}: {e['kind']}: {e['detail']}")
        if "screenshot" in e:
            out.append(f"    (screenshot: {e['screenshot']})")
    for js in r.js_errors[:5]:
        out.append(f"  ! JS: {js[:300]}")
    for tb in r.tracebacks[:3]:
        out.append("  ! server log:\n" + tb)
    out.append("RESULT: " + ("FAIL" if r.failed else "PASS"))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--max-iterations", type=int, default=1000, help="per session")
    parser.add_argument("--step-timeout", type=float, default=90.0)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    report = run_load(
        args.sessions,
        args.seconds,
        max_iterations=args.max_iterations,
        step_timeout=args.step_timeout,
    )
    print(format_report(report))
    if args.json:
        data = {k: v for k, v in vars(report).items()}
        args.json.write_text(json.dumps(data, indent=1))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
