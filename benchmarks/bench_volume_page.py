"""The volume page at the hosted demo's voxel cap: time and the server's peak memory.

    python benchmarks/bench_volume_page.py                # 512×512×128 (2²⁵ voxels, the cap)
    python benchmarks/bench_volume_page.py --size 512 512 300 --cap 78643200
    python benchmarks/bench_volume_page.py --uncompressed        # .nii uploads (48 MB each)

A real ``streamlit run app.py`` and Debian's Chromium: two 5-label .nii.gz
volumes at 0.8×0.8×2.5 mm (bench_volumes.py's pair) go through the page's
file inputs; then the slider moves, "jump to the worst slice", the sagittal
plane, one class and the Hausdorff pair's slice are shown. The server's RSS
(with its children) is sampled every 0.1 s; the figure to hold is Community
Cloud's 690 MB (the app cap is chosen to stay under ~550 MB). ``--cap`` sets
the server's MASKAPP_MAX_VOXELS.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import time

import nibabel as nib
import numpy as np
from bench_volumes import SPACING_IJK, make_pair

from streamlit_server import CHROMIUM_ARGS, MemorySampler, StreamlitServer, chromium_path

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'


def wait_idle(page, timeout_ms: int = 300_000) -> None:
    page.wait_for_selector(IDLE, state="attached", timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached",
                           timeout=timeout_ms)  # fmt: skip


def nifti(array: np.ndarray, *, compressed: bool = True) -> bytes:
    data = nib.Nifti1Image(array, np.diag([*SPACING_IJK, 1.0])).to_bytes()
    return gzip.compress(data, compresslevel=6, mtime=0) if compressed else data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, nargs=3, default=(512, 512, 128))
    parser.add_argument("--cap", type=int, default=None, help="MASKAPP_MAX_VOXELS of the server")
    parser.add_argument("--uncompressed", action="store_true", help="upload .nii, not .nii.gz")
    args = parser.parse_args()
    chromium = chromium_path()
    if chromium is None:
        sys.exit("chromium is not on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    if args.cap is not None:
        os.environ["MASKAPP_MAX_VOXELS"] = str(args.cap)
    size = tuple(args.size)
    reference, candidate = make_pair(size)
    suffix = ".nii" if args.uncompressed else ".nii.gz"
    files = [(f"{name}{suffix}", nifti(array, compressed=not args.uncompressed))
             for name, array in (("reference", reference), ("candidate", candidate))]  # fmt: skip
    del reference, candidate
    voxels = int(np.prod(size))
    print(f"{'×'.join(map(str, size))} ({voxels / 2**20:.0f} M voxels), 5 labels: files "
          f"{sum(len(d) for _, d in files) / 1e6:.1f} MB", flush=True)
    with StreamlitServer() as server:
        sampler = MemorySampler(server, interval=0.1)
        sampler.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(f"{server.url}/volumes")
                page.get_by_text("Jump to the worst slice").wait_for(timeout=120_000)
                wait_idle(page)
                idle = server.rss_mb()
                print(f"  server on the volume page (demo)    {idle:6.0f} MB", flush=True)
                start = time.monotonic()
                for index, (name, data) in enumerate(files):
                    page.locator(UPLOADER).nth(index).set_input_files(
                        {"name": name, "mimeType": "application/gzip", "buffer": data}
                    )
                    wait_idle(page)
                page.get_by_text(f"Compared on the grid {'×'.join(map(str, size))}").wait_for(
                    timeout=300_000
                )
                wait_idle(page)
                seconds = time.monotonic() - start
                print(f"  both uploaded and compared ({seconds:5.1f} s) {server.rss_mb():6.0f} MB",
                      flush=True)  # fmt: skip
                slider = page.locator('.st-key-volume_slice input[type="range"]')
                slider.focus()
                for _ in range(3):
                    slider.press("ArrowRight")
                    wait_idle(page)
                page.locator(".st-key-volume_worst button").click()
                wait_idle(page)
                page.locator(".st-key-volume_plane button", has_text="sagittal").click()
                wait_idle(page)
                print(f"  slider, worst slice, sagittal       {server.rss_mb():6.0f} MB",
                      flush=True)  # fmt: skip
                page.locator(".st-key-volume_class").click()
                page.get_by_role("option", name="class 1").click()
                wait_idle(page)
                page.locator(".st-key-volume_hausdorff button").first.click()
                wait_idle(page)
                print(f"  class 1 and its Hausdorff slice     {server.rss_mb():6.0f} MB",
                      flush=True)  # fmt: skip
                browser.close()
        finally:
            sampler.stop()
        print(f"  peak                                {sampler.peak:6.0f} MB "
              f"(+{sampler.peak - idle:.0f} MB over the demo; the host has 690 MB)")


if __name__ == "__main__":
    main()
