"""Display-size reduction: block maxima, outlines, the shown view and its checks.

The confusion codes (0 TN, 1 TP, 2 FP, 3 FN, see :mod:`maskapp.overlap`) are
reduced by a *block maximum* to at most ``max_side`` pixels a side. The codes
are ordered so the maximum keeps errors: a 1-pixel FP line in a 4096² mask
survives, where stride sampling would drop it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import MaskError
from ..overlap import FN

Region = tuple[int, int, int, int]

# Typical width of a plot on a page, in CSS pixels. Browsers shrink an image
# wider than its plot by nearest-neighbour sampling when Plotly draws it
# pixelated, which drops 1-pixel lines again; such images are drawn smoothed.
NOMINAL_WIDTH = 700


def display_step(shape: tuple[int, ...], max_side: int = 1024) -> int:
    """Smallest integer block size that brings ``shape`` to at most ``max_side`` a side.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols, ...)`` of the array to show.
    max_side : int
        Largest number of display pixels along either axis.

    Returns
    -------
    int
        ``ceil(max(rows, cols) / max_side)``, at least 1. Blocks of ``step``
        × ``step`` pixels give ``ceil(rows / step)`` × ``ceil(cols / step)``
        display pixels, neither above ``max_side``.

    Examples
    --------
    >>> display_step((512, 512)), display_step((4096, 4096)), display_step((300, 2050))
    (1, 4, 3)
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, not {max_side}")
    return max(1, math.ceil(max(int(shape[0]), int(shape[1])) / int(max_side)))


def downsample_max(codes: np.ndarray, step: int) -> np.ndarray:
    """Block maximum of a 2-D array over ``step`` × ``step`` blocks.

    Over confusion codes (TN 0 < TP 1 < FP 2 < FN 3) the maximum keeps the
    worst state of each block, so thin error lines survive any reduction.

    Parameters
    ----------
    codes : ndarray
        2-D array (``uint8`` codes, ``bool``, or numbers; NaN is ignored).
    step : int
        Block size, at least 1. Sizes need not divide the shape: the last
        row and column of blocks are partial.

    Returns
    -------
    ndarray
        Shape ``(ceil(rows / step), ceil(cols / step))``, same dtype. With
        ``step == 1`` the input itself is returned.

    Examples
    --------
    >>> codes = np.zeros((5, 5), np.uint8)
    >>> codes[4, 1] = 2
    >>> downsample_max(codes, 2).tolist()
    [[0, 0, 0], [0, 0, 0], [2, 0, 0]]
    """
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise ValueError(f"downsample_max needs a 2-D array, not shape {codes.shape}")
    step = int(step)
    if step < 1:
        raise ValueError(f"step must be at least 1, not {step}")
    if step == 1:
        return codes
    # fmax ignores NaN; for integers and bool it equals maximum.
    reduce = np.fmax if np.issubdtype(codes.dtype, np.floating) else np.maximum
    # Strided slices instead of reshape(...).max(axis=(1, 3)): each pass reads
    # a contiguous row band, non-divisible sizes need no padding copy, and the
    # column pass runs on an array already `step` times smaller.
    rows = codes[0::step].copy()
    for i in range(1, step):
        part = codes[i::step]
        n = part.shape[0]
        reduce(rows[:n], part, out=rows[:n])
    out = rows[:, 0::step].copy()
    for j in range(1, step):
        part = rows[:, j::step]
        n = part.shape[1]
        reduce(out[:, :n], part, out=out[:, :n])
    return out


def state_boundaries(codes: np.ndarray) -> np.ndarray:
    """Codes kept only on pixels with a 4-neighbour of another state (image edge counts)."""
    edge = np.zeros(codes.shape, dtype=bool)
    diff = codes[1:] != codes[:-1]
    edge[1:] |= diff
    edge[:-1] |= diff
    diff = codes[:, 1:] != codes[:, :-1]
    edge[:, 1:] |= diff
    edge[:, :-1] |= diff
    # Closing outlines along the image edge keeps a region touching it outlined.
    edge[0] = edge[-1] = True
    edge[:, 0] = edge[:, -1] = True
    return codes * edge


@dataclass(frozen=True)
class View:
    """The shown part of the image, half-open, and its display block size."""

    row0: int
    row1: int
    col0: int
    col1: int
    step: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.row1 - self.row0, self.col1 - self.col0

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.row0, self.row1), slice(self.col0, self.col1)


def view_of(shape: tuple[int, int], region: Region | None, max_side: int) -> View:
    """Clip ``region`` to ``shape`` and choose its display step."""
    rows, cols = int(shape[0]), int(shape[1])
    if region is None:
        r0, r1, c0, c1 = 0, rows, 0, cols
    else:
        if len(region) != 4:
            raise ValueError(f"region must be (row0, row1, col0, col1), not {region!r}")
        r0, r1, c0, c1 = (int(v) for v in region)
        r0, r1 = max(0, r0), min(rows, r1)
        c0, c1 = max(0, c0), min(cols, c1)
        if r1 <= r0 or c1 <= c0:
            raise ValueError(
                f"region {tuple(region)} holds no pixel of the {rows}×{cols} (rows×cols) image"
            )
    return View(r0, r1, c0, c1, display_step((r1 - r0, c1 - c0), max_side))


def auto_smooth(view: View, panels: int = 1) -> bool:
    """Smooth when the browser will shrink the image (see ``NOMINAL_WIDTH``)."""
    rows, cols = view.shape
    return max(-(-rows // view.step), -(-cols // view.step)) > NOMINAL_WIDTH / panels


def check_codes(confusion: np.ndarray) -> np.ndarray:
    """A non-empty 2-D array of confusion codes 0–3 as uint8 (programming errors raise)."""
    confusion = np.asarray(confusion)
    if confusion.ndim != 2 or confusion.size == 0:
        raise ValueError(f"confusion must be a non-empty 2-D array, not shape {confusion.shape}")
    if confusion.dtype != np.uint8:
        if not np.issubdtype(confusion.dtype, np.integer):
            raise TypeError(f"confusion must hold integer codes, not {confusion.dtype}")
        confusion = confusion.astype(np.uint8)
    if int(confusion.max()) > FN:
        raise ValueError(
            f"confusion holds code {int(confusion.max())}; codes are 0 TN, 1 TP, 2 FP, 3 FN "
            "(see maskapp.overlap.confusion_map)"
        )
    return confusion


def check_shape(name: str, array: np.ndarray | None, shape: tuple[int, int]) -> None:
    """An input of another size than the masks is the user's mistake: a MaskError."""
    if array is not None and array.shape[:2] != shape:
        raise MaskError(
            f"The {name} is {array.shape[1]}×{array.shape[0]} pixels but the masks are "
            f"{shape[1]}×{shape[0]}; use the {name} that belongs to these masks."
        )


def as_uint8_image(background: np.ndarray) -> np.ndarray:
    """A background as uint8 grey (rows, cols) or RGB (rows, cols, 3)."""
    bg = np.asarray(background)
    if bg.ndim == 3 and bg.shape[2] in (3, 4):
        bg = bg[..., :3]
    elif bg.ndim == 3 and bg.shape[2] in (1, 2):
        bg = bg[..., 0]
    elif bg.ndim != 2:
        raise MaskError(f"The background image has shape {bg.shape}; use a grey or colour image.")
    if bg.dtype == np.uint8:
        return bg
    if bg.dtype == bool:
        return bg.view(np.uint8) * np.uint8(255)
    if np.issubdtype(bg.dtype, np.integer) and bg.dtype.itemsize == 2 and bg.min() >= 0:
        return (bg >> 8).astype(np.uint8)
    # Anything else (floats, wide integers) is stretched from its own range.
    bg = bg.astype(np.float32)
    finite = np.isfinite(bg)
    lo, hi = (float(bg[finite].min()), float(bg[finite].max())) if finite.any() else (0.0, 1.0)
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    out = np.where(finite, (bg - lo) * scale, 0.0)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
