"""The dataset page at the hosted demo's limits: time and the server's peak memory.

    python benchmarks/bench_batch_page.py                  # 500 pairs of 2048² (the page's caps)
    python benchmarks/bench_batch_page.py --pairs 100 --size 1024

A real ``streamlit run app.py`` and Debian's Chromium: two zips go through the
page's file inputs, "Run" evaluates them (in the server process, one case at a
time), then the worst row is opened on the pair page. The server's RSS (with
its children) is sampled every 0.1 s. The figure to hold is Community Cloud's
690 MB; the baseline printed first is the same server idle on the pair page.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from batch_data import write_dataset

from streamlit_server import CHROMIUM_ARGS, MemorySampler, StreamlitServer, chromium_path

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'


def zipped(folder: Path, name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.glob("*.png")):
            archive.write(path, f"{name}/{path.name}")
    return buffer.getvalue()


def wait_idle(page, timeout_ms: int) -> None:
    page.wait_for_selector(IDLE, state="attached", timeout=timeout_ms)
    page.wait_for_selector(
        '[data-testid="stStatusWidget"]', state="detached", timeout=timeout_ms
    )


def report(label: str, server: StreamlitServer) -> None:
    print(f"  {label:<36}{server.rss_mb():6.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--data", default=str(Path(tempfile.gettempdir()) / "maskapp-bench"))
    args = parser.parse_args()
    chromium = chromium_path()
    if chromium is None:
        sys.exit("chromium is not on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    root = Path(args.data) / f"{args.pairs}-{args.size}"
    references, candidates = write_dataset(root, args.pairs, (args.size, args.size), seed=0)
    ref_zip, cand_zip = zipped(references, "references"), zipped(candidates, "candidates")
    print(f"{args.pairs} pairs of {args.size}²: zips {len(ref_zip) / 1e6:.1f} MB + "
          f"{len(cand_zip) / 1e6:.1f} MB", flush=True)

    timeout = 30 * 60 * 1000
    with StreamlitServer() as server:
        sampler = MemorySampler(server, interval=0.1)
        sampler.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(server.url)
                wait_idle(page, 60_000)
                idle = server.rss_mb()
                print(f"  server idle on the pair page        {idle:6.0f} MB", flush=True)
                page.goto(f"{server.url}/dataset")
                wait_idle(page, 60_000)
                for index, (name, data) in enumerate(
                    (("references.zip", ref_zip), ("candidates.zip", cand_zip))
                ):
                    page.locator(UPLOADER).nth(index).set_input_files(
                        {"name": name, "mimeType": "application/zip", "buffer": data}
                    )
                    wait_idle(page, 120_000)
                report("after both uploads", server)
                start = time.monotonic()
                page.get_by_role("button", name=f"Run on {args.pairs} cases").click()
                page.get_by_text("Cases, worst first").wait_for(timeout=timeout)
                wait_idle(page, timeout)
                seconds = time.monotonic() - start
                print(f"  after the run ({seconds:6.1f} s, {args.pairs / seconds:.1f} pairs/s) "
                      f"{server.rss_mb():6.0f} MB", flush=True)
                page.get_by_role("button", name="Open on the pair page").click()
                page.get_by_text("Back to the dataset results").wait_for(timeout=120_000)
                wait_idle(page, 120_000)
                report("worst case open on the pair page", server)
                browser.close()
        finally:
            sampler.stop()
        print(f"  peak                                {sampler.peak:6.0f} MB "
              f"(+{sampler.peak - idle:.0f} MB over idle; the host has 690 MB)")


if __name__ == "__main__":
    main()
