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

from .masks import resize_nearest

#: Stroke colours the app draws with: paint adds foreground, erase removes it.
PAINT = (255, 0, 255)
ERASE = (0, 255, 255)

# Filling a span by slicing costs about as much as summing steps over this many
# pixels; bands with fewer spans per pixel are filled span by span.
_PIXELS_PER_SPAN_SLICE = 512
# A polygon is filled in bands of rows with at most about this many edge
# crossings and pixels each, which bounds the memory of the temporary arrays.
_CROSSINGS_PER_BAND = 1 << 20
_PIXELS_PER_BAND = 1 << 22

# A pixel's corners relative to its centre (Plotly: pixel c spans x ∈ [c - 0.5, c + 0.5]).
_PIXEL_CORNERS = np.array([(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)])


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

    Vertices are in Plotly's coordinates for an image trace: pixel (r, c) is
    the square x ∈ [c - 0.5, c + 0.5], y ∈ [r - 0.5, r + 0.5], its centre at
    (x = c, y = r); selections have fractional vertices.

    Parameters
    ----------
    polygons : iterable of sequences of (x, y)
        Each polygon's vertices. Three or more: the pixels whose centres lie
        inside the polygon or on its outline (even-odd rule, as Plotly's own
        lasso selects points); two: the rectangle they span; one: the pixel
        under the point.
    shape : (rows, cols)
        Size of the mask; the parts of polygons outside it are clipped.
    base : ndarray of bool, optional
        Mask to edit (not modified); None starts from an empty mask.
    erase : bool
        Clear the polygons' pixels instead of filling them.

    Returns
    -------
    ndarray of bool, shape ``shape``

    Raises
    ------
    ValueError
        A vertex that is not a finite number, or ``base`` of another shape.

    Examples
    --------
    >>> square = [(1, 1), (2, 1), (2, 2), (1, 2)]
    >>> polygons_to_mask([square], (4, 4)).astype(int).tolist()
    [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    >>> box = [(0.6, 0.6), (2.4, 0.6), (2.4, 1.4), (0.6, 1.4)]  # centres (1, 1) and (2, 1)
    >>> polygons_to_mask([box], (3, 4)).astype(int).tolist()
    [[0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    """
    rows, cols = shape
    mask = np.zeros(shape, bool) if base is None else np.array(base, dtype=bool, copy=True)
    if mask.shape != (rows, cols):
        raise ValueError("base must have the requested shape")
    for polygon in polygons:
        points = np.array([(float(x), float(y)) for x, y in polygon], float).reshape(-1, 2)
        if not np.isfinite(points).all():
            raise ValueError("polygon vertices must be finite numbers")
        if len(points) == 0:
            continue
        if len(points) == 1:  # the pixel (or, on a pixel edge, both pixels) under it
            points = points + _PIXEL_CORNERS
        elif len(points) == 2:
            (x0, y0), (x1, y1) = points
            points = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        filled = _fill_centres(points, (rows, cols))
        if filled is None:
            continue
        (r0, c0), region = filled
        window = mask[r0 : r0 + region.shape[0], c0 : c0 + region.shape[1]]
        if erase:
            window &= ~region
        else:
            window |= region
    return mask


def _fill_centres(
    points: np.ndarray, shape: tuple[int, int]
) -> tuple[tuple[int, int], np.ndarray] | None:
    """(top-left, region) of the pixel centres inside or on a polygon, on its bounding box."""
    x, y = points[:, 0], points[:, 1]
    r0, r1 = max(0, int(np.ceil(y.min()))), min(shape[0] - 1, int(np.floor(y.max())))
    c0, c1 = max(0, int(np.ceil(x.min()))), min(shape[1] - 1, int(np.floor(x.max())))
    if r0 > r1 or c0 > c1:
        return None
    height, width = r1 - r0 + 1, c1 - c0 + 1
    region = np.zeros((height, width), bool)
    xa, ya = x, y  # edge i runs from vertex i to vertex i + 1
    xb, yb = np.roll(x, -1), np.roll(y, -1)

    # Each edge crosses the centre rows min(y) <= r < max(y): half-open, so a
    # vertex a row passes through counts once and each row's crossings pair up.
    slanted = ya != yb  # a horizontal edge crosses no row (first > last)
    first = np.where(slanted, np.ceil(np.minimum(ya, yb)), 1).astype(np.int64)
    last = np.where(slanted, np.ceil(np.maximum(ya, yb)) - 1, 0).astype(np.int64)
    crossings = int(np.maximum(np.minimum(last, r1) - np.maximum(first, r0) + 1, 0).sum())
    # Bands of rows bound the memory a long wiggly lasso's crossings take.
    bands = max(1, -(-crossings // _CROSSINGS_PER_BAND), -(-height * width // _PIXELS_PER_BAND))
    band = -(-height // bands)
    for top in range(r0, r1 + 1, band):
        bottom = min(top + band, r1 + 1)
        lo, hi = np.maximum(first, top), np.minimum(last, bottom - 1)
        count = np.maximum(hi - lo + 1, 0)
        edge = np.repeat(np.arange(len(x)), count)
        row = lo[edge] + np.arange(len(edge)) - np.repeat(np.cumsum(count) - count, count)
        # (row - y) * dx is exact for whole-pixel vertices, so their crossings are too.
        cross = xa[edge] + (row - ya[edge]) * (xb[edge] - xa[edge]) / (yb[edge] - ya[edge])
        order = np.lexsort((cross, row))
        row, cross = row[order][0::2] - top, cross[order]
        start = np.maximum(np.ceil(cross[0::2]), c0).astype(np.int64) - c0
        stop = np.minimum(np.floor(cross[1::2]), c1).astype(np.int64) - c0 + 1
        keep = start < stop
        _fill_spans(region[top - r0 : bottom - r0], row[keep], start[keep], stop[keep])

    # The outline counts as inside; the crossings hold all of it but the
    # horizontal edges and the vertices no row passes through.
    on_row = (ya == yb) & (ya == np.floor(ya)) & (ya >= r0) & (ya <= r1)
    for i in np.flatnonzero(on_row):
        left = max(int(np.ceil(min(xa[i], xb[i]))), c0)
        right = min(int(np.floor(max(xa[i], xb[i]))), c1)
        if left <= right:
            region[int(ya[i]) - r0, left - c0 : right - c0 + 1] = True
    whole = (x == np.floor(x)) & (y == np.floor(y))
    whole &= (y >= r0) & (y <= r1) & (x >= c0) & (x <= c1)
    region[y[whole].astype(np.int64) - r0, x[whole].astype(np.int64) - c0] = True
    return (r0, c0), region


def _fill_spans(region: np.ndarray, row: np.ndarray, start: np.ndarray, stop: np.ndarray) -> None:
    """Set ``region[row, start:stop]`` for each span, in place."""
    height, width = region.shape
    if len(row) * _PIXELS_PER_SPAN_SLICE <= height * width:
        for r, a, b in zip(row.tolist(), start.tolist(), stop.tolist(), strict=True):
            region[r, a:b] = True
        return
    # Many spans per row (a wiggly lasso): +1/-1 steps summed along each row;
    # spans that touch share a pixel, which then sums to 2.
    size = height * (width + 1)
    steps = np.bincount(row * (width + 1) + start, minlength=size).astype(np.int8)
    steps -= np.bincount(row * (width + 1) + stop, minlength=size).astype(np.int8)
    steps = steps.reshape(height, width + 1)[:, :width]
    region |= np.cumsum(steps, axis=1, dtype=np.int8) > 0


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
