"""The app's caches, its server-wide lock for large work, and its allocator setting.

Every expensive call the pages make goes through here, keyed by the digest
taken once when an input arrived (never by hashing megabytes of bytes on each
rerun). Large read-only arrays are shared between reruns and sessions
(``cache_resource``) rather than copied out of the cache on every rerun.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from maskapp import read_mask
from maskapp.compare import Comparison
from maskapp.io import read_image
from maskapp.masks import Mask
from maskapp.pair import Options
from maskapp.parallel import set_mmap_threshold
from ui.state import SessionModel, compare_masks, digest_of

ASSETS = Path(__file__).resolve().parents[1] / "assets"
CASES: dict = json.loads((ASSETS / "cases.json").read_text())["cases"]
# Bounded caches: a public demo must not grow without limit. At the pixel cap a
# mask or confusion map is 16 MB and a background 48 MB, so the large caches hold
# few entries: 6·16 (masks) + 2·48 (backgrounds) + 3·~50 (comparisons keep their
# pair's foreground and confusion map) ≈ 340 MB, plus one computation's peak
# (~100–160 MB, one at a time: large_work), under a 690 MB host.
CACHE = dict(ttl=1800, show_spinner=False)
#: Pixel cap per mask for this app (MASKAPP_MAX_PIXELS changes it): one visitor
#: opening every view at 4096² peaks the server at ~570 MB.
MAX_PIXELS = int(os.environ.get("MASKAPP_MAX_PIXELS", 4096 * 4096))


def serial_pixels() -> int:
    """From this many pixels on, comparisons and figure builds run one at a time
    across all sessions (see large_work); MASKAPP_SERIAL_PIXELS changes it."""
    return int(os.environ.get("MASKAPP_SERIAL_PIXELS", 2048 * 2048))


@st.cache_resource(show_spinner=False)
def return_freed_arrays_to_the_os() -> bool:
    """Keep every allocation over 128 kB in its own mapping, unmapped when freed.

    glibc raises its mmap threshold after each large free (up to 32 MB), so later
    mask-sized arrays come from the heap and stay resident after they are freed.
    A fixed threshold turns that off: one visitor opening every view at the cap
    peaks at ~570 MB instead of 671 MB (benchmarks/bench_app_browser.py). Once
    per process; a no-op off glibc.
    """
    return set_mmap_threshold(128 * 1024)


@st.cache_resource(show_spinner=False)
def demo_file(name: str) -> tuple[bytes, str]:
    """A demo asset's bytes and digest, read once per process."""
    data = (ASSETS / name).read_bytes()
    return data, digest_of(data)


@st.cache_resource(max_entries=6, **CACHE)
def decode(digest: str, _data: bytes, kind: str, threshold: float | None, void: int | None) -> Mask:
    """Decode one input's bytes (cached per content and reading options, shared read-only)."""
    mask = read_mask(_data, kind=kind, threshold=threshold, void=void, max_pixels=MAX_PIXELS)
    mask.array.flags.writeable = False
    return mask


@st.cache_resource(max_entries=2, **CACHE)
def load_background(digest: str, _data: bytes) -> np.ndarray:
    """A photo to draw under the overlay, as RGB (same guards as masks; keyed by digest)."""
    image = read_image(_data, max_pixels=MAX_PIXELS)
    image.flags.writeable = False
    return image


@st.cache_resource(show_spinner=False)
def _large_work_lock() -> threading.RLock:
    """One lock for the whole server."""
    return threading.RLock()


@contextmanager
def large_work(pixels: int) -> Iterator[None]:
    """Run the block alone among all sessions when it handles ``pixels`` ≥ serial_pixels().

    At the pixel cap one comparison or figure build costs ~70–160 MB on top of
    the caches; several visitors computing at the same moment could push a
    690 MB host over its limit. The others wait; a cached result is served
    without waiting. Re-entrant: a figure build may need the comparison.
    """
    if pixels < serial_pixels():
        yield
        return
    with _large_work_lock():
        yield


@st.cache_resource(max_entries=3, **CACHE)
def run_compare(token: str, _reference: Mask, _candidate: Mask, _options: Options) -> Comparison:
    """Compare two masks; cached by a token naming both inputs and every option.

    Shared, not copied: the result keeps its pair's foreground and confusion
    map, which the figures and downloads read.
    """
    with large_work(_reference.array.size):
        return compare_masks(_reference, _candidate, _options)


@st.cache_data(max_entries=16, **CACHE)
def cached_figure(key: str, _build: Callable[[], go.Figure], pixels: int) -> go.Figure:
    """A figure of a ``pixels``-pixel pair built once per ``key`` (naming every input
    and option of ``_build``)."""
    with large_work(pixels):
        return _build()


def session_model() -> SessionModel:
    """This visitor's session model, with the app's caches plugged in."""
    return SessionModel(
        st.session_state,
        cases=CASES,
        assets=demo_file,
        reader=decode,
        image_reader=load_background,
        comparer=run_compare,
    )
