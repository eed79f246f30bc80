"""Every class of odd or hostile input, what maskapp does with it, and what it costs.

    python benchmarks/bad_inputs.py [--max-pixels 16777216]

Builds each input here (the seed files come from ``tests/test_fuzz.py``), reads it
the way the hosted app does (``read_mask`` at the app's 4096² cap; pairs go
through ``compare``) and prints one Markdown table row per class: the outcome
(the ``MaskError`` sentence, or what was computed), the wall time and the
extra peak memory of that one read. Peak memory is reset between inputs through
``/proc/self/clear_refs`` (Linux); elsewhere the memory column says "n/a".
The README's "Bad input" table is this script's output.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import pickle
import struct
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

import maskapp
from maskapp import MaskError, compare, read_mask, report
from maskapp.masks import size_text

from peak_memory import PeakMemory

ROOT = Path(__file__).resolve().parents[1]
# tests/test_fuzz.py imports the shared test helpers as ``helpers``: pytest finds
# them through its pythonpath setting, a plain run of this script through this.
if str(ROOT / "tests") not in sys.path:
    sys.path.append(str(ROOT / "tests"))


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("test_fuzz", ROOT / "tests" / "test_fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


FUZZ = _fuzz_module()
SEEDS = FUZZ.seeds()


def png_of_zeros(width: int, height: int) -> bytes:
    """A valid 1-bit all-black PNG of any size, compressed row by row (a bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\0" * (1 + (width + 7) // 8)
    z = zlib.compressobj(9)
    body = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + FUZZ.png_chunk(b"IHDR", ihdr)
        + FUZZ.png_chunk(b"IDAT", body)
        + FUZZ.png_chunk(b"IEND", b"")
    )


def npy_bytes(array: np.ndarray, **params) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, **params)
    return buffer.getvalue()


def corrupt_png() -> bytes:
    data = bytearray(SEEDS["png-L"])
    at = data.index(b"IDAT") + 10
    data[at] ^= 0xFF  # CRC left as it was: the chunk no longer matches it
    return bytes(data)


def corrupt_jpeg() -> bytes:
    data = bytearray(SEEDS["jpeg-L"])
    sos = data.index(b"\xff\xda")
    data[sos + 20 : sos + 60] = b"\xff\xd0" * 20  # restart markers in the scan data
    return bytes(data)


def blob(rows: int, cols: int, shift: int = 0) -> np.ndarray:
    r, c = np.mgrid[:rows, :cols]
    return (r - rows / 2) ** 2 + (c - cols / 2 - shift) ** 2 < (min(rows, cols) / 3) ** 2


ONE = "reads"
PAIR = "compares"
#: class → (what is done, factory of the input(s))
CASES: dict[str, tuple[str, Callable[[], object]]] = {
    "zero-byte file": (ONE, lambda: b""),
    "text under .png": (ONE, lambda: b"0 1 1 0\n1 1 0 0\n"),
    "HTML under .png": (ONE, lambda: b"<!doctype html><html><body>404</body></html>"),
    "SVG under .png": (
        ONE,
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>',
    ),
    "EPS under .png (never decoded)": (ONE, lambda: b"%!PS-Adobe-3.0 EPSF-3.0\n%%EOF\n"),
    "TGA / ICO / PCX (outside the allow-list)": (
        ONE,
        lambda: FUZZ.encode(Image.new("L", (8, 8)), "TGA"),
    ),
    "PNG truncated at half": (ONE, lambda: SEEDS["png-L"][: len(SEEDS["png-L"]) // 2]),
    "JPEG truncated at half": (ONE, lambda: SEEDS["jpeg-L"][: len(SEEDS["jpeg-L"]) // 2]),
    "PNG with a corrupt IDAT": (ONE, corrupt_png),
    "JPEG with corrupt scan data": (ONE, corrupt_jpeg),
    "PNG header 100000×100000": (ONE, lambda: FUZZ.set_declared_size(SEEDS["png-L"], 10**5, 10**5)),
    "GIF header 65535×65535": (ONE, lambda: FUZZ.set_declared_size(SEEDS["gif"], 65535, 65535)),
    "BMP header 100000×100000": (ONE, lambda: FUZZ.set_declared_size(SEEDS["bmp-L"], 10**5, 10**5)),
    "TIFF header 100000×100000": (
        ONE,
        lambda: FUZZ.set_declared_size(SEEDS["tiff-L"], 10**5, 10**5),
    ),
    "decompression bomb: 1-bit PNG 20000×20000 (51 kB)": (ONE, lambda: png_of_zeros(20000, 20000)),
    "between Pillow's warning and error: 13000×13000": (ONE, lambda: png_of_zeros(13000, 13000)),
    "tiny GIF declaring a 4096² canvas (at the cap)": (
        ONE,
        lambda: FUZZ.set_declared_size(SEEDS["gif"], 4096, 4096),
    ),
    "PNG text-chunk bomb (80 × 1 MiB zTXt)": (
        ONE,
        lambda: FUZZ.with_png_chunks(
            SEEDS["png-L"],
            b"".join(
                FUZZ.png_chunk(b"zTXt", b"k%d\0\0" % i + zlib.compress(b"\0" * (1 << 20), 9))
                for i in range(80)
            ),
        ),
    ),
    "animated GIF": (ONE, lambda: SEEDS["gif-animated"]),
    "animated PNG (APNG)": (ONE, lambda: SEEDS["apng"]),
    "multi-page TIFF": (ONE, lambda: SEEDS["tiff-multipage"]),
    "CMYK JPEG": (ONE, lambda: SEEDS["jpeg-CMYK"]),
    ".npy that is a pickle": (ONE, lambda: pickle.dumps({"mask": [1, 0]})),
    ".npy of Python objects": (
        ONE,
        lambda: npy_bytes(np.array([{"a": 1}, None], dtype=object), allow_pickle=True),
    ),
    ".npy structured dtype": (ONE, lambda: npy_bytes(np.zeros((4, 4), "u1,f4"))),
    ".npy truncated": (ONE, lambda: npy_bytes(np.ones((64, 64), np.uint8))[:-100]),
    ".npy 0-d": (ONE, lambda: npy_bytes(np.array(1))),
    ".npy 3-D (4×64×64)": (ONE, lambda: npy_bytes(np.ones((4, 64, 64), np.uint8))),
    ".npy zero-size": (ONE, lambda: npy_bytes(np.zeros((0, 64), np.uint8))),
    ".npy with NaN": (ONE, lambda: npy_bytes(np.array([[0.0, np.nan], [1.0, 0.5]]))),
    ".npy with inf": (ONE, lambda: npy_bytes(np.array([[0.0, np.inf], [1.0, 0.5]]))),
    ".npy header declaring 100000² float64 (80 GB)": (
        ONE,
        lambda: FUZZ.npy_with_shape("(100000, 100000)", "<f8"),
    ),
    "zip / .npz": (ONE, lambda: _npz()),
    "1×1 masks": (PAIR, lambda: (np.ones((1, 1), bool), np.ones((1, 1), bool))),
    "both masks empty": (PAIR, lambda: (np.zeros((64, 64), bool), np.zeros((64, 64), bool))),
    "candidate empty": (PAIR, lambda: (blob(64, 64), np.zeros((64, 64), bool))),
    "all-one masks": (PAIR, lambda: (np.ones((64, 64), bool), np.ones((64, 64), bool))),
    "different sizes (640×480 vs 512×512)": (
        PAIR,
        lambda: (blob(480, 640), blob(512, 512)),
    ),
    "a mask versus its transpose": (PAIR, lambda: (blob(300, 200), blob(300, 200).T)),
}


def _npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, mask=np.ones((4, 4), np.uint8))
    return buffer.getvalue()


def run(kind: str, source: object, max_pixels: int) -> str:
    if kind == ONE:
        mask = read_mask(source, max_pixels=max_pixels)
        notes = "; ".join(mask.info.notes)
        return f"read: {size_text(mask.shape)}" + (f" — {notes}" if notes else "")
    reference, candidate = source  # type: ignore[misc]
    result = compare(reference, candidate)
    words = report.edge_case_sentence(result)
    return f"computed: IoU {report.format_value(result.iou)}" + (f" — {words}" if words else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-pixels", type=int, default=4096 * 4096)
    args = parser.parse_args(argv)
    # Warm up: the first compare imports scipy's KD-tree and labelling code.
    compare(np.eye(8, dtype=bool), np.eye(8, dtype=bool))
    read_mask(SEEDS["png-L"])
    print(f"maskapp {maskapp.__version__}, pixel cap {args.max_pixels:,}\n")
    print("| input | behaviour | time | extra memory |")
    print("|---|---|---|---|")
    for name, (kind, make) in CASES.items():
        source = make()
        with PeakMemory() as peak:
            start = time.perf_counter()
            try:
                outcome = run(kind, source, args.max_pixels)
            except MaskError as err:
                outcome = f"MaskError: {err}"
            seconds = time.perf_counter() - start
        extra = "n/a" if peak.extra_mb is None else f"+{peak.extra_mb:.1f} MB"
        outcome = outcome.replace("|", "\\|")
        print(f"| {name} | {outcome} | {seconds * 1000:.0f} ms | {extra} |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
