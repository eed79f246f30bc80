"""Masks drawn in the browser: canvas pixels and selection polygons → bool masks.

Two drawing paths feed these pure functions:

- a drawing canvas (streamlit-drawable-canvas) returns an RGBA image at canvas
  size; strokes in :data:`PAINT` add to the mask, strokes in :data:`ERASE`
  remove from it, in drawing order (the canvas composites them for us);
- a Plotly box / lasso selection returns polygon vertices in full-resolution
  pixel coordinates (x = column, y = row).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from PIL import Image, ImageDraw

from .masks import resize_nearest

#: Stroke colours the app draws with: paint adds foreground, erase removes it.
PAINT = (255, 0, 255)
ERASE = (0, 255, 255)


def canvas_to_mask(
    rgba: np.ndarray,
    shape: tuple[int, int],
    *,
    base: np.ndarray | None = None,
) -> np.ndarray:
    """Apply a canvas drawing (RGBA, canvas size) to a mask of ``shape``.

    Parameters
    ----------
    rgba : ndarray, shape (h, w, 4), uint8
        The canvas pixels; only the strokes are opaque (the background image
        is not part of them).
    shape : (rows, cols)
        Size of the mask to produce; the canvas is scaled by nearest neighbour.
    base : ndarray of bool, optional
        Mask to edit; None starts from an empty mask.

    Returns
    -------
    ndarray of bool, shape ``shape``

    Notes
    -----
    A pixel is drawn when its alpha is at least half opaque; it paints or erases
    depending on whether its colour is nearer :data:`PAINT` or :data:`ERASE`,
    so anti-aliased stroke edges are classified, not dropped.

    Examples
    --------
    >>> canvas = np.zeros((2, 2, 4), np.uint8)
    >>> canvas[0, 0] = (*PAINT, 255)
    >>> canvas_to_mask(canvas, (4, 4)).astype(int).tolist()
    [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    """
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError("canvas_to_mask needs an (h, w, 4) RGBA array")
    drawn = rgba[..., 3] >= 128
    colour = rgba[..., :3].astype(np.int32)
    d_paint = ((colour - PAINT) ** 2).sum(axis=2)
    d_erase = ((colour - ERASE) ** 2).sum(axis=2)
    paint = drawn & (d_paint <= d_erase)
    erase = drawn & (d_paint > d_erase)
    mask = np.zeros(shape, bool) if base is None else np.array(base, dtype=bool, copy=True)
    if mask.shape != tuple(shape):
        raise ValueError("base must have the requested shape")
    mask |= resize_nearest(paint, shape)
    mask &= ~resize_nearest(erase, shape)
    return mask


def polygons_to_mask(
    polygons: Iterable[Sequence[tuple[float, float]]],
    shape: tuple[int, int],
    *,
    base: np.ndarray | None = None,
    erase: bool = False,
) -> np.ndarray:
    """Fill polygons given as (x = column, y = row) vertices into a mask.

    Vertices are in full-resolution pixel coordinates, the pixel centre of
    column c being x = c. Pixels whose centres fall inside a polygon are
    filled (or cleared with ``erase=True``).

    Examples
    --------
    >>> square = [(1, 1), (2, 1), (2, 2), (1, 2)]
    >>> polygons_to_mask([square], (4, 4)).astype(int).tolist()
    [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    """
    rows, cols = shape
    layer = Image.new("1", (cols, rows), 0)
    draw = ImageDraw.Draw(layer)
    for polygon in polygons:
        points = [(float(x), float(y)) for x, y in polygon]
        if len(points) >= 3:
            draw.polygon(points, fill=1, outline=1)
        elif len(points) == 2:
            draw.rectangle(_box(points), fill=1)
        elif len(points) == 1:
            draw.point(points[0], fill=1)
    region = np.asarray(layer, dtype=bool)
    mask = np.zeros(shape, bool) if base is None else np.array(base, dtype=bool, copy=True)
    if erase:
        mask &= ~region
    else:
        mask |= region
    return mask


def _box(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    (x0, y0), (x1, y1) = points
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def selection_polygons(event: dict | None) -> list[list[tuple[float, float]]]:
    """Polygons of a Plotly selection event (``st.plotly_chart(on_select=...)``).

    Boxes become four-vertex polygons; lassos keep their vertices. Read as a
    mapping so tests can pass a plain dict.

    Examples
    --------
    >>> selection_polygons({"selection": {"box": [{"x": [1, 3], "y": [2, 4]}], "lasso": []}})
    [[(1.0, 2.0), (3.0, 2.0), (3.0, 4.0), (1.0, 4.0)]]
    """
    if not event:
        return []
    selection = event.get("selection") or {}
    polygons = []
    for box in selection.get("box") or []:
        xs, ys = box.get("x") or [], box.get("y") or []
        if len(xs) >= 2 and len(ys) >= 2:
            x0, x1 = float(min(xs)), float(max(xs))
            y0, y1 = float(min(ys)), float(max(ys))
            polygons.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    for lasso in selection.get("lasso") or []:
        xs, ys = lasso.get("x") or [], lasso.get("y") or []
        points = [(float(x), float(y)) for x, y in zip(xs, ys, strict=False)]
        if len(points) >= 3:
            polygons.append(points)
    return polygons


def canvas_size(
    shape: tuple[int, int], *, max_width: int = 640, max_height: int = 560
) -> tuple[int, int]:
    """(width, height) of a drawing canvas showing a mask of ``shape`` undistorted."""
    rows, cols = shape
    scale = min(max_width / cols, max_height / rows)
    return max(1, round(cols * scale)), max(1, round(rows * scale))
